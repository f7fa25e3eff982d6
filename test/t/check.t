# relay-ctrl-check: sets RELAYCLIENT for a fresh login, fails closed.
. "$RC_TOP/test/lib.sh"
plan 94
mkspool
# check [VAR=value...]: relay-ctrl-check through relay-ctrl-chdir, as at a site;
# REL is the RELAYCLIENT the SMTP server got, or "unset".
check_chdir () {
  run RELAY_CTRL_DIR="$SPOOL" "$@" -- relay-ctrl-chdir relay-ctrl-check sh -c 'echo "${RELAYCLIENT-unset}"; env'
  REL=$(sed -n 1p <<<"$OUT")
}

run -- relay-ctrl-check
is "$RC" 100 "no program: exit 100"
has "$ERR" '^relay-ctrl-check\[[0-9]+\]: fatal: usage: relay-ctrl-check prog' "usage line"

spool_put 192.0.2.1 'USER=joe\0DOMAIN=example.org\0'
check_chdir TCPREMOTEIP=192.0.2.1
is "$REL" "" "fresh login: RELAYCLIENT set, empty by default"
has "$OUT" '^USER=joe$' "USER imported"
has "$OUT" '^DOMAIN=example.org$' "DOMAIN imported"
hasnt "$OUT" '^RELAY_CTRL_DIR_FD=' "the SMTP server does not get RELAY_CTRL_DIR_FD"
is "$ERR" "" "no log line by default"
check_chdir TCPREMOTEIP=192.0.2.1 RELAY_CTRL_RELAYCLIENT=@relay
is "$REL" "@relay" "RELAY_CTRL_RELAYCLIENT gives RELAYCLIENT's value"
check_chdir TCPREMOTEIP=192.0.2.2
is "$REL" unset "no login: RELAYCLIENT unset"
check_chdir TCPREMOTEIP=192.0.2.2 RELAYCLIENT=preset
is "$REL" preset "RELAYCLIENT already set (tcprules): left as it is"
check_chdir TCPREMOTEIP=192.0.2.1 RELAYCLIENT=
is "$REL" "" "RELAYCLIENT already set empty: left as it is"
hasnt "$OUT" '^USER=' "RELAYCLIENT already set: nothing imported"

run RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP=192.0.2.1 -- relay-ctrl-check sh -c 'echo "${RELAYCLIENT-unset}"'
is "$OUT" "" "works by RELAY_CTRL_DIR alone, without relay-ctrl-chdir"
run RELAY_CTRL_DIR=/nonexistent RELAY_CTRL_DIR_FD=9 TCPREMOTEIP=192.0.2.1 -- sh -c "exec 9<'$SPOOL'; exec relay-ctrl-check sh -c 'echo \"\${RELAYCLIENT-unset}\"'"
is "$OUT" "" "RELAY_CTRL_DIR_FD preferred over RELAY_CTRL_DIR"

# Logs.
check_chdir TCPREMOTEIP=192.0.2.1 RELAY_CTRL_LOG_IPS=1
has "$ERR" '^relay-ctrl-check\[[0-9]+\]: info: relaying for 192\.0\.2\.1 \(user joe\)$' "RELAY_CTRL_LOG_IPS: relaying logged, with the user"
hasnt "$ERR" 'imported' "RELAY_CTRL_LOG_IPS alone: variables not logged"
check_chdir TCPREMOTEIP=192.0.2.2 RELAY_CTRL_LOG_IPS=1
has "$ERR" '^relay-ctrl-check\[[0-9]+\]: info: not relaying for 192\.0\.2\.2: no login recorded$' "RELAY_CTRL_LOG_IPS: refusal logged"
check_chdir TCPREMOTEIP=192.0.2.2 RELAYCLIENT= RELAY_CTRL_LOG_IPS=1
has "$ERR" 'info: RELAYCLIENT is already set: leaving it' "RELAY_CTRL_LOG_IPS: preset RELAYCLIENT logged"
check_chdir TCPREMOTEIP=192.0.2.1 RELAY_CTRL_LOG_ENV=1
has "$ERR" '^relay-ctrl-check\[[0-9]+\]: info: 192\.0\.2\.1: imported USER=joe$' "RELAY_CTRL_LOG_ENV: each import logged"
has "$ERR" 'imported DOMAIN=example.org' "RELAY_CTRL_LOG_ENV: DOMAIN too"

# Expiry.
spool_put 192.0.2.3; age "$SPOOL/192.0.2.3" 880
check_chdir TCPREMOTEIP=192.0.2.3
is "$REL" "" "default expiry 900: 880 s old still relays"
age "$SPOOL/192.0.2.3" 920
check_chdir TCPREMOTEIP=192.0.2.3 RELAY_CTRL_LOG_IPS=1
is "$REL" unset "default expiry 900: 920 s old refused"
has "$ERR" 'info: not relaying for 192\.0\.2\.3: its login has expired' "expired: logged"
ok "expired entry removed" test ! -e "$SPOOL/192.0.2.3"
spool_put 192.0.2.4; age "$SPOOL/192.0.2.4" 60
check_chdir TCPREMOTEIP=192.0.2.4 RELAY_CTRL_EXPIRY=90
is "$REL" "" "RELAY_CTRL_EXPIRY=90 (seed 004): 60 s old relays"
age "$SPOOL/192.0.2.4" 120
check_chdir TCPREMOTEIP=192.0.2.4 RELAY_CTRL_EXPIRY=90
is "$REL" unset "RELAY_CTRL_EXPIRY=90: 120 s old refused"
for junk in 0 -5 abc 90x '' 99999999999; do
  spool_put 192.0.2.5; age "$SPOOL/192.0.2.5" 880
  check_chdir TCPREMOTEIP=192.0.2.5 RELAY_CTRL_EXPIRY="$junk"
  is "$REL" "" "RELAY_CTRL_EXPIRY='$junk' means 900 (880 s relays)"
  has "$ERR" "warning: RELAY_CTRL_EXPIRY=$junk is not a positive number of seconds, using 900" "RELAY_CTRL_EXPIRY='$junk': warning"
done
spool_put 192.0.2.6; age "$SPOOL/192.0.2.6" -10
check_chdir TCPREMOTEIP=192.0.2.6
is "$REL" "" "mtime 10 s in the future (within 30 s tolerance): relays"
age "$SPOOL/192.0.2.6" -3600
check_chdir TCPREMOTEIP=192.0.2.6
is "$REL" unset "mtime an hour in the future: refused"
has "$ERR" 'warning: not relaying for 192\.0\.2\.6: its spool entry is dated in the future' "future mtime: warning"
ok "future entry kept for relay-ctrl-age" test -e "$SPOOL/192.0.2.6"

# Address forms.
spool_put 2001:db8::1 'USER=six\0'
for form in 2001:db8::1 2001:DB8:0:0:0:0:0:1 2001:0db8::0001; do
  check_chdir TCPREMOTEIP="$form"
  is "$REL" "" "IPv6 $form finds 2001:db8::1"
done
spool_put 192.0.2.7
check_chdir TCPREMOTEIP=::ffff:192.0.2.7
is "$REL" "" "IPv4-mapped ::ffff:192.0.2.7 finds 192.0.2.7"
for bad in '../192.0.2.7' '192.0.2.7/' 'junk' '' '192.0.2.7/../192.0.2.7'; do
  check_chdir TCPREMOTEIP="$bad"
  is "$REL:$RC" "unset:0" "invalid address '$bad': refused, SMTP still runs"
done
has "$ERR" "warning: not relaying for 192\.0\.2\.7/\.\./192\.0\.2\.7: not an IP address" "invalid address: warning"
run RELAY_CTRL_DIR="$SPOOL" -- relay-ctrl-check sh -c 'echo "${RELAYCLIENT-unset}"'
is "$RC:$OUT" "0:unset" "TCPREMOTEIP unset: refused, SMTP still runs"
has "$ERR" "warning: not relaying: TCPREMOTEIP is not set" "TCPREMOTEIP unset: warning"

# Hostile spool.
spool_put fresh 'USER=x\0'
ln -s fresh "$SPOOL/192.0.2.10"
check_chdir TCPREMOTEIP=192.0.2.10
is "$REL" unset "symlink to a fresh file: refused"
has "$ERR" 'warning: not relaying for 192\.0\.2\.10: its spool entry is a symbolic link' "symlink: warning"
ln -s /etc/passwd "$SPOOL/192.0.2.11"
check_chdir TCPREMOTEIP=192.0.2.11 RELAY_CTRL_EXPIRY=999999999
is "$REL" unset "symlink to /etc/passwd: refused"
hasnt "$OUT" '^root' "nothing of /etc/passwd imported"
mkdir "$SPOOL/192.0.2.12"
check_chdir TCPREMOTEIP=192.0.2.12
is "$REL" unset "directory: refused"
has "$ERR" 'not relaying for 192\.0\.2\.12: its spool entry is not a regular file' "directory: warning"
mkfifo "$SPOOL/192.0.2.13"
run RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP=192.0.2.13 -- timeout 5 relay-ctrl-check sh -c 'echo "${RELAYCLIENT-unset}"'
is "$RC:$OUT" "0:unset" "FIFO: refused without blocking"
has "$ERR" 'not relaying for 192\.0\.2\.13: its spool entry is not a regular file' "FIFO: warning"
{ printf 'USER=big\0'; head -c 10000000 /dev/zero | tr '\0' 'A'; } > "$SPOOL/192.0.2.14"; chmod 644 "$SPOOL/192.0.2.14"
check_chdir TCPREMOTEIP=192.0.2.14
is "$REL" "" "10 MB file: relays (its mtime is fresh)"
has "$OUT" '^USER=big$' "10 MB file: records in the first 4096 bytes imported"
has "$ERR" 'warning: 192\.0\.2\.14 in the spool is 10000009 bytes long: only the records in its first 4096 bytes were read' "10 MB file: one warning"
is "$(wc -l <<<"$ERR")" 1 "10 MB file: exactly one log line"
spool_put 192.0.2.15 'no nul at all'
check_chdir TCPREMOTEIP=192.0.2.15
is "$REL" "" "file without NUL: relays"
has "$ERR" 'warning: ignored 1 record\(s\) of 192\.0\.2\.15 in the spool, the first for: unterminated record' "file without NUL: warning"
spool_put 192.0.2.16 'RELAYCLIENT=@evil.example\0PATH=/tmp/evil\0LD_PRELOAD=/tmp/evil.so\0USER=joe\0'
check_chdir TCPREMOTEIP=192.0.2.16 RELAY_CTRL_IMPORT="PATH LD_PRELOAD RELAYCLIENT"
is "$REL" "" "file setting RELAYCLIENT: our empty value wins"
hasnt "$OUT" 'evil' "PATH, LD_PRELOAD not imported even if listed in RELAY_CTRL_IMPORT"
has "$OUT" '^USER=joe$' "the good record still imported"
has "$ERR" 'warning: ignored 3 record\(s\) of 192\.0\.2\.16 in the spool, the first for: name not importable' "forbidden names: one warning"
spool_put 192.0.2.17 'USER=joe\0QUOTA=5\0'
check_chdir TCPREMOTEIP=192.0.2.17
hasnt "$OUT" '^QUOTA=' "names not listed are not imported"
check_chdir TCPREMOTEIP=192.0.2.17 RELAY_CTRL_IMPORT=QUOTA
has "$OUT" '^QUOTA=5$' "RELAY_CTRL_IMPORT=QUOTA imports it"
spool_put 192.0.2.18 'USER=root-only\0'; chmod 600 "$SPOOL/192.0.2.18"
run RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP=192.0.2.18 -- relay-ctrl-chdir setuidgid nobody relay-ctrl-check sh -c 'echo "${RELAYCLIENT-unset} ${USER-nouser}"'
is "$OUT" " nouser" "unreadable entry (0600 root, check as nobody): relays, without records"
has "$ERR" 'warning: relaying for 192\.0\.2\.18 without its records: the spool entry is not readable' "unreadable entry: warning"

# Never break mail.
run RELAY_CTRL_DIR="$T/missing" TCPREMOTEIP=192.0.2.1 -- relay-ctrl-check sh -c 'echo "${RELAYCLIENT-unset}"'
is "$RC:$OUT" "0:unset" "missing spool: SMTP runs, no relaying"
has "$ERR" "warning: not relaying for 192\.0\.2\.1: unable to open spool $T/missing: No such file or directory" "missing spool: warning"
run TCPREMOTEIP=192.0.2.1 -- relay-ctrl-check sh -c 'echo "${RELAYCLIENT-unset}"'
is "$RC:$OUT" "0:unset" "no spool configured: SMTP runs, no relaying"
has "$ERR" 'neither RELAY_CTRL_DIR_FD nor RELAY_CTRL_DIR is set' "no spool configured: warning"
run TCPREMOTEIP=192.0.2.1 RELAY_CTRL_DIR_FD=99 -- relay-ctrl-check sh -c 'echo "${RELAYCLIENT-unset}"'
is "$RC:$OUT" "0:unset" "closed RELAY_CTRL_DIR_FD: SMTP runs, no relaying"
has "$ERR" 'warning: not relaying for 192\.0\.2\.1: unable to read its spool entry: Bad file descriptor' "closed RELAY_CTRL_DIR_FD: warning"
mkdir -p "$T/shut"; spool_put 192.0.2.1; cp -p "$SPOOL/192.0.2.1" "$T/shut/"; chmod 700 "$T/shut"
run RELAY_CTRL_DIR="$T/shut" TCPREMOTEIP=192.0.2.1 -- setuidgid nobody relay-ctrl-check sh -c 'echo "${RELAYCLIENT-unset}"'
is "$RC:$OUT" "0:unset" "spool unreadable by the SMTP user: no relaying"
has "$ERR" 'unable to open spool .*Permission denied' "spool unreadable: warning"
run RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP=192.0.2.1 -- relay-ctrl-check /nonexistent
is "$RC" 127 "program not found: 127"
printf x > "$T/noexec"
run RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP=192.0.2.1 -- relay-ctrl-check "$T/noexec"
is "$RC" 126 "program not executable: 126"
has "$ERR" '^relay-ctrl-check\[[0-9]+\]: fatal: unable to exec .*noexec: Permission denied' "exec failure logged"
run RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP=192.0.2.1 -- relay-ctrl-check sh -c 'exit 9'
is "$RC" 9 "exit status is the SMTP server's"

# Whatever the decision, the SMTP server gets no way into the spool.
nofd () { run RELAY_CTRL_DIR="$SPOOL" "$@" -- relay-ctrl-chdir relay-ctrl-check sh -c 'for f in /proc/$$/fd/*; do readlink "$f"; done; echo "fd=${RELAY_CTRL_DIR_FD-unset}"'; }
nofd TCPREMOTEIP=192.0.2.1 RELAYCLIENT=
hasnt "$OUT" "$SPOOL|fd=[0-9]" "RELAYCLIENT preset: no spool descriptor or variable for the SMTP server"
nofd TCPREMOTEIP=junk
hasnt "$OUT" "$SPOOL|fd=[0-9]" "invalid address: no spool descriptor or variable"
nofd
hasnt "$OUT" "$SPOOL|fd=[0-9]" "no address: no spool descriptor or variable"
nofd TCPREMOTEIP=192.0.2.99
hasnt "$OUT" "$SPOOL|fd=[0-9]" "no login: no spool descriptor or variable"

# An expired entry it cannot remove: said every time.
mkdir -p "$T/ro/allow"; chmod 755 "$T/ro"; : > "$T/ro/allow/192.0.2.1"; age "$T/ro/allow/192.0.2.1" 5000; chmod 555 "$T/ro/allow"
run RELAY_CTRL_DIR="$T/ro/allow" TCPREMOTEIP=192.0.2.1 -- setuidgid nobody relay-ctrl-check sh -c 'echo "${RELAYCLIENT-unset}"'
is "$OUT" unset "expired entry in a spool the SMTP user cannot write: refused"
has "$ERR" 'warning: unable to remove expired 192\.0\.2\.1 from the spool: Permission denied' "and the failed removal is logged"
