# relay-ctrl-policy: the Postfix policy protocol on stdin and stdout.
. "$RC_TOP/test/lib.sh"
plan 104
mkspool
# req ADDRESS [ATTR...]: one request as Postfix sends it.
req () {
  local a=$1; shift
  printf 'request=smtpd_access_policy\nprotocol_state=RCPT\nprotocol_name=ESMTP\nclient_address=%s\nclient_name=localhost\nsender=a@example.com\nrecipient=x@example.net\n' "$a"
  local x; for x in "$@"; do printf '%s\n' "$x"; done
  printf '\n'
}
# pol [VAR=value...] -- : relay-ctrl-policy with the file $T/in on stdin.
pol () {
  local e=(); while [ "$1" != -- ]; do e+=("$1"); shift; done
  env -i PATH="$PATH_T" RELAY_CTRL_DIR="$SPOOL" "${e[@]}" relay-ctrl-policy <"$T/in" >"$T/.out" 2>"$T/.err"
  RC=$?; OUT=$(cat "$T/.out"); ERR=$(cat "$T/.err")
}
answers () { # N: N times "action=DUNNO" etc. are compared raw
  od -c "$T/.out" | sed 's/  */ /g'
}
D=$'action=DUNNO\n' A=$'action=OK\n'

spool_put_aged 192.0.2.1 10 'USER=joe\0DOMAIN=example.org\0'
spool_put_aged 192.0.2.2 1000 'USER=old\0'
spool_put_aged 2001:db8::1 10 'USER=six\0'
spool_put_aged 192.0.2.3 -3600
ln -s 192.0.2.1 "$SPOOL/192.0.2.4"
mkdir "$SPOOL/192.0.2.5"
mkfifo "$SPOOL/192.0.2.6"
{ printf 'USER=big\0'; head -c 10000000 /dev/zero | tr '\0' A; } > "$SPOOL/192.0.2.7"

req 192.0.2.1 > "$T/in"
pol --
is "$RC" 0 "fresh: exit 0 at end of input"
ok "fresh: exactly action=OK and an empty line" cmp -s "$T/.out" <(printf 'action=OK\n\n')
is "$ERR" "" "fresh: no log line by default"
for a in 192.0.2.9:missing 192.0.2.2:expired 192.0.2.3:future-dated 192.0.2.4:symlink 192.0.2.5:directory; do
  req "${a%%:*}" > "$T/in"
  pol --
  ok "${a#*:} (${a%%:*}): action=DUNNO" cmp -s "$T/.out" <(printf 'action=DUNNO\n\n')
done
req 192.0.2.6 > "$T/in"
env -i PATH="$PATH_T" RELAY_CTRL_DIR="$SPOOL" timeout 5 relay-ctrl-policy <"$T/in" >"$T/.out" 2>"$T/.err"
ok "FIFO: action=DUNNO without blocking" cmp -s "$T/.out" <(printf 'action=DUNNO\n\n')
req 192.0.2.7 > "$T/in"; pol --
is "$OUT" "action=OK" "10 MB entry, fresh: OK"
for form in 2001:db8::1 2001:DB8:0:0:0:0:0:1 2001:0db8::0001; do
  req "$form" > "$T/in"; pol --
  is "$OUT" "action=OK" "IPv6 client_address $form: OK"
done
spool_put_aged 192.0.2.8 10
req ::ffff:192.0.2.8 > "$T/in"; pol --
is "$OUT" "action=OK" "IPv4-mapped client_address: OK"

# Logs.
{ req 192.0.2.1; req 192.0.2.9; req 192.0.2.2; req 192.0.2.3; req 192.0.2.4; req 192.0.2.5; } > "$T/in"
pol RELAY_CTRL_LOG_IPS=1 --
is "$OUT" "action=OK

action=DUNNO

action=DUNNO

action=DUNNO

action=DUNNO

action=DUNNO" "six requests on one connection: six answers in order"
has "$ERR" '^relay-ctrl-policy\[[0-9]+\]: info: relaying for 192\.0\.2\.1 \(user joe@example\.org\)$' "LOG_IPS: relaying logged with the user"
has "$ERR" 'info: not relaying for 192\.0\.2\.9: no login recorded$' "LOG_IPS: no login logged"
has "$ERR" 'info: not relaying for 192\.0\.2\.2: its login has expired$' "LOG_IPS: expired logged"
has "$ERR" 'warning: not relaying for 192\.0\.2\.3: its spool entry is dated in the future$' "future: warning"
has "$ERR" 'warning: not relaying for 192\.0\.2\.4: its spool entry is a symbolic link$' "symlink: warning"
has "$ERR" 'warning: not relaying for 192\.0\.2\.5: its spool entry is not a regular file$' "directory: warning"
ok "the policy server removes nothing" test -e "$SPOOL/192.0.2.2" -a -e "$SPOOL/192.0.2.3"
pol --
hasnt "$ERR" 'info:' "without LOG_IPS: no info lines"

# Settings.
req 192.0.2.1 > "$T/in"
pol RELAY_CTRL_POLICY_ALLOW=PERMIT --
is "$OUT" "action=PERMIT" "RELAY_CTRL_POLICY_ALLOW=PERMIT"
pol RELAY_CTRL_POLICY_ALLOW="PREPEND X-Relay-Ctrl: yes" --
is "$OUT" "action=PREPEND X-Relay-Ctrl: yes" "RELAY_CTRL_POLICY_ALLOW with spaces"
for bad in '' $'OK\naction=REJECT' "$(head -c 300 /dev/zero | tr '\0' x)"; do
  pol RELAY_CTRL_POLICY_ALLOW="$bad" --
  is "$RC:$OUT" "100:" "RELAY_CTRL_POLICY_ALLOW=$(printf %q "${bad:0:20}"): exit 100, no answer"
done
has "$ERR" 'fatal: RELAY_CTRL_POLICY_ALLOW=x+\.\.\. is not a one-line action' "bad RELAY_CTRL_POLICY_ALLOW: message"
spool_put_aged 192.0.2.10 100
req 192.0.2.10 > "$T/in"
pol RELAY_CTRL_EXPIRY=90 --
is "$OUT" "action=DUNNO" "RELAY_CTRL_EXPIRY=90: 100 s old refused"
pol RELAY_CTRL_EXPIRY=120 --
is "$OUT" "action=OK" "RELAY_CTRL_EXPIRY=120: 100 s old allowed"
pol RELAY_CTRL_EXPIRY=junk --
is "$OUT" "action=OK" "RELAY_CTRL_EXPIRY=junk: 900"
has "$ERR" "warning: RELAY_CTRL_EXPIRY=junk is not a positive number of seconds, using 900" "RELAY_CTRL_EXPIRY=junk: warning"
env -i PATH="$PATH_T" RELAY_CTRL_DIR=/nonexistent RELAY_CTRL_DIR_FD=9 sh -c "exec 9<'$SPOOL'; exec relay-ctrl-policy" <"$T/in" >"$T/.out" 2>&1
is "$(cat "$T/.out")" "action=OK" "RELAY_CTRL_DIR_FD preferred over RELAY_CTRL_DIR"
{ req 192.0.2.1; req 192.0.2.1; } > "$T/in"
env -i PATH="$PATH_T" RELAY_CTRL_DIR="$T/missing" relay-ctrl-policy <"$T/in" >"$T/.out" 2>"$T/.err"
is "$?:$(cat "$T/.out" | tr '\n' ' ')" "0:action=DUNNO  action=DUNNO  " "missing spool: DUNNO, keeps serving"
has "$(cat "$T/.err")" "warning: not relaying for 192\.0\.2\.1: unable to open spool $T/missing: No such file or directory" "missing spool: warning"
env -i PATH="$PATH_T" relay-ctrl-policy <"$T/in" >"$T/.out" 2>"$T/.err"
is "$(cat "$T/.out" | tr '\n' ' ')" "action=DUNNO  action=DUNNO  " "no spool configured: DUNNO"
has "$(cat "$T/.err")" "neither RELAY_CTRL_DIR_FD nor RELAY_CTRL_DIR is set" "no spool configured: warning"
run -- relay-ctrl-policy extra
is "$RC" 100 "an argument: exit 100"
has "$ERR" 'fatal: usage: relay-ctrl-policy$' "usage line"

# Malformed requests: DUNNO and a log line, never OK.
mal () { # WHAT WHY: $T/in holds one malformed request for a fresh client
  pol --
  is "$OUT" "action=DUNNO" "$1: DUNNO"
  has "$ERR" "^relay-ctrl-policy\[[0-9]+\]: warning: answering DUNNO to a malformed request: $2\$" "$1: log line"
}
printf 'client_address=192.0.2.1\n\n' > "$T/in"; mal "no request attribute" "no request attribute"
printf 'request=smtpd_access_policy\nclient_name=x\n\n' > "$T/in"; mal "no client_address" "no client_address attribute"
printf 'request=smtpd_access_policy\nclient_address=\n\n' > "$T/in"; pol --
is "$OUT" "action=DUNNO" "empty client_address: DUNNO"
has "$ERR" "warning: not relaying for : not an IP address" "empty client_address: warning"
printf 'request=junk\nclient_address=192.0.2.1\n\n' > "$T/in"; mal "other request type" "request is not smtpd_access_policy"
printf 'request=smtpd_access_policy\nclient_address=192.0.2.9\nclient_address=192.0.2.1\n\n' > "$T/in"; mal "client_address twice" "client_address given twice"
printf 'request=smtpd_access_policy\nclient_address=192.0.2.1\njunk line\n\n' > "$T/in"; mal "line without =" "a line is not name=value"
printf 'request=smtpd_access_policy\nclient_address=192.0.2.1\n=value\n\n' > "$T/in"; mal "empty name" "a line is not name=value"
{ printf 'request=smtpd_access_policy\nclient_address=192.0.2.1\nccert_subject='; head -c 5000 /dev/zero | tr '\0' x; printf '\n\n'; } > "$T/in"
mal "overlong line (5000 bytes)" "a line is longer than 2047 bytes"
{ printf 'request=smtpd_access_policy\nclient_address=192.0.2.1\n'; for i in $(seq 100); do echo "x$i=y"; done; printf '\n'; } > "$T/in"
mal "more than 100 attributes" "more than 100 attributes"
{ printf 'request=smtpd_access_policy\nclient_address=192.0.2.1\n'; for i in $(seq 98); do echo "x$i=y"; done; printf '\n'; } > "$T/in"
pol --
is "$OUT" "action=OK" "exactly 100 attributes: accepted"
{ printf 'request=smtpd_access_policy\nclient_address='; head -c 200 /dev/zero | tr '\0' 1; printf '\n\n'; } > "$T/in"
mal "client_address of 200 bytes" "client_address is too long"
for bad in '192.0.2.1 ' '192.0.2.1/24' '../192.0.2.1' 'unknown' '[192.0.2.1]' $'192.0.2.1\t'; do
  req "$bad" > "$T/in"; pol --
  is "$OUT" "action=DUNNO" "client_address $(printf %q "$bad"): DUNNO"
done
has "$ERR" 'warning: not relaying for 192\.0\.2\.1\?: not an IP address$' "bad client_address: warning, control character shown as ?"
printf 'request=smtpd_access_policy\r\nclient_address=192.0.2.1\r\n\r\n' > "$T/in"; pol --
is "$OUT" $'action=OK' "CRLF line ends (telnet): understood"
printf '\n' > "$T/in"; mal "empty request" "no request attribute"
{ head -c 100000 /dev/urandom | tr -d '\n'; printf '\n\n'; req 192.0.2.1; } > "$T/in"; pol --
is "$OUT" $'action=DUNNO\n\naction=OK' "100 kB of junk, then a good request: DUNNO, then OK"
head -c 300000 /dev/urandom > "$T/in"; pol --
is "$RC" 0 "300 kB of random bytes: exit 0, no crash"
hasnt "$OUT" 'action=OK' "random bytes: never OK"
hasnt "$ERR" 'AddressSanitizer|runtime error' "random bytes: no sanitizer report"

# A connection closed in the middle of a request: no answer.
printf 'request=smtpd_access_policy\nclient_address=192.0.2.1\n' > "$T/in"; pol --
is "$RC:$OUT" "0:" "closed within a request: exit 0, no answer"
has "$ERR" "warning: the client closed the connection in the middle of a request" "closed within a request: warning"
printf 'request=smtpd_access_policy\nclient_address=192.0.2.1' > "$T/in"; pol --
is "$RC:$OUT" "0:" "closed within a line: no answer"
: > "$T/in"; pol --
is "$RC:$OUT:$ERR" "0::" "closed before any request: exit 0, silent"

# Postfix waits for each answer before it sends the next request.
coproc P { env -i PATH="$PATH_T" RELAY_CTRL_DIR="$SPOOL" relay-ctrl-policy 2>/dev/null; }
ppid=$P_PID pin=${P[1]} pout=${P[0]}
got=
for a in 192.0.2.1 192.0.2.9 2001:db8::1; do
  req "$a" >&"$pin"
  IFS= read -r -t 5 l1 <&"$pout"; IFS= read -r -t 5 l2 <&"$pout"
  got="$got$l1|$l2|"
done
is "$got" "action=OK||action=DUNNO||action=OK||" "interactive: each answer comes before the next request is sent"
exec {pin}>&-
wait "$ppid"
is "$?" 0 "interactive: exit 0 when Postfix closes the connection"

# Under tcpserver, as a site runs it.
if command -v tcpserver >/dev/null && command -v tcpclient >/dev/null; then
  port=$(( 30000 + $$ % 5000 ))
  env -i PATH="$PATH_T" RELAY_CTRL_DIR="$SPOOL" relay-ctrl-chdir tcpserver -H -R -l localhost 127.0.0.1 "$port" relay-ctrl-policy 2>"$T/tcp.err" &
  tcp=$!
  cleanup "kill $tcp 2>/dev/null"
  for i in $(seq 50); do tcpclient -H -R 127.0.0.1 "$port" true 2>/dev/null && break; sleep 0.1; done
  { req 192.0.2.1; req 192.0.2.9; } > "$T/in"
  out=$(timeout 5 tcpclient -H -R 127.0.0.1 "$port" sh -c 'cat "$1" >&7; head -n 4 <&6' sh "$T/in" 2>&1)
  is "$out" $'action=OK\n\naction=DUNNO' "under tcpserver: two requests, two answers"
  kill "$tcp"; wait "$tcp" 2>/dev/null
  # As under Postfix's spawn(8): stderr is the connection too.
  port=$((port + 1))
  env -i PATH="$PATH_T" RELAY_CTRL_DIR="$SPOOL" RELAY_CTRL_LOG_IPS=1 tcpserver -H -R -l localhost 127.0.0.1 "$port" sh -c 'exec relay-ctrl-policy 2>&1' 2>"$T/tcp.err" &
  tcp=$!
  cleanup "kill $tcp 2>/dev/null"
  for i in $(seq 50); do tcpclient -H -R 127.0.0.1 "$port" true 2>/dev/null && break; sleep 0.1; done
  { req 192.0.2.1; printf 'junk\n\n'; req 192.0.2.9; } > "$T/in"
  out=$(timeout 5 tcpclient -H -R 127.0.0.1 "$port" sh -c 'cat "$1" >&7; head -n 6 <&6' sh "$T/in" 2>&1)
  is "$out" $'action=OK\n\naction=DUNNO\n\naction=DUNNO' "stderr on the connection (spawn): only answers reach the client, no log line"
  kill "$tcp"; wait "$tcp" 2>/dev/null
else
  for _ in 1 2; do failed "tcpserver and tcpclient installed (test/deps ucspi-tcp-ipv6)"; done
fi

# Issue 10, finding 13: a 2047-byte attribute line is taken, with a
# newline or CR LF; 2048 bytes is too long.
long=x=$(head -c 2045 /dev/zero | tr '\0' y)
{ req 192.0.2.1 "$long" | head -c -1; printf '\n'; } > "$T/in"
pol --
ok "a 2047-byte attribute line is taken" cmp -s "$T/.out" <(printf 'action=OK\n\n')
req 192.0.2.1 "$long" | sed 's/$/\r/' > "$T/in"
pol --
ok "a 2047-byte attribute line ended by CR LF is taken" cmp -s "$T/.out" <(printf 'action=OK\n\n')
req 192.0.2.1 "${long}y" > "$T/in"
pol --
ok "a 2048-byte line is refused" cmp -s "$T/.out" <(printf 'action=DUNNO\n\n')
has "$ERR" "a line is longer than 2047 bytes" "and says why"

# Issue 10, finding 6: idle and slow clients are dropped.
# slow WRITER VAR=value...: the policy server reading from WRITER's output
# through a pipe; sets RC and ERR (at most 30 s).
slow () {
  local w=$1 wpid; shift
  rm -f "$T/slow"; mkfifo "$T/slow"
  bash -c "$w" >"$T/slow" &
  wpid=$!
  timeout 30 env -i PATH="$PATH_T" RELAY_CTRL_DIR="$SPOOL" "$@" relay-ctrl-policy <"$T/slow" >"$T/.out" 2>"$T/.err"
  RC=$?; ERR=$(cat "$T/.err"); OUT=$(cat "$T/.out")
  stop_writer "$wpid"
}
stop_writer () { local c; for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do kill "$c" 2>/dev/null; done; kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }
slow 'sleep 20' RELAY_CTRL_POLICY_IDLE=1
is "$RC" 0 "idle: a client that sends nothing is dropped (exit 0, before the 30 s guard)"
has "$ERR" "info: closing the connection: idle for longer than RELAY_CTRL_POLICY_IDLE" "idle: says so"
slow 'printf "request=smtpd_access_policy\nclient_address=192.0.2.1\n\n"; sleep 20' RELAY_CTRL_POLICY_IDLE=1
is "$RC:$OUT" "0:action=OK" "idle: counted again after each answer"
slow 'printf "request=smtpd_access_policy\n"; sleep 20' RELAY_CTRL_POLICY_TIMEOUT=1
is "$RC" 111 "slow request: dropped (exit 111)"
has "$ERR" "fatal: closing the connection: a request took longer than RELAY_CTRL_POLICY_TIMEOUT" "slow request: says so"
slow 'printf "request=smtpd_access_policy\n"; while sleep 0.3; do printf "x=y\n"; done' RELAY_CTRL_POLICY_TIMEOUT=1
is "$RC" 111 "a request trickled a line at a time is dropped all the same"
for v in RELAY_CTRL_POLICY_IDLE RELAY_CTRL_POLICY_TIMEOUT; do
  for bad in 0 3601 junk ''; do
    req 192.0.2.1 > "$T/in"
    pol "$v=$bad" --
    is "$RC" 100 "$v=$bad: exit 100"
  done
  has "$ERR" "fatal: $v= is not a number of seconds from 1 to 3600" "$v: says why"
done

# The attack: local users fill tcpserver's connection limit with idle
# connections. With the idle timeout they are dropped, and Postfix's
# next connection is answered.
PP=$(( 20000 + RANDOM % 5000 ))
env -i PATH="$PATH_T" RELAY_CTRL_DIR="$SPOOL" RELAY_CTRL_POLICY_IDLE=1 \
  tcpserver -H -R -l localhost -c 3 127.0.0.1 "$PP" relay-ctrl-policy 2>"$T/tcpserver.err" &
tsp=$!
cleanup "kill $tsp 2>/dev/null"
python3 - "$PP" >"$T/exhaust.out" 2>&1 <<'PY'
import socket, sys, time
port = int(sys.argv[1])
for _ in range(50):
    try: socket.create_connection(("127.0.0.1", port)).close(); break
    except OSError: time.sleep(0.1)
idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(3)]
for c in idle:
    c.settimeout(20)
    print("idle connection closed by the server" if c.recv(100) == b"" else "idle connection got data")
c = socket.create_connection(("127.0.0.1", port)); c.settimeout(20)
c.sendall(b"request=smtpd_access_policy\nclient_address=192.0.2.1\n\n")
print(c.recv(100).decode().strip())
PY
is "$(cat "$T/exhaust.out")" "idle connection closed by the server
idle connection closed by the server
idle connection closed by the server
action=OK" "three idle connections at tcpserver -c 3 are dropped, then Postfix is answered"
kill $tsp 2>/dev/null; wait $tsp 2>/dev/null
