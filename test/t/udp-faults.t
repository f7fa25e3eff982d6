# Fault: a receiver killed mid-stream. relay-ctrl-udp takes a stream of
# authenticated logins (test/udp/stream.py, one at a time, noting each
# acknowledgment, and relay-ctrl-send run as a POP server runs it); it
# is killed with SIGKILL and restarted. Every login acknowledged before
# the kill is in the spool, the senders' retries reach the restarted
# receiver, the POP side never waits, and nothing is left in the spool
# that relay-ctrl-age does not clean up.
. "$RC_TOP/test/lib.sh"
plan 22
PORT=$(( 20000 + RANDOM % 12000 ))  # below the ephemeral range (32768-)
# until_n FILE N SECONDS: until FILE has N lines.
until_n () { local i; for ((i = 0; i < $3 * 50; i++)); do [ "$(file_lines "$1")" -ge "$2" ] && return 0; sleep 0.02; done; return 1; }
missing () { local a; while read -r a; do [ -f "$SPOOL/$a" ] || echo "$a"; done <"$1"; }

KEY=$T/key
head -c 32 /dev/urandom >"$KEY"; chmod 600 "$KEY"
mkspool
start_udp () { # LOG
  env -i PATH="$PATH_T" RELAY_CTRL_KEY="$KEY" RELAY_CTRL_DIR="$SPOOL" RELAY_CTRL_BIND=127.0.0.2 \
    RELAY_CTRL_PORT=$PORT RELAY_CTRL_SENDERS=127.0.0.1 RELAY_CTRL_LOG_IPS=1 relay-ctrl-udp 2>"$1" </dev/null >/dev/null &
  UDP_PID=$!
  cleanup "kill $UDP_PID 2>/dev/null"
  wait_log "$1" 'info: listening on' 5
}
ok "receiver started" start_udp "$T/r1.log"
R1=$UDP_PID

# The stream: up to 3000 logins 10.1.x.y, until STOP.
python3 "$TOP/test/udp/stream.py" 127.0.0.2 "$PORT" "$KEY" 10.1 3000 "$T/acked" "$T/STOP" >"$T/stream.out" 2>&1 &
STREAM=$!
cleanup "touch $T/STOP; kill $STREAM 2>/dev/null"

# The POP side: 60 logins 10.2.0.N, each relay-ctrl-send in front of a
# POP server (sh -c 'echo ran'), as fast as they come; how long each
# took (now_ms) goes to $T/took, one line per login.
NSEND=60
(
  for ((i = 1; i <= NSEND; i++)); do
    s=$(now_ms)
    out=$(env -i PATH="$PATH_T" TCPREMOTEIP="10.2.0.$i" USER=send RELAY_CTRL_KEY="$KEY" \
      RELAY_CTRL_REMOTES="127.0.0.2:$PORT" RELAY_CTRL_TRIES=15 RELAY_CTRL_TIMEOUT=1 \
      relay-ctrl-send sh -c 'echo ran' 2>>"$T/send.log" </dev/null)
    echo "$(( $(now_ms) - s )) $out" >>"$T/took"
    sleep 0.03
  done
) &
SENDER=$!
cleanup "kill $SENDER 2>/dev/null"

# Kill the receiver mid-stream: once 100 logins are acknowledged and 15
# sent by relay-ctrl-send.
ok "the stream is acknowledged before the kill" until_n "$T/acked" 100 10
ok "relay-ctrl-send logins are going on before the kill" until_n "$T/took" 15 10
kill -9 "$R1"
wait "$R1" 2>/dev/null
cp "$T/acked" "$T/acked.atkill"
down_at=$(file_lines "$T/took")
echo "# killed the receiver after $(file_lines "$T/acked.atkill") acknowledged stream logins and $down_at relay-ctrl-send logins"
is "$(missing "$T/acked.atkill")" "" "every login acknowledged before the kill is in the spool"

# Down while at least 8 more POP logins happen (and the stream goes on).
ok "POP logins go on while the receiver is down" until_n "$T/took" $((down_at + 8)) 10
up_at=$(file_lines "$T/took")
ok "receiver restarted" start_udp "$T/r2.log"
R2=$UDP_PID
ok "the restarted receiver acknowledges the stream" until_n "$T/acked" $(( $(file_lines "$T/acked.atkill") + 100 )) 10
touch "$T/STOP"
wait "$STREAM"
echo "# stream: $(cat "$T/stream.out")"
wait "$SENDER"

is "$(awk '$2 != "ran"' "$T/took")" "" "all $NSEND POP servers ran"
is "$(file_lines "$T/took")" "$NSEND" "all $NSEND logins done"
# Not waiting is shown by what happened, not by a time: a POP side that
# waited for the receiver (15 tries of 1 s) could finish no login while
# it was down; the times are only reported.
ok "the POP side never waited for the receiver: $((up_at - down_at)) logins finished while it was down" test $((up_at - down_at)) -ge 8
echo "# relay-ctrl-send in front of the POP server: longest $(sort -n "$T/took" | tail -n 1 | cut -d' ' -f1) ms, median $(sort -n "$T/took" | sed -n "$((NSEND / 2))p" | cut -d' ' -f1) ms"

# Every relay-ctrl-send login lands, within the retry window (15 x 1 s).
all=1
for ((i = 0; i < 15 * 50; i++)); do
  all=1
  for ((j = 1; j <= NSEND; j++)); do [ -f "$SPOOL/10.2.0.$j" ] || { all=; break; }; done
  [ -n "$all" ] && break
  sleep 0.02
done
ok "every relay-ctrl-send login is in the spool" test -n "$all"
retried=
for ((j = down_at + 1; j <= up_at; j++)); do
  grep -qE "info: recorded login from 10\.2\.0\.$j sent by " "$T/r2.log" || retried+="10.2.0.$j "
done
is "$retried" "" "the logins made while it was down were retried to the restarted receiver"
echo "# $((up_at - down_at)) logins made while the receiver was down; $(grep -c 'recorded login from 10\.2\.' "$T/r2.log") relay-ctrl-send logins recorded by the restarted receiver"
sleep 0.3
hasnt "$(cat "$T/send.log")" "no answer|warning|fatal|Sanitizer|runtime error" "no sender gave up or complained"
is "$(missing "$T/acked")" "" "every login acknowledged, before or after the restart, is in the spool"

# The spool: whole entries only; temporaries are relay-ctrl-age's.
bad=
for f in "$SPOOL"/*; do
  case $(od -An -c "$f" | tr -d ' \n') in 'USER=stream\0'|'USER=send\0') ;; *) bad+="${f##*/} " ;; esac
done
is "$bad" "" "every entry is whole (USER=stream or USER=send)"
entries=$(ls "$SPOOL" | wc -l)
is "$(ls -A "$SPOOL" | grep '^\.' | grep -v '^\.tmp\.' | grep -vx '\.udp-floor')" "" "no other file left behind than temporaries"
echo "# temporaries left by the killed receiver: $(ls -A "$SPOOL" | grep -c '^\.tmp\.')"
# What a kill between openat and renameat leaves: plant one if this
# kill did not, named as the killed receiver would have named it.
ls -A "$SPOOL" | grep -q '^\.tmp\.' || printf 'USER=str' >"$SPOOL/.tmp.$R1.$(date +%s).123456789"
for f in "$SPOOL"/.tmp.*; do age "$f" 1000; done
run RELAY_CTRL_DIR="$SPOOL" -- relay-ctrl-age -v
is "$RC" 0 "relay-ctrl-age exits 0"
has "$ERR" 'info: removed \.tmp\.[0-9]+\.[0-9]+\.[0-9]+: temporary file' "relay-ctrl-age reports the temporary files it removes"
is "$(ls -A "$SPOOL" | grep '^\.' | grep -vx '\.udp-floor')" "" "relay-ctrl-age removed them (the receiver's .udp-floor stays)"
is "$(ls "$SPOOL" | wc -l)" "$entries" "and kept every login"

ok "the restarted receiver is still running" kill -0 "$R2"
# Only refusals of packets dated before the restart are expected (a
# packet built just before the new receiver's start): it cannot know
# whether they are replays; their senders retry.
hasnt "$(grep -v 'timestamp older than what the replay cache covers' "$T/r1.log" "$T/r2.log")" "warning|fatal|Sanitizer|runtime error" "no receiver warning or sanitizer report"
