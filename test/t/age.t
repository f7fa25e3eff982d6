# relay-ctrl-age: removes expired entries and stale temporaries.
. "$RC_TOP/test/lib.sh"
plan 34
mkspool
# agerun [VAR=value...] [-v]
agerun () {
  local envs=()
  while [ $# -gt 0 ] && [ "$1" != -v ]; do envs+=("$1"); shift; done
  run RELAY_CTRL_DIR="$SPOOL" "${envs[@]}" -- relay-ctrl-age "$@"
}

run -- relay-ctrl-age
is "$RC" 100 "RELAY_CTRL_DIR unset: exit 100"
has "$ERR" '^relay-ctrl-age\[[0-9]+\]: fatal: RELAY_CTRL_DIR is not set$' "RELAY_CTRL_DIR unset: message"
run RELAY_CTRL_DIR_FD=0 -- relay-ctrl-age
is "$RC" 100 "RELAY_CTRL_DIR_FD is not used: exit 100"
run RELAY_CTRL_DIR="$T/missing" -- relay-ctrl-age
is "$RC" 111 "missing spool: exit 111"
has "$ERR" "fatal: unable to open spool $T/missing: No such file or directory" "missing spool: message"
run RELAY_CTRL_DIR=/etc/passwd -- relay-ctrl-age
is "$RC" 111 "spool not a directory: exit 111"
run RELAY_CTRL_DIR="$SPOOL" -- relay-ctrl-age -x
is "$RC" 100 "unknown option: exit 100"
has "$ERR" 'fatal: usage: relay-ctrl-age \[ -v \]' "usage line"
run RELAY_CTRL_DIR="$SPOOL" -- relay-ctrl-age extra
is "$RC" 100 "extra argument: exit 100"

spool_put_aged 192.0.2.1 0; spool_put_aged 192.0.2.2 880; spool_put_aged 192.0.2.3 920; spool_put_aged 2001:db8::1 5000
spool_put_aged .tmp.123.1.2 950; spool_put_aged .tmp.124.1.2 10; spool_put_aged .old.125.1.2 950
spool_put_aged 192.0.2.4 -3600; spool_put_aged 192.0.2.5 -10
agerun
is "$RC" 0 "exit 0"
is "$ERR" "" "quiet without -v: nothing for cron to mail"
is "$(ls -A "$SPOOL" | sort | tr '\n' ' ')" ".tmp.124.1.2 192.0.2.1 192.0.2.2 192.0.2.5 " "default expiry 900: expired, future-dated and stale temporaries removed; fresh kept"

spool_put_aged 192.0.2.6 60; spool_put_aged 192.0.2.7 120
agerun RELAY_CTRL_EXPIRY=90
ok "RELAY_CTRL_EXPIRY=90: 60 s kept" test -e "$SPOOL/192.0.2.6"
ok "RELAY_CTRL_EXPIRY=90: 120 s removed" test ! -e "$SPOOL/192.0.2.7"
spool_put_aged 192.0.2.8 880
agerun RELAY_CTRL_EXPIRY=junk
ok "junk RELAY_CTRL_EXPIRY means 900" test -e "$SPOOL/192.0.2.8"
has "$ERR" 'warning: RELAY_CTRL_EXPIRY=junk is not a positive number of seconds, using 900' "junk RELAY_CTRL_EXPIRY: warning"

spool_put_aged 192.0.2.9 1000; spool_put_aged 192.0.2.10 2000; spool_put_aged .tmp.9.9.9 2000
agerun -v
ok "-v: still removes" test ! -e "$SPOOL/192.0.2.9"
has "$ERR" '^relay-ctrl-age\[[0-9]+\]: info: removed 192\.0\.2\.9: expired$' "-v: each removal reported"
has "$ERR" 'info: removed \.tmp\.9\.9\.9: temporary file' "-v: temporary files reported"
has "$ERR" 'info: scanned [0-9]+ entries: removed 3, kept [0-9]+, ignored 0$' "-v: a summary line"
spool_put_aged 192.0.2.11 -3600
run RELAY_CTRL_DIR="$SPOOL" -- relay-ctrl-age -v
has "$ERR" 'info: removed 192\.0\.2\.11: dated in the future' "-v: future-dated reported"

# Hostile entries.
echo keep > "$T/target"
ln -s "$T/target" "$SPOOL/192.0.2.20"; age "$SPOOL/192.0.2.20" 5000
ln -s /etc/passwd "$SPOOL/192.0.2.21"
mkdir "$SPOOL/192.0.2.22"; age "$SPOOL/192.0.2.22" 5000
mkfifo "$SPOOL/192.0.2.23"; age "$SPOOL/192.0.2.23" 5000
printf 'junk' > "$SPOOL/not-an-address"; age "$SPOOL/not-an-address" 5000
agerun
ok "stale symlink removed" test ! -L "$SPOOL/192.0.2.20"
is "$(cat "$T/target")" keep "its target untouched"
ok "fresh symlink left for now" test -L "$SPOOL/192.0.2.21"
has "$ERR" 'warning: removed 192\.0\.2\.20 from the spool: it was not a regular file' "stale symlink: warning"
ok "directory left alone" test -d "$SPOOL/192.0.2.22"
has "$ERR" 'warning: ignoring 192\.0\.2\.22 in the spool: it is a directory' "directory: warning"
ok "stale FIFO removed without blocking" test ! -e "$SPOOL/192.0.2.23"
ok "stale junk file removed" test ! -e "$SPOOL/not-an-address"
is "$RC" 0 "hostile entries: exit 0"

# A spool it cannot write: exit 111, says which entry.
mkspool; chmod 755 "$SPOOLTOP"; spool_put_aged 192.0.2.30 5000; chmod 555 "$SPOOL"
run RELAY_CTRL_DIR="$SPOOL" -- setuidgid nobody relay-ctrl-age
is "$RC" 111 "cannot remove: exit 111"
has "$ERR" 'warning: unable to remove 192\.0\.2\.30 from the spool: Permission denied' "cannot remove: warning with the name"
chmod 777 "$SPOOL"

# Many entries: half stale, one pass.
mkspool
python3 - "$SPOOL" <<'PY'
import os, sys, time
d = sys.argv[1]; now = time.time()
for i in range(20000):
    p = os.path.join(d, "10.%d.%d.%d" % (i >> 16, (i >> 8) & 255, i & 255))
    open(p, "w").close()
    if i % 2: os.utime(p, (now - 5000, now - 5000))
PY
start=$(date +%s%N)
agerun -v
ms=$(( ($(date +%s%N) - start) / 1000000 ))
has "$ERR" 'scanned 20000 entries: removed 10000, kept 10000' "20000 entries, half stale: right counts"
is "$(ls "$SPOOL" | wc -l)" 10000 "20000 entries: the fresh half kept (${ms} ms)"
