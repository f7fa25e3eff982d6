# relay-ctrl-udp under daemontools' supervise, as a site runs it: started
# from a run script with envdir and relay-ctrl-chdir, restarted after a
# crash, stopped cleanly.
. "$RC_TOP/test/lib.sh"
plan 7
mkspool
PORT=$(( 20000 + RANDOM % 12000 ))  # below the ephemeral range (32768-)
head -c 32 /dev/urandom > "$T/key"; chmod 600 "$T/key"
S=$T/sv/udp
mkdir -p "$S/env"
echo "$T/key" > "$S/env/RELAY_CTRL_KEY"
echo "$SPOOL" > "$S/env/RELAY_CTRL_DIR"
echo 127.0.0.2 > "$S/env/RELAY_CTRL_BIND"
echo "$PORT" > "$S/env/RELAY_CTRL_PORT"
echo 1 > "$S/env/RELAY_CTRL_LOG_IPS"
# The run script is examples/run/relay-ctrl-udp/run with its two
# settings (ENVDIR, BIN) edited as a site edits them.
sed -e "s#^ENVDIR=\${ENVDIR:-/etc/relay-ctrl-udp}#ENVDIR=\${ENVDIR:-$S/env}#" \
  -e "s#^BIN=\${BIN:-/usr/local/bin}#BIN=\${BIN:-$BIN}#" "$TOP/examples/run/relay-ctrl-udp/run" >"$S/run"
is "$(diff "$TOP/examples/run/relay-ctrl-udp/run" "$S/run" | grep -c '^>')" 2 "run is examples/run/relay-ctrl-udp/run with two settings edited"
chmod 755 "$S/run"
env -i PATH="$PATH_T" supervise "$S" </dev/null >>"$T/udp.log" 2>&1 &
SUP=$!
cleanup "svc -dx '$S' 2>/dev/null; kill $SUP 2>/dev/null"
# waitfor N PATTERN: the Nth line matching PATTERN in the receiver's log.
waitfor () { for _ in $(seq 100); do [ "$(grep -c -- "$2" "$T/udp.log" 2>/dev/null)" -ge "$1" ] && return 0; sleep 0.05; done; return 1; }
ok "supervise started the receiver" waitfor 1 'info: listening on'
login () { env -i PATH="$PATH_T" TCPREMOTEIP="$1" USER=joe RELAY_CTRL_KEY="$T/key" RELAY_CTRL_REMOTES="127.0.0.2:$PORT" relay-ctrl-send true 2>>"$T/send.log"; }
arrived () { for _ in $(seq 60); do [ -f "$SPOOL/$1" ] && return 0; sleep 0.05; done; return 1; }
login 192.0.2.1
ok "a login sent to the supervised receiver lands in the spool" arrived 192.0.2.1
svc -k "$S"
ok "killed, it is restarted by supervise" waitfor 2 'info: listening on'
login 192.0.2.2
ok "the restarted receiver records logins" arrived 192.0.2.2
svc -dx "$S"
for _ in $(seq 100); do kill -0 "$SUP" 2>/dev/null || break; sleep 0.05; done
notok "svc -dx stops it and supervise exits" kill -0 "$SUP"
is "$(grep -c 'warning\|fatal' "$T/udp.log")" 0 "no warning in the receiver's log"
