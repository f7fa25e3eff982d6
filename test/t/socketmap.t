# relay-ctrl-socketmap: the socketmap protocol (netstrings) on stdin and
# stdout, as sendmail and Postfix speak it; keys as each MTA spells them.
. "$RC_TOP/test/lib.sh"
plan 83
mkspool
# ns STRING...: each STRING as a netstring.
ns () { local a; for a; do printf '%d:%s,' "${#a}" "$a"; done; }
# sm [VAR=value...] -- : relay-ctrl-socketmap with $T/in on stdin.
sm () {
  local e=(); while [ "$1" != -- ]; do e+=("$1"); shift; done
  env -i PATH="$PATH_T" RELAY_CTRL_DIR="$SPOOL" "${e[@]}" relay-ctrl-socketmap <"$T/in" >"$T/.out" 2>"$T/.err"
  RC=$?; OUT=$(cat "$T/.out"); ERR=$(cat "$T/.err")
}
# ask KEY: one lookup in map drac, the answer in OUT.
ask () { ns "drac $1" >"$T/in"; sm "${@:2}" --; }
OKA='5:OK OK,' NF='9:NOTFOUND ,'

spool_put_aged 192.0.2.1 10 'USER=joe\0DOMAIN=example.org\0'
spool_put_aged 192.0.2.2 1000 'USER=old\0'
spool_put_aged 2001:db8::1 10 'USER=six\0'
spool_put_aged 192.0.2.3 -3600
ln -s 192.0.2.1 "$SPOOL/192.0.2.4"
mkdir "$SPOOL/192.0.2.5"
mkfifo "$SPOOL/192.0.2.6"
spool_put_aged fe80::1%eth0 10

ask 192.0.2.1
is "$RC:$OUT:$ERR" "0:$OKA:" "fresh IPv4: OK with a non-empty value, exit 0, no log by default"
for k in ipv6:2001:db8:0:0:0:0:0:1 IPv6:2001:DB8:0:0:0:0:0:1 2001:db8::1 2001:0db8::0001 ::ffff:192.0.2.1 ipv6:0:0:0:0:0:ffff:192.0.2.1 fe80::1%eth0; do
  ask "$k"
  is "$OUT" "$OKA" "key $k: OK"
done
for k in 192.0.2.9:missing 192.0.2.2:expired 192.0.2.3:future-dated 192.0.2.4:symlink 192.0.2.5:directory 192.0.2.6:FIFO \
         mx.example.org:hostname 192.0.2:parent-network 192.0:parent-network 2001:db8:parent-network 'ipv6:2001:db8':parent-network \
         unknown:unknown ipv6::empty-after-prefix 192.0.2.1%eth0:zone-on-IPv4; do
  ask "${k%:*}"
  is "$RC:$OUT" "0:$NF" "${k##*:} (${k%:*}): NOTFOUND"
done
ask 192.0.2.3
has "$ERR" "warning: not relaying for 192\.0\.2\.3: its spool entry is dated in the future" "future-dated: warning"
ask 192.0.2.4
has "$ERR" "warning: not relaying for 192\.0\.2\.4: its spool entry is a symbolic link" "symlink: warning"
ask 192.0.2.9 RELAY_CTRL_LOG_IPS=1
has "$ERR" "info: not relaying for 192\.0\.2\.9: no login recorded" "RELAY_CTRL_LOG_IPS: the decision logged"
ask 192.0.2.1 RELAY_CTRL_LOG_IPS=1
has "$ERR" "^relay-ctrl-socketmap\[[0-9]+\]: info: relaying for 192\.0\.2\.1 \(user joe@example\.org\)$" "RELAY_CTRL_LOG_IPS: relaying logged with the user"
ask mx.example.org RELAY_CTRL_LOG_IPS=1
has "$ERR" "info: not found: mx\.example\.org is not an IP address" "RELAY_CTRL_LOG_IPS: a host name logged"
ask 192.0.2.2 RELAY_CTRL_EXPIRY=2000
is "$OUT" "$OKA" "RELAY_CTRL_EXPIRY=2000: a 1000 s old login relays"
ask 192.0.2.1 RELAY_CTRL_SOCKETMAP_VALUE='RELAY pop-before-smtp'
is "$OUT" "24:OK RELAY pop-before-smtp," "RELAY_CTRL_SOCKETMAP_VALUE: the value"
ask 192.0.2.1 RELAY_CTRL_SOCKETMAP_VALUE=
is "$RC:$OUT" "100:" "empty RELAY_CTRL_SOCKETMAP_VALUE: exit 100"
ask 192.0.2.1 RELAY_CTRL_SOCKETMAP_VALUE=$'two\nlines'
is "$RC" 100 "two-line RELAY_CTRL_SOCKETMAP_VALUE: exit 100"
ask 192.0.2.1 RELAY_CTRL_SOCKETMAP_TIMEOUT=junk
is "$RC" 100 "junk RELAY_CTRL_SOCKETMAP_TIMEOUT: exit 100"
ns "drac 192.0.2.1" >"$T/in"
env -i PATH="$PATH_T" relay-ctrl-socketmap <"$T/in" >"$T/.out" 2>"$T/.err"; RC=$?
is "$RC" 100 "neither RELAY_CTRL_DIR_FD nor RELAY_CTRL_DIR: exit 100"
env -i PATH="$PATH_T" relay-ctrl-socketmap extra <"$T/in" >/dev/null 2>&1; RC=$?
is "$RC" 100 "an argument: usage, exit 100"
ask 192.0.2.1 RELAY_CTRL_DIR=/nonexistent
is "$RC" 111 "spool missing: exit 111"
env -i PATH="$PATH_T" RELAY_CTRL_DIR=/nonexistent RELAY_CTRL_DIR_FD=9 sh -c "exec 9<'$SPOOL'; exec relay-ctrl-socketmap" <"$T/in" >"$T/.out" 2>&1
is "$(cat "$T/.out")" "$OKA" "RELAY_CTRL_DIR_FD preferred over RELAY_CTRL_DIR"

# Many lookups on one connection, answered in order.
{ for i in $(seq 1 300); do ns "drac 192.0.2.1" "drac 192.0.2.9"; done; } >"$T/in"
sm --
is "$RC:$(printf '%s' "$OUT" | grep -o 'OK OK,' | wc -l):$(printf '%s' "$OUT" | grep -o 'NOTFOUND ,' | wc -l)" "0:300:300" "600 lookups on one connection: 300 OK, 300 NOTFOUND"
ns "drac 192.0.2.1" "postfix-map ipv6:2001:db8::1" "x 192.0.2.9" >"$T/in"
sm --
is "$OUT" "$OKA$OKA$NF" "any map name; several answers in order"

# Malformed: a PERM answer, one log line, the connection closed.
malformed () { # WHAT INPUT
  printf '%s' "$2" >"$T/in"; sm --
  is "$RC:$OUT" "0:$(printf '%s' "$OUT" | grep -oE '^[0-9]+:PERM [^,]*,$')" "$1: a PERM answer, exit 0"
  has "$OUT" "PERM " "$1: PERM"
  is "$(grep -c 'warning: closing the connection: malformed request' <<<"$ERR")" 1 "$1: one log line"
}
malformed "no comma" "14:drac 192.0.2.1;"
malformed "letters in the length" "1x:drac 192.0.2.1,"
malformed "no length" ":drac 192.0.2.1,"
malformed "leading zero" "014:drac 192.0.2.1,"
malformed "no space" "$(ns drac192.0.2.1)"
malformed "no map name" "$(ns ' 192.0.2.1')"
malformed "empty netstring" "0:,"
malformed "1001 bytes" "1001:$(head -c 1001 /dev/zero | tr '\0' a),"
malformed "a huge length" "99999999999999999999:x,"
malformed "closed within a request" "20:drac 192"
printf '%s' "$(ns "drac 192.0.2.1")14:drac 192.0.2.1;$(ns "drac 192.0.2.1")" >"$T/in"; sm --
is "$OUT" "${OKA}42:PERM a netstring does not end with a comma," "a good request, then a bad one: answered, then PERM and closed (the third unanswered)"
printf 'drac\0' | { head -c 6; } >/dev/null
{ printf '10:drac 1\0002.3,'; } >"$T/in"; sm --
has "$OUT" "PERM " "a NUL in the request: PERM"
head -c 100000 /dev/urandom >"$T/in"; sm --
ok "100 kB of random bytes: no crash (exit 0)" [ "$RC" = 0 ]
quiet_err=$ERR
hasnt "$quiet_err" "Sanitizer|runtime error" "random bytes: no sanitizer report"
ns "drac 192.0.2.1" "drac 1000 bytes $(head -c 984 /dev/zero | tr '\0' a)" >"$T/in"; sm --
is "$OUT" "$OKA$NF" "a 1000-byte request: accepted (NOTFOUND)"
: >"$T/in"; sm --
is "$RC:$OUT:$ERR" "0::" "no request at all: exit 0, silent"

# Idle: the connection is closed after RELAY_CTRL_SOCKETMAP_TIMEOUT.
{ ns "drac 192.0.2.1"; sleep 8; } | env -i PATH="$PATH_T" RELAY_CTRL_DIR="$SPOOL" RELAY_CTRL_SOCKETMAP_TIMEOUT=1 timeout 6 relay-ctrl-socketmap >"$T/.out" 2>&1
is "$?:$(cat "$T/.out")" "0:$OKA" "RELAY_CTRL_SOCKETMAP_TIMEOUT=1: answers, then exits 0 on an idle client"

# Cannot tell: TEMP (sendmail's rules must then not relay; sendmail.t).
mkdir -m 700 "$T/shut"; cp -p "$SPOOL/192.0.2.1" "$T/shut/"
ns "drac 192.0.2.1" >"$T/in"
env -i PATH="$PATH_T" RELAY_CTRL_DIR_FD=9 sh -c "exec 9<'$T/shut'; exec setuidgid nobody relay-ctrl-socketmap" <"$T/in" >"$T/.out" 2>"$T/.err"
has "$(cat "$T/.out")" "^[0-9]+:TEMP " "a spool entry that cannot be read: TEMP"
has "$(cat "$T/.err")" "warning: not relaying for 192\.0\.2\.1: unable to (read|stat) its spool entry: Permission denied" "... with a warning"
chmod 755 "$T/shut"; chmod 600 "$T/shut/192.0.2.1"
env -i PATH="$PATH_T" RELAY_CTRL_DIR="$T/shut" setuidgid nobody relay-ctrl-socketmap <"$T/in" >"$T/.out" 2>"$T/.err"
is "$(cat "$T/.out")" "$OKA" "an entry unreadable by the server but in date: OK (no records needed)"
empty=$T/empty; mkdir "$empty"
ask 192.0.2.1 RELAY_CTRL_DIR="$empty" RELAY_CTRL_REDIS=127.0.0.1:1
has "$OUT" "^[0-9]+:TEMP Redis did not answer,$" "not in the spool, Redis down: TEMP"
ask 192.0.2.1 RELAY_CTRL_REDIS=127.0.0.1:1
is "$OUT" "$OKA" "in the spool, Redis down: OK (Redis not asked)"

# Not dumpable from the start: holding the spool fd as a mail user.
mkfifo "$T/hold"
env -i PATH="$PATH_T" RELAY_CTRL_DIR="$SPOOL" relay-ctrl-chdir setuidgid nobody relay-ctrl-socketmap <"$T/hold" >/dev/null 2>&1 & smpid=$!
exec 7>"$T/hold"
sleep 0.2
notok "the mail user cannot read the server's environment through /proc" setuidgid nobody sh -c "cat /proc/$smpid/environ >/dev/null 2>&1"
exec 7>&-
wait "$smpid"
is "$?" 0 "... and it exits 0 at end of input"

# Many connections at once, under tcpserver as the run script has it.
if command -v tcpserver >/dev/null; then
  source "$RC_TOP/test/e2e-lib.sh"
  NEXTPORT=$(( 24000 + ($$ % 500) * 4 ))
  freeport
  env -i PATH="$PATH_T" RELAY_CTRL_DIR="$SPOOL" relay-ctrl-chdir tcpserver -R -H -l localhost -c 100 127.0.0.1 "$PORT" relay-ctrl-socketmap >"$T/tcp.log" 2>&1 &
  TS=$!; SERVERS+=("$TS")
  if wait_listen "$PORT" "$TS"; then
    out=$(python3 - "$PORT" <<'PY'
import socket, sys, threading
port = int(sys.argv[1]); bad = []
def client(n):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    f = s.makefile("rb")
    for i in range(100):
        k = b"drac 192.0.2.1" if i % 2 == 0 else b"drac 192.0.2.9"
        s.sendall(b"%d:%s," % (len(k), k))
        want = b"5:OK OK," if i % 2 == 0 else b"9:NOTFOUND ,"
        got = f.read(len(want))
        if got != want: bad.append(got)
    s.close()
ts = [threading.Thread(target=client, args=(n,)) for n in range(50)]
for t in ts: t.start()
for t in ts: t.join()
print("bad", len(bad))
PY
)
    is "$out" "bad 0" "50 connections at once, 100 lookups each, under tcpserver -c 100: every answer right"
  else failed "tcpserver with relay-ctrl-socketmap listening" "$(cat "$T/tcp.log")"; fi
  stop_servers
else
  failed "tcpserver installed (ucspi-tcp-ipv6) for the concurrency test"
fi
