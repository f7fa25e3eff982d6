# RELAY_CTRL_REFRESH: a long session keeps its entry fresh, and the
# refresher ends with the session.
. "$RC_TOP/test/lib.sh"
plan 25
mkspool
A=192.0.2.1
refreshers () { pgrep -f "^$BIN/relay-ctrl-allow" | grep -vx "$1" | wc -l; }

# A session of 4 s with a refresh every second.
env -i PATH="$PATH_T" RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP=$A USER=joe RELAY_CTRL_REFRESH=1 \
  "$BIN/relay-ctrl-allow" sh -c 'echo $$ > "$0"; sleep 4' "$T/pid" 2>"$T/err" &
session=$!
sleep 0.5
is "$(cat "$T/pid")" "$session" "the session keeps relay-ctrl-allow's pid (what tcpserver waits for)"
is "$(refreshers "$session")" 1 "one refresher runs beside the session"
r=$(pgrep -f "^$BIN/relay-ctrl-allow" | grep -vx "$session" | head -n 1)
is "$(readlink "/proc/$r/fd/0") $(readlink "/proc/$r/fd/1")" "/dev/null /dev/null" "the refresher does not hold the client's connection"
is "$(ls "/proc/$r/fd" | wc -l)" 4 "it holds only /dev/null, stderr and the spool"
age "$SPOOL/$A" 600
sleep 1.6
ok "the entry is refreshed during the session" test $(( $(date +%s) - $(mtime "$SPOOL/$A") )) -le 2
wait "$session"
sleep 1.5
is "$(refreshers "$session")" 0 "the refresher ends with the session"
age "$SPOOL/$A" 600; sleep 1.5
ok "no refresh after the session ended" test $(( $(date +%s) - $(mtime "$SPOOL/$A") )) -ge 590
is "$(cat "$T/err")" "" "no log line"

# Revoked during the session: not brought back.
env -i PATH="$PATH_T" RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP=$A RELAY_CTRL_REFRESH=1 \
  "$BIN/relay-ctrl-allow" sleep 3 2>"$T/err" &
session=$!
sleep 0.3; rm -f "$SPOOL/$A"; sleep 1.5
ok "an entry removed (revoked) during the session stays removed" test ! -e "$SPOOL/$A"
has "$(cat "$T/err")" "relay-ctrl-allow\[$session\]: info: stopped refreshing $A: its entry was removed" "and the refresher says so, with the session's pid"
is "$(refreshers "$session")" 0 "and exits"
wait "$session"

# Settings.
run RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP=$A RELAY_CTRL_REFRESH=soon -- relay-ctrl-allow true
has "$ERR" "warning: not refreshing $A: RELAY_CTRL_REFRESH=soon is not a number of seconds" "junk RELAY_CTRL_REFRESH: warning, no refresher"
run RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP=$A RELAY_CTRL_REFRESH=0 -- relay-ctrl-allow true
is "$ERR" "" "RELAY_CTRL_REFRESH=0: off, silently"
run RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP=$A RELAY_CTRL_REFRESH=120 RELAY_CTRL_EXPIRY=90 -- relay-ctrl-allow true
has "$ERR" "warning: RELAY_CTRL_REFRESH=120 is not shorter than the expiry: $A may expire between refreshes" "refresh not shorter than the expiry: warning"
sleep 0.2
is "$(pgrep -fc "^$BIN/relay-ctrl-allow")" 0 "no stray refresher after short sessions"

# Run as the mail user, the refresher's descriptors are out of that
# user's reach (not dumpable), so they cannot create entries through it.
mkspool
env -i PATH="$PATH_T" RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP=$A RELAY_CTRL_REFRESH=1 \
  "$BIN/relay-ctrl-chdir" setuidgid nobody "$BIN/relay-ctrl-allow" sleep 3 2>/dev/null &
session=$!
sleep 0.5
r=$(pgrep -f "^$BIN/relay-ctrl-allow" | head -n 1)
ok "a refresher runs as the mail user" test -n "$r" -a "$(stat -c %U "/proc/$r" 2>/dev/null)" != ""
run -- setuidgid nobody sh -c "ls /proc/$r/fd"
notok "the mail user cannot list the refresher's descriptors" test "$RC" = 0
run -- setuidgid nobody sh -c "for f in /proc/$r/fd/*; do touch \$f/203.0.113.66; done"
ok "nor create an entry through them" test ! -e "$SPOOL/203.0.113.66"
wait

# Issue 10, finding 10: the client leaves and its POP server is stopped
# (SIGSTOP by the user); the refresher stops when the connection ends.
mkspool
PP=$(( 20000 + RANDOM % 5000 ))
env -i PATH="$PATH_T" RELAY_CTRL_DIR="$SPOOL" RELAY_CTRL_REFRESH=1 USER=joe \
  tcpserver -H -R -l localhost 127.0.0.1 "$PP" "$BIN/relay-ctrl-allow" sh -c 'echo $$ >"$0"; kill -STOP $$; sleep 60' "$T/spid" 2>"$T/err" &
tsp=$!
cleanup "kill $tsp 2>/dev/null"
python3 - "$PP" "$T/spid" <<'PY'
import os, socket, sys, time
for _ in range(50):
    try: c = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); break
    except OSError: time.sleep(0.1)
for _ in range(100):
    if os.path.exists(sys.argv[2]) and open(sys.argv[2]).read().strip(): break
    time.sleep(0.05)
time.sleep(1.5)
c.close()
PY
spid=$(cat "$T/spid")
is "$(sed 's/.*) \(.\).*/\1/' "/proc/$spid/stat" 2>/dev/null)" T "the POP session is stopped"
sleep 1.5
has "$(cat "$T/err")" "info: stopped refreshing 127\.0\.0\.1: the client's connection ended" "client gone, session stopped: the refresher says it stops"
is "$(refreshers "$spid")" 0 "and exits"
age "$SPOOL/127.0.0.1" 600; sleep 1.5
ok "the entry is no longer refreshed" test $(( $(date +%s) - $(mtime "$SPOOL/127.0.0.1") )) -ge 590
kill -KILL "$spid" 2>/dev/null; kill $tsp 2>/dev/null; wait $tsp 2>/dev/null

# The cap: RELAY_CTRL_REFRESH_MAX seconds at most, whatever the session.
env -i PATH="$PATH_T" RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP=$A RELAY_CTRL_REFRESH=1 RELAY_CTRL_REFRESH_MAX=1 \
  "$BIN/relay-ctrl-allow" sleep 4 2>"$T/err" &
session=$!
sleep 3
has "$(cat "$T/err")" "info: stopped refreshing $A: RELAY_CTRL_REFRESH_MAX reached" "RELAY_CTRL_REFRESH_MAX: refreshing stops at the cap"
is "$(refreshers "$session")" 0 "and the refresher exits while the session goes on"
wait "$session"
run RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP=$A RELAY_CTRL_REFRESH=1 RELAY_CTRL_REFRESH_MAX=x -- relay-ctrl-allow true
has "$ERR" "warning: RELAY_CTRL_REFRESH_MAX=x is not a positive number of seconds, using 86400" "junk RELAY_CTRL_REFRESH_MAX: warning, default"
