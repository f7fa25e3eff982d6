# relay-ctrl-allow: records a login's address, then runs the POP server.
. "$RC_TOP/test/lib.sh"
plan 73
mkspool
content () { od -An -c "$1" | tr -s ' \n' ' ' | sed 's/^ //;s/ $//'; }
run_spool () { run RELAY_CTRL_DIR="$SPOOL" "$@"; }

run_spool TCPREMOTEIP=192.0.2.7 USER=joe DOMAIN=example.org -- relay-ctrl-allow
is "$RC" 0 "no program: records and exits 0"
ok "spool entry named after the address" test -f "$SPOOL/192.0.2.7"
is "$(content "$SPOOL/192.0.2.7")" 'U S E R = j o e \0 D O M A I N = e x a m p l e . o r g \0' "content: USER=value NUL DOMAIN=value NUL"
is "$(stat -c %a "$SPOOL/192.0.2.7")" 644 "reached by path: mode 0644 (the SMTP user must read it)"
is "$ERR" "" "no log line by default"
now=$(date +%s); ok "mtime is the login time" test $(( now - $(mtime "$SPOOL/192.0.2.7") )) -le 2

run RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP=192.0.2.8 USER=joe -- relay-ctrl-chdir relay-ctrl-allow sh -c 'echo "${RELAY_CTRL_DIR_FD-unset}"; for f in /proc/$$/fd/*; do readlink "$f"; done'
is "$(stat -c %a "$SPOOL/192.0.2.8")" 644 "reached through relay-ctrl-chdir's fd: mode 0644"
is "$(sed -n 1p <<<"$OUT")" unset "the POP server does not get RELAY_CTRL_DIR_FD"
hasnt "$OUT" "$SPOOL" "the POP server does not inherit the spool descriptor"
run RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP=192.0.2.9 -- sh -c 'umask 077; exec relay-ctrl-chdir relay-ctrl-allow'
is "$(stat -c %a "$SPOOL/192.0.2.9")" 644 "mode 0644 whatever the umask"
is "$(content "$SPOOL/192.0.2.9")" "" "no USER or DOMAIN: empty file"

run_spool TCPREMOTEIP=192.0.2.10 USER=joe -- relay-ctrl-allow sh -c 'echo "$USER"; exit 3'
is "$RC:$OUT" "3:joe" "runs the program with its environment; its exit status"
is "$(content "$SPOOL/192.0.2.10")" 'U S E R = j o e \0' "only USER when DOMAIN is unset"

# Addresses: every form lands on the canonical name.
for pair in "::ffff:192.0.2.11=192.0.2.11" "2001:DB8:0:0::1=2001:db8::1" "::1=::1" "fe80::1%lo=fe80::1%lo"; do
  run_spool TCPREMOTEIP="${pair%%=*}" -- relay-ctrl-allow
  ok "${pair%%=*} recorded as ${pair#*=}" test -f "$SPOOL/${pair#*=}"
done
ls -A "$SPOOL" > "$T/before"
for bad in '../x' '1.2.3.4/../../etc' 'junk' '' '256.1.1.1' "$(printf 'x%.0s' {1..300})"; do
  run_spool TCPREMOTEIP="$bad" -- relay-ctrl-allow sh -c 'echo ran'
  is "$RC:$OUT" "0:ran" "invalid address '${bad:0:20}': the POP server still runs"
done
has "$ERR" 'relay-ctrl-allow\[[0-9]+\]: warning: not recording login from x{76}\.\.\.: not an IP address' "invalid address: one warning, quoted and cut"
ls -A "$SPOOL" > "$T/after"
is "$(diff "$T/before" "$T/after")" "" "invalid addresses never reach the file system"
ok "nothing written outside the spool" test ! -e "$T/spool/x" -a ! -e "$T/etc"
run_spool TCPREMOTEIP="$(printf '1.2.3.4\033[2J')" -- relay-ctrl-allow
has "$ERR" 'login from 1\.2\.3\.4\?\[2J: not an IP' "control characters in the address are not logged raw"
run_spool -- relay-ctrl-allow sh -c 'echo ran'
is "$OUT" ran "TCPREMOTEIP unset: the POP server runs"
has "$ERR" 'warning: not recording login: neither TCPREMOTEIP nor IP is set' "TCPREMOTEIP unset: warning"
run_spool IP=2001:db8::5 -- relay-ctrl-allow
ok "TCPREMOTEIP unset: IP (Dovecot post-login) used" test -f "$SPOOL/2001:db8::5"
run_spool TCPREMOTEIP=192.0.2.55 IP=2001:db8::6 -- relay-ctrl-allow
ok "TCPREMOTEIP preferred over IP" test -f "$SPOOL/192.0.2.55" -a ! -e "$SPOOL/2001:db8::6"

# A re-login refreshes the entry.
age "$SPOOL/192.0.2.7" 5000
run_spool TCPREMOTEIP=192.0.2.7 USER=ann -- relay-ctrl-allow
ok "re-login refreshes the mtime" test $(( $(date +%s) - $(mtime "$SPOOL/192.0.2.7") )) -le 2
is "$(content "$SPOOL/192.0.2.7")" 'U S E R = a n n \0' "re-login replaces the content"
is "$(ls -A "$SPOOL" | grep -c '^\.')" 0 "no temporary files left behind"

# Hostile spool entries.
echo secret > "$T/target"; cp "$T/target" "$T/target.orig"
ln -s "$T/target" "$SPOOL/192.0.2.20"
run_spool TCPREMOTEIP=192.0.2.20 USER=joe -- relay-ctrl-allow
ok "a symlink at the name is replaced by a file" test -f "$SPOOL/192.0.2.20" -a ! -L "$SPOOL/192.0.2.20"
ok "the symlink's target is untouched" cmp -s "$T/target" "$T/target.orig"
mkdir "$SPOOL/192.0.2.21"
run_spool TCPREMOTEIP=192.0.2.21 -- relay-ctrl-allow sh -c 'echo ran'
is "$OUT" ran "a directory at the name: the POP server runs"
has "$ERR" 'warning: not recording login from 192\.0\.2\.21: unable to write its spool entry: ' "a directory at the name: warning with the address"
is "$(ls -A "$SPOOL" | grep -c '^\.')" 0 "failed write leaves no temporary file"

# Never break mail when the spool is unusable.
run_spool TCPREMOTEIP=192.0.2.30 RELAY_CTRL_DIR="$T/missing" -- relay-ctrl-allow sh -c 'echo ran'
is "$RC:$OUT" "0:ran" "missing spool: the POP server runs"
has "$ERR" "warning: not recording login from 192\.0\.2\.30: unable to open spool $T/missing" "missing spool: warning"
run TCPREMOTEIP=192.0.2.30 -- relay-ctrl-allow sh -c 'echo ran'
is "$OUT" ran "no spool configured: the POP server runs"
has "$ERR" "warning: not recording login from 192\.0\.2\.30: neither RELAY_CTRL_DIR_FD nor RELAY_CTRL_DIR is set" "no spool configured: warning"
run TCPREMOTEIP=192.0.2.30 RELAY_CTRL_DIR_FD=junk -- relay-ctrl-allow sh -c 'echo ran'
is "$OUT" ran "junk RELAY_CTRL_DIR_FD: the POP server runs"
has "$ERR" "RELAY_CTRL_DIR_FD=junk is not a file descriptor" "junk RELAY_CTRL_DIR_FD: warning"
run TCPREMOTEIP=192.0.2.30 RELAY_CTRL_DIR_FD=9 -- relay-ctrl-allow sh -c 'echo ran'
has "$ERR" "warning: not recording login from 192\.0\.2\.30: unable to write its spool entry: Bad file descriptor" "closed RELAY_CTRL_DIR_FD: warning"
mkdir -p "$T/ro"; chmod 755 "$T/ro"
run TCPREMOTEIP=192.0.2.31 RELAY_CTRL_DIR="$T/ro" -- setuidgid nobody relay-ctrl-allow sh -c 'echo ran'
is "$OUT" ran "spool not writable: the POP server runs"
has "$ERR" 'unable to write its spool entry: Permission denied' "spool not writable: warning"

# Variables recorded.
run_spool TCPREMOTEIP=192.0.2.40 USER=joe QUOTA=5 PATH_X=1 RELAY_CTRL_IMPORT="QUOTA,PATH,LD_PRELOAD" LD_PRELOAD=/x -- relay-ctrl-allow
is "$(content "$SPOOL/192.0.2.40")" 'U S E R = j o e \0 Q U O T A = 5 \0' "RELAY_CTRL_IMPORT adds names; forbidden ones never stored"
run_spool TCPREMOTEIP=192.0.2.41 USER="$(printf 'joe\nRELAYCLIENT=')" DOMAIN=d -- relay-ctrl-allow
is "$(content "$SPOOL/192.0.2.41")" 'D O M A I N = d \0' "a value with control characters is not stored"
has "$ERR" 'warning: not recording USER for 192\.0\.2\.41: it contains control characters' "and that is logged"
run_spool TCPREMOTEIP=192.0.2.42 RELAY_CTRL_LOG_IPS=1 -- relay-ctrl-allow
has "$ERR" '^relay-ctrl-allow\[[0-9]+\]: info: recorded login from 192\.0\.2\.42$' "RELAY_CTRL_LOG_IPS: one line per login"

# Courier authlib: only AUTHENTICATED says the password was good.
run_spool TCPREMOTEIP=192.0.2.50 AUTHUSER=x AUTHARGV0=imapd -- relay-ctrl-allow sh -c 'echo ran'
ok "Courier, AUTHENTICATED unset: nothing recorded" test ! -e "$SPOOL/192.0.2.50"
is "$OUT" ran "Courier, AUTHENTICATED unset: the server still runs"
run_spool TCPREMOTEIP=192.0.2.50 AUTHUSER=x AUTHARGV0=imapd AUTHENTICATED= -- relay-ctrl-allow
ok "Courier, AUTHENTICATED empty: nothing recorded" test ! -e "$SPOOL/192.0.2.50"
run_spool TCPREMOTEIP=192.0.2.50 AUTHUSER=x AUTHARGV0=imapd AUTHENTICATED=joe -- relay-ctrl-allow
ok "Courier, AUTHENTICATED set: recorded" test -e "$SPOOL/192.0.2.50"
run_spool TCPREMOTEIP=192.0.2.51 AUTHUSER=x -- relay-ctrl-allow
ok "AUTHUSER without AUTHARGV0: an ordinary login" test -e "$SPOOL/192.0.2.51"

# Exec failures.
run_spool TCPREMOTEIP=192.0.2.60 -- relay-ctrl-allow /nonexistent
is "$RC" 127 "program not found: 127"
ok "the login was recorded before the exec" test -e "$SPOOL/192.0.2.60"
printf x > "$T/noexec"
run_spool TCPREMOTEIP=192.0.2.60 -- relay-ctrl-allow "$T/noexec"
is "$RC" 126 "program not executable: 126"
has "$ERR" 'relay-ctrl-allow\[[0-9]+\]: fatal: unable to exec .*noexec: Permission denied' "exec failure logged"

# Whatever happened, the POP server gets no way into the spool.
nofd () { run RELAY_CTRL_DIR="$SPOOL" "$@" -- relay-ctrl-chdir relay-ctrl-allow sh -c 'for f in /proc/$$/fd/*; do readlink "$f"; done; echo "fd=${RELAY_CTRL_DIR_FD-unset}"'; }
nofd TCPREMOTEIP=junk
has "$OUT" "fd=unset" "invalid address: RELAY_CTRL_DIR_FD unset for the POP server"
hasnt "$OUT" "$SPOOL" "invalid address: spool descriptor closed"
nofd TCPREMOTEIP=192.0.2.70 AUTHUSER=x AUTHARGV0=imapd
hasnt "$OUT" "$SPOOL|fd=[0-9]" "login that does not count: no descriptor, no variable"
nofd
hasnt "$OUT" "$SPOOL|fd=[0-9]" "no address: no descriptor, no variable"
nofd TCPREMOTEIP=192.0.2.21
hasnt "$OUT" "$SPOOL|fd=[0-9]" "failed write through the descriptor: no descriptor, no variable"

# The log line names the user; Courier sets no USER, only AUTHENTICATED.
run_spool TCPREMOTEIP=192.0.2.50 USER=joe RELAY_CTRL_LOG_IPS=1 -- relay-ctrl-allow
has "$ERR" '^relay-ctrl-allow\[[0-9]+\]: info: recorded login from 192\.0\.2\.50 \(user joe\)$' "RELAY_CTRL_LOG_IPS: the line names the user"
run_spool TCPREMOTEIP=192.0.2.51 AUTHENTICATED=carol RELAY_CTRL_LOG_IPS=1 -- relay-ctrl-allow
is "$(content "$SPOOL/192.0.2.51")" 'U S E R = c a r o l \0' "Courier: USER recorded from AUTHENTICATED"
has "$ERR" 'info: recorded login from 192\.0\.2\.51 \(user carol\)$' "Courier: the line names the AUTHENTICATED user"
run_spool TCPREMOTEIP=192.0.2.52 USER=joe AUTHENTICATED=carol -- relay-ctrl-allow
is "$(content "$SPOOL/192.0.2.52")" 'U S E R = j o e \0' "USER wins over AUTHENTICATED"
run_spool TCPREMOTEIP=192.0.2.53 AUTHENTICATED= -- relay-ctrl-allow
is "$(content "$SPOOL/192.0.2.53")" '' "an empty AUTHENTICATED records no user"

# Issue 10, finding 13: a value too long for the entry is left out with
# a log line, not silently.
mkspool
run RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP=192.0.2.77 USER="$(head -c 10240 /dev/zero | tr '\0' u)" DOMAIN=example.org -- relay-ctrl-allow true
has "$ERR" "warning: not recording USER for 192\.0\.2\.77: it does not fit in the entry's 4096 bytes" "a 10 KB USER: left out, with a warning"
is "$(tr '\0' ' ' <"$SPOOL/192.0.2.77")" "DOMAIN=example.org " "and the login is recorded with the rest"
