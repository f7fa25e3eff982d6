# relay-ctrl-send and relay-ctrl-udp: real UDP on loopback between two
# "hosts" (separate spools, receivers on 127.0.0.2, 127.0.0.3, ::1).
. "$RC_TOP/test/lib.sh"
plan 193
PY="python3 $TOP/test/udp/packet.py"
BASE=$(( 20000 + RANDOM % 12000 ))  # below the ephemeral range (32768-)
PB=$BASE PL=$((BASE + 1)) P6=$((BASE + 2)) PLEG=$((BASE + 3)) PFAKE=$((BASE + 4)) PDEAD=$((BASE + 5)) PROT=$((BASE + 6))

newkey () { head -c 32 /dev/urandom > "$1"; chmod 600 "$1"; }
listing () { ls -A "$1" | tr '\n' ' '; }
# waitfor FILE [SECONDS]: until FILE exists.
waitfor () { local i; for ((i = 0; i < ${2:-3} * 50; i++)); do [ -e "$1" ] && return 0; sleep 0.02; done; return 1; }
# start_udp LOG VAR=value...: a receiver in the background until the end.
start_udp () {
  local log=$1; shift
  env -i PATH="$PATH_T" "$@" relay-ctrl-udp 2>"$log" </dev/null >/dev/null &
  local pid=$!
  cleanup "kill $pid 2>/dev/null"
  wait_log "$log" 'info: listening on' 3 || { echo "# receiver did not start:"; sed 's/^/#   /' "$log"; }
  UDP_PID=$pid
}
# send LOG VAR=value... -- PROG...: relay-ctrl-send with its own log.
send () {
  local log=$1; shift
  local envs=()
  while [ "$1" != -- ]; do envs+=("$1"); shift; done
  shift
  env -i PATH="$PATH_T" "${envs[@]}" relay-ctrl-send "$@" 2>"$log" </dev/null
}

KEY=$T/key KEY2=$T/key2 OLD=$T/oldkey
newkey "$KEY"; newkey "$KEY2"; newkey "$OLD"
newspool a; newspool b; newspool c; newspool d; newspool e
A=$T/a/allow B=$T/b/allow

# Host B's receiver, authenticated, senders restricted to loopback.
start_udp "$T/b.log" RELAY_CTRL_KEY="$KEY" RELAY_CTRL_DIR="$B" RELAY_CTRL_BIND=127.0.0.2 \
  RELAY_CTRL_PORT=$PB RELAY_CTRL_SENDERS=127.0.0.1,::1 RELAY_CTRL_LOG_IPS=1
B_PID=$UDP_PID
has "$(cat "$T/b.log")" "^relay-ctrl-udp\[[0-9]+\]: info: listening on 127\.0\.0\.2 port $PB, authenticated$" "receiver logs where it listens"

# A login on host A, through the whole privileged chain; the POP server
# runs as nobody and must get neither the key nor its descriptor.
start=$(now_ms)
env -i PATH="$PATH_T" RELAY_CTRL_DIR="$A" RELAY_CTRL_KEY="$KEY" RELAY_CTRL_REMOTES="127.0.0.2:$PB" \
  TCPREMOTEIP=192.0.2.5 USER=joe DOMAIN=example.org \
  relay-ctrl-keyfd relay-ctrl-chdir setuidgid nobody relay-ctrl-allow relay-ctrl-send \
  sh -c 'echo "${RELAY_CTRL_KEY_FD-nokeyfd}"; for f in /proc/$$/fd/*; do readlink "$f"; done' >"$T/pop.out" 2>"$T/pop.err" </dev/null
if waitfor "$B/192.0.2.5" 3; then delay=$(( $(now_ms) - start )); pass "login on A recorded in B's spool"; else delay=none; failed "login on A recorded in B's spool" "$(cat "$T/pop.err" "$T/b.log")"; fi
echo "# delay from the login on A to the entry on B: $delay ms (includes process start-up of the chain)"
ok "and locally on A by relay-ctrl-allow" test -f "$A/192.0.2.5"
is "$(sed -n 1p "$T/pop.out")" nokeyfd "the POP server does not get RELAY_CTRL_KEY_FD"
hasnt "$(cat "$T/pop.out")" "$KEY" "the POP server does not hold the key file open"
is "$(od -An -c "$B/192.0.2.5" | tr -s ' \n' ' ')" ' U S E R = j o e \0 D O M A I N = e x a m p l e . o r g \0 ' "USER and DOMAIN carried to B"
run RELAY_CTRL_DIR="$B" TCPREMOTEIP=192.0.2.5 -- relay-ctrl-check sh -c 'echo "${RELAYCLIENT+relay}:$USER@$DOMAIN"'
is "$OUT" "relay:joe@example.org" "relay-ctrl-check on B relays for the client"
run RELAY_CTRL_DIR="$A" TCPREMOTEIP=192.0.2.5 -- relay-ctrl-check sh -c 'echo "${RELAYCLIENT+relay}"'
is "$OUT" relay "relay-ctrl-check on A relays too"
has "$(cat "$T/b.log")" "info: recorded login from 192\.0\.2\.5 sent by 127\.0\.0\.1:[0-9]+" "receiver logs the login and its sender"
sleep 0.2
is "$(cat "$T/pop.err")" "" "the sender logs nothing when every remote answered"

# Courier: no AUTHENTICATED, nothing sent.
send "$T/s.log" TCPREMOTEIP=192.0.2.6 AUTHUSER=x AUTHARGV0=imapd RELAY_CTRL_KEY="$KEY" RELAY_CTRL_REMOTES="127.0.0.2:$PB" -- true
sleep 0.3
ok "Courier login without AUTHENTICATED: nothing sent" test ! -e "$B/192.0.2.6"

# Dovecot's post-login scripts set IP, not TCPREMOTEIP (issue 12).
send "$T/dovecot.log" IP=192.0.2.65 USER=dove RELAY_CTRL_KEY="$KEY" RELAY_CTRL_REMOTES="127.0.0.2:$PB" -- true
ok "only IP set (Dovecot): the login is sent" waitfor "$B/192.0.2.65" 3
hasnt "$(cat "$T/dovecot.log")" "TCPREMOTEIP" "only IP set: no complaint about TCPREMOTEIP"
send "$T/noip.log" RELAY_CTRL_KEY="$KEY" RELAY_CTRL_REMOTES="127.0.0.2:$PB" -- true
has "$(cat "$T/noip.log")" '^relay-ctrl-send\[[0-9]+\]: warning: not sending login: neither TCPREMOTEIP nor IP is set$' "neither TCPREMOTEIP nor IP: a warning saying so"
is "$(wc -l <"$T/noip.log")" 1 "neither TCPREMOTEIP nor IP: exactly one line"


# A dead remote does not delay the POP server, and does not hold its
# connection (stdout) open: the capture ends before the sender gives up.
start=$(now_ms)
out=$(send "$T/dead.log" TCPREMOTEIP=192.0.2.8 RELAY_CTRL_KEY="$KEY" RELAY_CTRL_REMOTES="127.0.0.2:$PDEAD" RELAY_CTRL_TRIES=2 RELAY_CTRL_TIMEOUT=1 -- sh -c 'echo ran')
took=$(( $(now_ms) - start ))
is "$out" ran "dead remote: the POP server runs"
echo "# POP server finished after $took ms with a dead remote (sender gives up after 2 s)"
hasnt "$(cat "$T/dead.log")" "no answer" "the POP session ended before the sender gave up"
ok "the sender gives up on the dead remote in the background" wait_log "$T/dead.log" "warning: login from 192\.0\.2\.8 not recorded on 127\.0\.0\.2:$PDEAD: no answer after 2 tries" 4

# A receiver started late gets one of the retries.
send "$T/late.log" TCPREMOTEIP=192.0.2.9 RELAY_CTRL_KEY="$KEY" RELAY_CTRL_REMOTES="127.0.0.3:$PL" RELAY_CTRL_TRIES=5 RELAY_CTRL_TIMEOUT=1 -- true
sleep 1.3
start_udp "$T/c.log" RELAY_CTRL_KEY="$KEY" RELAY_CTRL_DIR="$T/c/allow" RELAY_CTRL_BIND=127.0.0.3 RELAY_CTRL_PORT=$PL
ok "receiver started 1.3 s late: a retry delivers" waitfor "$T/c/allow/192.0.2.9" 3
sleep 0.3
hasnt "$(cat "$T/late.log")" "no answer" "and the sender saw the answer"
ans=$($PY send 127.0.0.3 $PL "$KEY" now-3 192.0.2.10 --wait 0.3)
is "$ans" none "a restarted receiver refuses requests dated before its start (it cannot know whether they are replays)"
has "$(cat "$T/c.log")" "warning: ignored packet from 127\.0\.0\.1:[0-9]+: timestamp older than what the replay cache covers" "and says so"
ok "nothing written" test ! -e "$T/c/allow/192.0.2.10"

# Rejections: each one line naming the sender and the reason, nothing written.
before=$(listing "$B")
reject () {
  local what=$1 why=$2; shift 2
  : > "$T/b.log.mark"; local lines=$(wc -l < "$T/b.log")
  local got; got=$("$@")
  is "$got" none "$what: no answer"
  wait_log "$T/b.log" "$why" 1 >/dev/null
  local new; new=$(tail -n +$((lines + 1)) "$T/b.log")
  has "$new" "^relay-ctrl-udp\[[0-9]+\]: warning: ignored packet from (127\.0\.0\.[0-9]+|\[::1\]):[0-9]+: $why" "$what: logged with sender and reason"
  is "$(wc -l <<<"$new")" 1 "$what: exactly one log line"
  is "$(listing "$B")" "$before" "$what: nothing written"
}
W="--wait 0.3"
reject "wrong key" "bad MAC" $PY send 127.0.0.2 $PB "$KEY2" now 192.0.2.20 $W
reject "no MAC" "no MAC" $PY send 127.0.0.2 $PB --raw "$($PY body "$KEY" now 192.0.2.20 --to 127.0.0.2:$PB)00" $W
good=$($PY hex "$KEY" now 192.0.2.20 --to 127.0.0.2:$PB USER=x)
reject "altered address" "bad MAC" $PY send 127.0.0.2 $PB --raw "${good/c0000214/c0000215}" $W
reject "truncated packet" "truncated item" $PY send 127.0.0.2 $PB --raw "${good:0:$(( ${#good} - 20 ))}" $W
reject "no end marker" "truncated packet: no end marker" $PY send 127.0.0.2 $PB --raw "${good:0:$(( ${#good} - 2 ))}" $W
reject "bytes after the end" "bytes after the end marker" $PY send 127.0.0.2 $PB --raw "${good}00" $W
reject "oversized packet" "oversized packet" $PY send 127.0.0.2 $PB --raw "01$(printf '0%.0s' {1..1200})" $W
reject "unknown version" "unknown packet version" $PY send 127.0.0.2 $PB --raw "02${good:2}" $W
reject "unknown item type" "unknown item type" $PY send 127.0.0.2 $PB --raw "010100090000" $W
reject "empty datagram" "empty packet" $PY send 127.0.0.2 $PB --raw "" $W
reject "timestamp too old" "timestamp too old" $PY send 127.0.0.2 $PB "$KEY" now-100 192.0.2.20 $W
reject "timestamp in the future" "timestamp in the future" $PY send 127.0.0.2 $PB "$KEY" now+100 192.0.2.20 $W
reject "malformed timestamp" "malformed timestamp" $PY send 127.0.0.2 $PB "$KEY" 12x4 192.0.2.20 $W
reject "forbidden variable PATH" "variable not accepted: PATH" $PY send 127.0.0.2 $PB "$KEY" now 192.0.2.20 PATH=/tmp $W
reject "forbidden variable RELAYCLIENT" "variable not accepted: RELAYCLIENT" $PY send 127.0.0.2 $PB "$KEY" now 192.0.2.20 USER=x RELAYCLIENT=@evil $W
reject "control characters in a value" "variable not accepted: control characters in value" $PY send 127.0.0.2 $PB "$KEY" now 192.0.2.20 "$(printf 'USER=a\tb')" $W
reject "unauthenticated datagram" "unauthenticated datagram, and RELAY_CTRL_LEGACY is not set" $PY send 127.0.0.2 $PB --raw "$(printf 192.0.2.20 | od -An -tx1 | tr -d ' \n')" $W
reject "sender not allowed" "sender not in RELAY_CTRL_SENDERS" env RC_FROM=127.0.0.9 $PY send 127.0.0.2 $PB "$KEY" now 192.0.2.20 $W
resp=$($PY send 127.0.0.2 $PB "$KEY" now 192.0.2.21)
rm -f "$B/192.0.2.21"
reject "a response sent as a request" "a response, not a request" $PY send 127.0.0.2 $PB --raw "$resp" $W

# The receiver stamps the entry with its own clock (B started over 5 s ago).
ans=$($PY send 127.0.0.2 $PB "$KEY" now-5 192.0.2.7 USER=ann)
is "$($PY answer "$KEY" "$ans")" "response mac-ok" "a valid request is answered with a signed response"
ok "a request 5 s old is recorded" test -f "$B/192.0.2.7"
ok "with the receiver's time, not the sender's" test $(( $(date +%s) - $(mtime "$B/192.0.2.7" 2>/dev/null || echo 0) )) -le 2
rm -f "$B/192.0.2.7"

# Replay: a captured valid packet, sent again after the entry is gone.
captured=$($PY hex "$KEY" now 192.0.2.22 --to 127.0.0.2:$PB USER=joe)
ans=$($PY send 127.0.0.2 $PB --raw "$captured")
ok "the captured packet was accepted the first time" test -f "$B/192.0.2.22"
rm -f "$B/192.0.2.22"
reject "replay of a captured packet" "replay of a packet already accepted" $PY send 127.0.0.2 $PB --raw "$captured" $W
ok "the receiver survived all of it" kill -0 "$B_PID"
ans=$($PY send 127.0.0.2 $PB "$KEY" now 192.0.2.23)
ok "and still records good packets" test -f "$B/192.0.2.23"
rm -f "$B/192.0.2.23"

# The replay cache's index once the cache is full and its oldest
# entries are being replaced: 4500 distinct requests are all accepted,
# and a packet accepted among the last 4096 is still refused.
# (A loaded machine may answer late, never wrongly: up to 5 s for each.)
python3 "$TOP/test/udp/stream.py" 127.0.0.2 $PB "$KEY" 10.9 4500 "$T/full.acked" "$T/full.stop" 5 >"$T/full.out" 2>&1
is "$(cat "$T/full.out")" "sent 4500 acked 4500" "4500 distinct requests: all accepted (the full cache refuses no new one)"
captured=$($PY hex "$KEY" now 192.0.2.24 --to 127.0.0.2:$PB USER=joe)
ans=$($PY send 127.0.0.2 $PB --raw "$captured")
ok "a request after those accepted" test -f "$B/192.0.2.24"
python3 "$TOP/test/udp/stream.py" 127.0.0.2 $PB "$KEY" 10.10 300 "$T/full2.acked" "$T/full.stop" >"$T/full.out" 2>&1
rm -f "$B/192.0.2.24" "$B"/10.9.* "$B"/10.10.*
reject "replay after 300 more, with the oldest entries of the full cache replaced" "replay of a packet already accepted" $PY send 127.0.0.2 $PB --raw "$captured" $W

# Key rotation: the receiver takes the new key and the old one.
start_udp "$T/rot.log" RELAY_CTRL_KEY="$KEY" RELAY_CTRL_KEY_OLD="$OLD" RELAY_CTRL_DIR="$T/e/allow" RELAY_CTRL_BIND=127.0.0.3 RELAY_CTRL_PORT=$PROT
ans=$($PY send 127.0.0.3 $PROT "$OLD" now 192.0.2.30)
is "$($PY answer "$OLD" "$ans")" "response mac-ok" "rotation: a request signed with the old key is answered with the old key"
ok "rotation: old key accepted" test -f "$T/e/allow/192.0.2.30"
ans=$($PY send 127.0.0.3 $PROT "$KEY" now 192.0.2.31)
ok "rotation: new key accepted" test -f "$T/e/allow/192.0.2.31"
ans=$($PY send 127.0.0.3 $PROT "$KEY2" now 192.0.2.32 --wait 0.3)
is "$ans" none "rotation: any other key refused"

# IPv6 transport and IPv6 client addresses.
start_udp "$T/d.log" RELAY_CTRL_KEY="$KEY" RELAY_CTRL_DIR="$T/d/allow" RELAY_CTRL_BIND=::1 RELAY_CTRL_PORT=$P6 RELAY_CTRL_SENDERS=::1/128
has "$(cat "$T/d.log")" "listening on ::1 port $P6" "receiver bound to ::1"
send "$T/s6.log" TCPREMOTEIP=2001:DB8::7 USER=v6 RELAY_CTRL_KEY="$KEY" RELAY_CTRL_REMOTES="[::1]:$P6" -- true
ok "IPv6 client over IPv6 transport recorded under its canonical name" waitfor "$T/d/allow/2001:db8::7" 3
send "$T/s6.log" TCPREMOTEIP=::ffff:192.0.2.40 RELAY_CTRL_KEY="$KEY" RELAY_CTRL_REMOTES="[::1]:$P6" -- true
ok "IPv4-mapped client recorded as IPv4" waitfor "$T/d/allow/192.0.2.40" 3
send "$T/s6b.log" TCPREMOTEIP=2001:db8::8 RELAY_CTRL_KEY="$KEY" RELAY_CTRL_PORT=$PB RELAY_CTRL_REMOTES="127.0.0.2" -- true
ok "IPv6 client over IPv4 transport, remote port from RELAY_CTRL_PORT" waitfor "$B/2001:db8::8" 3
run RELAY_CTRL_DIR="$T/d/allow" TCPREMOTEIP=2001:db8:0::7 -- relay-ctrl-check sh -c 'echo "${RELAYCLIENT+relay}:$USER"'
is "$OUT" relay:v6 "relay-ctrl-check relays for the IPv6 client"
send "$T/zone.log" TCPREMOTEIP=fe80::1%lo RELAY_CTRL_KEY="$KEY" RELAY_CTRL_REMOTES="[::1]:$P6" -- true
has "$(cat "$T/zone.log")" "not sending login from fe80::1%lo: an address with a zone means nothing on other hosts" "a zoned address is not sent"

# Legacy (relay-ctrl 3.2) interop, both directions.
start_udp "$T/leg.log" RELAY_CTRL_LEGACY=1 RELAY_CTRL_SENDERS=127.0.0.1 RELAY_CTRL_DIR="$T/c/allow" RELAY_CTRL_BIND=127.0.0.3 RELAY_CTRL_PORT=$PLEG
has "$(cat "$T/leg.log")" "listening on 127\.0\.0\.3 port $PLEG, legacy only" "legacy receiver says so"
ans=$($PY send 127.0.0.3 $PLEG --raw "$(printf 192.0.2.50 | od -An -tx1 | tr -d ' \n')")
is "$ans" 00 "a 3.2 sender's bare address gets a 1-byte answer"
ok "and is recorded" test -f "$T/c/allow/192.0.2.50"
send "$T/leg-send.log" TCPREMOTEIP=192.0.2.51 RELAY_CTRL_REMOTES="127.0.0.3:$PLEG" RELAY_CTRL_TRIES=2 -- true
ok "our sender without a key talks to our legacy receiver" waitfor "$T/c/allow/192.0.2.51" 3
ans=$($PY send 127.0.0.3 $PLEG "$KEY" now 192.0.2.52 --wait 0.3)
is "$ans" none "the legacy-only receiver refuses authenticated packets"
$PY legacy-receiver 127.0.0.3 $PFAKE "$T/fake.out" 2>/dev/null & FAKE=$!
cleanup "kill $FAKE 2>/dev/null"
waitfor "$T/fake.out" 3
send "$T/fake.log" TCPREMOTEIP=192.0.2.53 USER=joe RELAY_CTRL_REMOTES="127.0.0.3:$PFAKE" RELAY_CTRL_TRIES=3 -- true
sleep 0.4
is "$(cat "$T/fake.out")" "$(printf 192.0.2.53 | od -An -tx1 | tr -d ' \n')" "to a 3.2 receiver: one bare address datagram, no terminator"
hasnt "$(cat "$T/fake.log")" "no answer" "and its 1-byte answer is taken"

# Configuration errors: 100, with a clear message.
chmod 644 "$KEY2"
run RELAY_CTRL_KEY="$KEY2" RELAY_CTRL_DIR="$B" RELAY_CTRL_PORT=$PDEAD -- relay-ctrl-udp
is "$RC" 100 "key readable by others: exit 100"
has "$ERR" "warning: refusing key .*key2: it is accessible to group or others \(mode 0644\): chmod 600 it" "and says why"
cp "$KEY" "$T/key3"; chown nobody "$T/key3"
run RELAY_CTRL_KEY="$T/key3" RELAY_CTRL_DIR="$B" RELAY_CTRL_PORT=$PDEAD -- relay-ctrl-udp
is "$RC" 100 "key owned by another user: exit 100"
has "$ERR" "warning: refusing key .*key3: it belongs to uid [0-9]+, not to root: chown root it" "and says why"
run RELAY_CTRL_DIR="$B" RELAY_CTRL_PORT=$PDEAD -- relay-ctrl-udp
is "$RC" 100 "no key and no RELAY_CTRL_LEGACY: exit 100"
has "$ERR" "fatal: no key configured" "and says so"
run RELAY_CTRL_LEGACY=1 RELAY_CTRL_DIR="$B" RELAY_CTRL_PORT=$PDEAD -- relay-ctrl-udp
is "$RC:$(grep -c 'RELAY_CTRL_LEGACY needs RELAY_CTRL_SENDERS' <<<"$ERR")" 100:1 "legacy without RELAY_CTRL_SENDERS: exit 100"
run RELAY_CTRL_KEY="$KEY" RELAY_CTRL_DIR="$B" RELAY_CTRL_SENDERS=10.0.0.0/33 -- relay-ctrl-udp
is "$RC" 100 "bad network in RELAY_CTRL_SENDERS: exit 100"
run RELAY_CTRL_KEY="$KEY" RELAY_CTRL_DIR="$B" RELAY_CTRL_BIND=nowhere -- relay-ctrl-udp
is "$RC" 100 "bad RELAY_CTRL_BIND: exit 100"
run RELAY_CTRL_KEY="$KEY" RELAY_CTRL_DIR="$B" RELAY_CTRL_PORT=70000 -- relay-ctrl-udp
is "$RC" 100 "bad RELAY_CTRL_PORT: exit 100"
run RELAY_CTRL_KEY="$KEY" RELAY_CTRL_DIR="$T/missing" -- relay-ctrl-udp
is "$RC" 100 "missing spool: exit 100 (bad configuration)"
has "$ERR" "fatal: no spool" "and says so"
run RELAY_CTRL_KEY="$KEY" RELAY_CTRL_DIR_FD=0 -- relay-ctrl-udp
is "$RC:$(grep -c 'fatal: the spool is not a directory' <<<"$ERR")" 100:1 "spool fd on /dev/null, not a directory: exit 100"
run RELAY_CTRL_KEY="$KEY" RELAY_CTRL_DIR="$B" RELAY_CTRL_BIND=127.0.0.2 RELAY_CTRL_PORT=$PB -- relay-ctrl-udp
is "$RC" 111 "port in use: exit 111"
has "$ERR" "fatal: unable to bind to 127\.0\.0\.2 port $PB: " "and says where"
run -- relay-ctrl-udp x
is "$RC" 100 "an argument: usage, exit 100"

# relay-ctrl-keyfd and the sender's key handling.
run RELAY_CTRL_KEY="$KEY" -- relay-ctrl-keyfd sh -c 'echo "$RELAY_CTRL_KEY_FD"; readlink /proc/$$/fd/$RELAY_CTRL_KEY_FD'
has "$OUT" "^[0-9]+
$KEY$" "relay-ctrl-keyfd passes an open descriptor on the key"
run RELAY_CTRL_KEY="$KEY2" -- relay-ctrl-keyfd sh -c 'echo "${RELAY_CTRL_KEY_FD-unset}"'
is "$OUT" unset "relay-ctrl-keyfd passes no key readable by others"
has "$ERR" "refusing key .*key2" "and says why"
run -- relay-ctrl-keyfd
is "$RC" 100 "relay-ctrl-keyfd without a program: 100"
send "$T/k.log" TCPREMOTEIP=192.0.2.60 RELAY_CTRL_KEY="$KEY2" RELAY_CTRL_REMOTES="127.0.0.2:$PB" -- sh -c 'echo ran' > "$T/k.out"
is "$(cat "$T/k.out")" ran "sender with an unusable key: the POP server runs"
has "$(cat "$T/k.log")" "not sending login from 192\.0\.2\.60: no usable key" "and nothing is sent, not even unauthenticated"
send "$T/k.log" RELAY_CTRL_REMOTES="127.0.0.2:$PB" -- sh -c 'echo ran' > "$T/k.out"
is "$(cat "$T/k.out")" ran "sender without TCPREMOTEIP: the POP server runs"
send "$T/k.log" TCPREMOTEIP=192.0.2.61 RELAY_CTRL_KEY="$KEY" RELAY_CTRL_REMOTES="junk,127.0.0.2:0,[::1,127.0.0.2:$PB" RELAY_CTRL_TRIES=x -- sh -c 'echo ran' > "$T/k.out"
is "$(cat "$T/k.out")" ran "sender with junk remotes: the POP server runs"
has "$(cat "$T/k.log")" "ignoring remote junk in RELAY_CTRL_REMOTES" "junk remote: warning"
ok "junk RELAY_CTRL_TRIES: warning" wait_log "$T/k.log" "RELAY_CTRL_TRIES=x is not a number from 1 to 100: using the default" 2
ok "and the valid remote gets the login" waitfor "$B/192.0.2.61" 2
send "$T/k.log" -- true
is "$?" 0 "sender exit status is PROG's"
send "$T/k.log" --
is "$?" 100 "sender without a program: 100"
send "$T/k.log" -- /nonexistent
is "$?" 127 "sender, program not found: 127"

# Without relay-ctrl-allow, relay-ctrl-send records the login locally
# through relay-ctrl-chdir's descriptor, and hands it on to nobody.
env -i PATH="$PATH_T" RELAY_CTRL_DIR="$A" RELAY_CTRL_KEY="$KEY" RELAY_CTRL_REMOTES="127.0.0.2:$PB" TCPREMOTEIP=192.0.2.70 USER=loc \
  relay-ctrl-keyfd relay-ctrl-chdir relay-ctrl-send sh -c 'echo "${RELAY_CTRL_DIR_FD-unset}"; ls -l /proc/$$/fd/' >"$T/loc.out" 2>"$T/loc.log" </dev/null
ok "relay-ctrl-send records locally through RELAY_CTRL_DIR_FD" test -f "$A/192.0.2.70"
is "$(sed -n 1p "$T/loc.out")" unset "and does not pass RELAY_CTRL_DIR_FD on"
hasnt "$(cat "$T/loc.out")" "$A|$KEY" "the POP server holds neither the spool nor the key"
ok "and sends it too" waitfor "$B/192.0.2.70" 3
# Recording locally and sending read the records once: one warning for
# a bad value, not one per use (issue 12).
env -i PATH="$PATH_T" RELAY_CTRL_DIR="$A" RELAY_CTRL_KEY="$KEY" RELAY_CTRL_REMOTES="127.0.0.2:$PB" TCPREMOTEIP=192.0.2.71 USER=loc DOMAIN=$'ex\001ample' \
  relay-ctrl-keyfd relay-ctrl-chdir relay-ctrl-send true 2>"$T/twice.log" </dev/null
ok "a bad DOMAIN: the login is still sent" waitfor "$B/192.0.2.71" 3
sleep 0.2
is "$(grep -c 'not recording DOMAIN for 192\.0\.2\.71: it contains control characters' "$T/twice.log")" 1 "a bad DOMAIN: exactly one warning, for the local entry and the packet"

sleep 0.3
hasnt "$(cat "$T"/*.log)" "Sanitizer|runtime error" "no sanitizer report from any receiver or sender"

# The background sender holds the key as the mail user: not dumpable, so
# that user cannot read its memory or environment through /proc.
env -i PATH="$PATH_T" TCPREMOTEIP=192.0.2.80 RELAY_CTRL_KEY="$KEY" RELAY_CTRL_REMOTES="127.0.0.2:$PDEAD" RELAY_CTRL_TRIES=2 \
  relay-ctrl-keyfd setuidgid nobody relay-ctrl-send true 2>"$T/dump.log" </dev/null
sleep 0.2
bg=$(pgrep -n -u nobody -x relay-ctrl-send)
if [ -n "$bg" ]; then
  cleanup "kill $bg 2>/dev/null"
  notok "the mail user cannot read the background sender's memory" setuidgid nobody sh -c "cat /proc/$bg/environ >/dev/null 2>&1"
  setuidgid nobody sleep 2 & sl=$!; cleanup "kill $sl 2>/dev/null"; sleep 0.1
  ok "(while it can read its own ordinary processes')" setuidgid nobody sh -c "cat /proc/$sl/environ >/dev/null 2>&1"
else failed "background sender running as nobody found"; fi

# Issue 10, finding 7: a request dated 25 s ahead is accepted, the login
# revoked, the receiver restarted: the same datagram replayed is refused.
PRS=$((BASE + 7)) PCF=$((BASE + 8))
newspool f; F=$T/f/allow
udp_f () { start_udp "$T/f.log" RELAY_CTRL_KEY="$KEY" RELAY_CTRL_DIR="$F" RELAY_CTRL_BIND=127.0.0.3 RELAY_CTRL_PORT=$PRS; }
udp_f
ahead=$($PY hex "$KEY" now+25 192.0.2.60 --to 127.0.0.3:$PRS)
ans=$($PY send 127.0.0.3 $PRS --raw "$ahead")
ok "a request dated 25 s ahead is accepted (within the skew)" test -f "$F/192.0.2.60"
ok "the receiver keeps its replay floor in the spool" test -f "$F/.udp-floor"
env -i PATH="$PATH_T" RELAY_CTRL_DIR="$F" relay-ctrl-revoke 192.0.2.60 2>/dev/null
kill "$UDP_PID"; wait "$UDP_PID" 2>/dev/null
udp_f
sleep 2
ans=$($PY send 127.0.0.3 $PRS --raw "$ahead" --wait 0.3)
is "$ans" none "restarted, the receiver refuses the replay of that request"
ok "the revoked login stays revoked" test ! -e "$F/192.0.2.60"
has "$(cat "$T/f.log")" "timestamp older than what the replay cache covers" "and says why"
ans=$($PY send 127.0.0.3 $PRS "$KEY" now+27 192.0.2.61)
ok "a new request dated after it is accepted" test -f "$F/192.0.2.61"
kill "$UDP_PID"; wait "$UDP_PID" 2>/dev/null
# Without a future-dated request, a restart costs nothing: a login right
# after it is recorded (the floor is the last accepted time, rounded up).
newspool g; G=$T/g/allow
start_udp "$T/g.log" RELAY_CTRL_KEY="$KEY" RELAY_CTRL_DIR="$G" RELAY_CTRL_BIND=127.0.0.3 RELAY_CTRL_PORT=$PRS
ans=$($PY send 127.0.0.3 $PRS "$KEY" now 192.0.2.62)
kill "$UDP_PID"; wait "$UDP_PID" 2>/dev/null
start_udp "$T/g.log" RELAY_CTRL_KEY="$KEY" RELAY_CTRL_DIR="$G" RELAY_CTRL_BIND=127.0.0.3 RELAY_CTRL_PORT=$PRS
sleep 1.1
ans=$($PY send 127.0.0.3 $PRS "$KEY" now 192.0.2.63)
ok "a login a second after a restart is recorded" test -f "$G/192.0.2.63"
kill "$UDP_PID"; wait "$UDP_PID" 2>/dev/null

# Finding 8: one request dated 25 s ahead, then 4100 logins: when the
# cache is full it forgets the earliest-dated entries, so the floor does
# not jump to that request's time and genuine logins go on.
newspool h; H=$T/h/allow
start_udp "$T/h.log" RELAY_CTRL_KEY="$KEY" RELAY_CTRL_DIR="$H" RELAY_CTRL_BIND=127.0.0.3 RELAY_CTRL_PORT=$PCF
ans=$($PY send 127.0.0.3 $PCF "$KEY" now+25 192.0.2.70)
got=$(python3 - "$TOP/test/udp/packet.py" "$KEY" $PCF <<'PY'
import socket, sys
src = open(sys.argv[1]).read().replace("main(sys.argv[1:])", "")
ns = {}; exec(compile(src, "packet.py", "exec"), ns)
key = open(sys.argv[2], "rb").read(); port = int(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2)
ok = 0
for i in range(4100):
    s.sendto(ns["build"](key, "now", "10.70.%d.%d" % (i // 200, i % 200), [], to="127.0.0.3:%d" % port), ("127.0.0.3", port))
    try:
        s.recvfrom(600); ok += 1
    except socket.timeout:
        pass
print(ok)
PY
)
is "$got" 4100 "4100 logins after one dated ahead: all accepted"
ans=$($PY send 127.0.0.3 $PCF "$KEY" now 192.0.2.71)
ok "and the next genuine login too (the floor did not jump ahead)" test -f "$H/192.0.2.71"
hasnt "$(cat "$T/h.log")" "replay cache covers" "no login refused for the replay floor"
kill "$UDP_PID"; wait "$UDP_PID" 2>/dev/null

# Finding 12: the MAC covers the receiver, so a request captured on its
# way to one receiver is refused by another that has the same key.
PW=$((BASE + 9))
newspool i; I=$T/i/allow
start_udp "$T/i.log" RELAY_CTRL_KEY="$KEY" RELAY_CTRL_DIR="$I" RELAY_CTRL_BIND=127.0.0.3 RELAY_CTRL_PORT=$PW
for_b=$($PY hex "$KEY" now 192.0.2.80 --to 127.0.0.2:$PB)
ans=$($PY send 127.0.0.3 $PW --raw "$for_b" --wait 0.3)
is "$ans" none "a request for receiver B sent to receiver I (same key): refused"
has "$(cat "$T/i.log")" "ignored packet from 127\.0\.0\.1:[0-9]+: sent to another receiver" "and says why"
ok "nothing recorded" test ! -e "$I/192.0.2.80"
ans=$($PY send 127.0.0.2 $PB --raw "$for_b")
ok "the same request is good where it was sent" test -f "$B/192.0.2.80"
ans=$($PY send 127.0.0.3 $PW --raw "$($PY hex "$KEY" now 192.0.2.81 --to 127.0.0.3:$((PW + 1)))" --wait 0.3)
is "$ans" none "the right address but another port: refused"
ans=$($PY send 127.0.0.3 $PW "$KEY" now 192.0.2.82 --to - --wait 0.3)
is "$ans" none "a request naming no receiver: refused"
has "$(cat "$T/i.log")" "no receiver item" "and says why"
kill "$UDP_PID"; wait "$UDP_PID" 2>/dev/null
# Bound to every address, the receiver takes the datagram's destination.
start_udp "$T/j.log" RELAY_CTRL_KEY="$KEY" RELAY_CTRL_DIR="$I" RELAY_CTRL_BIND=0.0.0.0 RELAY_CTRL_PORT=$PW
ans=$($PY send 127.0.0.5 $PW "$KEY" now 192.0.2.83)
ok "bound to 0.0.0.0: a request for 127.0.0.5 sent to 127.0.0.5 is recorded" test -f "$I/192.0.2.83"
ans=$($PY send 127.0.0.5 $PW --raw "$($PY hex "$KEY" now 192.0.2.84 --to 127.0.0.6:$PW)" --wait 0.3)
is "$ans" none "bound to 0.0.0.0: a request for 127.0.0.6 sent to 127.0.0.5 is refused"
env -i PATH="$PATH_T" RELAY_CTRL_KEY="$KEY" RELAY_CTRL_REMOTES="127.0.0.7:$PW" TCPREMOTEIP=192.0.2.85 relay-ctrl-send true 2>"$T/s7.log" </dev/null
ok "relay-ctrl-send names the receiver it sends to: recorded" waitfor "$I/192.0.2.85" 3
kill "$UDP_PID"; wait "$UDP_PID" 2>/dev/null
start_udp "$T/k.log" RELAY_CTRL_KEY="$KEY" RELAY_CTRL_DIR="$I" RELAY_CTRL_BIND=:: RELAY_CTRL_PORT=$PW
sleep 1  # the floor kept in the spool is rounded up to the second
ans=$($PY send ::1 $PW "$KEY" now 192.0.2.86)
ok "bound to ::, over IPv6: recorded" test -f "$I/192.0.2.86"
ans=$($PY send ::1 $PW --raw "$($PY hex "$KEY" now 192.0.2.88 --to [::2]:$PW)" --wait 0.3)
is "$ans" none "bound to ::, a request for another address: refused"
kill "$UDP_PID"; wait "$UDP_PID" 2>/dev/null
true
