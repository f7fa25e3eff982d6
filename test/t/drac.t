# relay-ctrl-drac against a DRAC client built here from the test's own
# rpcgen description (test/drac/drac_test.x, rpcsvc-proto's rpcgen),
# with Debian's rpcbind. Debian 12's rpcbind crashes when told to listen
# on one address (-h), so the whole test runs in network and mount
# namespaces of its own: loopback only, a private /run for rpcbind.
if [ -z "${RC_DRAC_NS:-}" ] && [ "$(id -u)" = 0 ]; then
  exec unshare -n -m env RC_DRAC_NS=1 bash "$0" "$@"
fi
source "$RC_TOP/test/lib.sh"
plan 47
source "$RC_TOP/test/e2e-lib.sh"
E2E_PACKAGES="$E2E_PACKAGES rpcbind rpcsvc-proto libtirpc-dev"
e2e_start
if [ -z "${RC_DRAC_NS:-}" ]; then failed "private namespaces (unshare -n -m)"; exit 1; fi
python3 -c '
import socket, fcntl, struct
s = socket.socket()
f = struct.unpack("16sh", fcntl.ioctl(s, 0x8913, struct.pack("16sh", b"lo", 0)))[1]
fcntl.ioctl(s, 0x8914, struct.pack("16sh", b"lo", f | 1))' || { failed "loopback up in the private namespace"; exit 1; }
mount --make-rprivate / && mount -t tmpfs -o mode=755 tmpfs /run || { failed "a private /run"; exit 1; }
mkdir -m 755 /run/rpcbind && chown _rpc /run/rpcbind
HAVE_V6=
for i in 1 2 3 4 5 6 7 8 9 10; do grep -q '^0\{31\}1 ' /proc/net/if_inet6 && { HAVE_V6=1; break; }; sleep 0.1; done
e2e_fixtures 900

# The client, built from the test's own description.
mkdir "$T/client"; cp "$TOP"/test/drac/drac_test.x "$TOP"/test/drac/drac-client.c "$T/client/"
if ! (cd "$T/client" && rpcgen drac_test.x && cc -I/usr/include/tirpc -o drac-client drac-client.c drac_test_clnt.c drac_test_xdr.c -ltirpc) >"$T/build.log" 2>&1; then
  failed "the DRAC test client builds (rpcgen, libtirpc)" "$(cat "$T/build.log")"; exit 1
fi
CLIENT=$T/client/drac-client

rpcbind -f >"$T/rpcbind.log" 2>&1 & RPCB=$!
SERVERS+=("$RPCB")
for i in $(seq 50); do rpcinfo -p 127.0.0.1 >/dev/null 2>&1 && break; sleep 0.1; done
ok "rpcbind answers on loopback" rpcinfo -p 127.0.0.1

# The shipped run script, with the test's envdir and programs.
cp "$TOP/examples/drac/dracd.allow" "$T/dracd.allow"
echo "$T/dracd.allow" >"$ENVDIR/RELAY_CTRL_DRAC_ALLOW"
sed -e "s|/etc/relay-ctrl|$ENVDIR|; s|/usr/local/bin/|$BIN/|g" "$TOP/examples/run/relay-ctrl-drac/run" >"$T/drac-run"
chmod +x "$T/drac-run"
DRACLOG=$T/drac.log
(cd "$T" && exec env -i PATH="$PATH_T" "$T/drac-run") >>"$DRACLOG" 2>&1 &
DRAC=$!; SERVERS+=("$DRAC")
for i in $(seq 50); do rpcinfo -p 127.0.0.1 2>/dev/null | grep -q ' 900101 ' && break; sleep 0.1; done
RPCINFO=$(rpcinfo -p 127.0.0.1 2>&1)
has "$RPCINFO" "^ +900101 +1 +udp +[0-9]+" "rpcinfo -p: program 900101 version 1 on UDP"
has "$RPCINFO" "^ +900101 +2 +udp +[0-9]+" "rpcinfo -p: version 2 (IPv6) too"
DPORT=$(awk '$1 == 900101 && $2 == 1 { print $4 }' <<<"$RPCINFO")
ok "rpcinfo -u 127.0.0.1 900101 1: the NULL procedure answers" rpcinfo -u 127.0.0.1 900101 1
has "$(cat "$DRACLOG")" "info: listening on UDP port $DPORT, registered with rpcbind" "relay-ctrl-drac logs its port"

add () { OUT=$("$CLIENT" "$@" 2>&1); RC=$?; }
# SMTP side: mailfront behind relay-ctrl-check, as in e2e.t.
serve smtp "$T/smtp.log" 127.0.0.1; SMTP4=$PORT
if [ -n "$HAVE_V6" ]; then serve smtp "$T/smtp.log" ::1; SMTP6=$PORT; fi
smtp 127.0.0.1 "$SMTP4" x@example.net
refused "mailfront: relaying refused before any DRAC add"
add 127.0.0.1 0 1 127.0.0.1
is "$RC:$OUT" "0:0" "DRAC v1 add 127.0.0.1 (port from rpcbind, as libdrac): result 0, success"
ok "... recorded in the spool as 127.0.0.1" test -f "$SPOOL/127.0.0.1"
is "$(stat -c %s "$SPOOL/127.0.0.1")" 0 "... with no records (DRAC sends no user)"
smtp 127.0.0.1 "$SMTP4" x@example.net
accepted "mailfront: the recorded login relays" x@example.net
add 127.0.0.1 0 1 192.0.2.44
is "$RC:$OUT" "0:0" "v1 add of another address (the POP server's client)"
ok "... 192.0.2.44 in the spool: the address travels in network order" test -f "$SPOOL/192.0.2.44"
if [ -n "$HAVE_V6" ]; then
  smtp ::1 "$SMTP6" x@example.net -6
  refused "mailfront IPv6: relaying refused before the add"
  add 127.0.0.1 0 2 ::1
  is "$RC:$OUT" "0:0" "DRAC v2 add ::1: success"
  smtp ::1 "$SMTP6" x@example.net -6
  accepted "mailfront IPv6: the recorded login relays" x@example.net
  add 127.0.0.1 0 2 2001:DB8:0:0::0:12
  is "$RC:$OUT" "0:0" "v2 add 2001:db8::12"
  ok "... under its canonical name 2001:db8::12" test -f "$SPOOL/2001:db8::12"
  add 127.0.0.1 0 2 ::ffff:192.0.2.45
  ok "v2 add of an IPv4-mapped address: recorded as 192.0.2.45" test -f "$SPOOL/192.0.2.45"
else failed "IPv6: no ::1 in the private namespace"; fi
add 127.0.0.1 "$DPORT" 1 192.0.2.46
is "$RC:$OUT" "0:0" "a client on the fixed port, without rpcbind"

# A sender not in the allowlist: permission denied, nothing written.
echo "255.255.255.255 127.0.0.2" >"$T/only2"
echo "$T/only2" >"$ENVDIR/RELAY_CTRL_DRAC_ALLOW"
echo 20811 >"$ENVDIR/RELAY_CTRL_DRAC_PORT"
echo no >"$ENVDIR/RELAY_CTRL_DRAC_RPCBIND"
(cd "$T" && exec env -i PATH="$PATH_T" "$T/drac-run") >>"$T/drac2.log" 2>&1 &
DRAC2=$!; SERVERS+=("$DRAC2")
for i in $(seq 50); do grep -q listening "$T/drac2.log" && break; sleep 0.1; done
has "$(cat "$T/drac2.log")" "info: listening on UDP port 20811\$" "fixed-port mode (RELAY_CTRL_DRAC_RPCBIND=no): no registration"
add 127.0.0.1 20811 1 192.0.2.50
is "$RC:$OUT" "0:1" "sender 127.0.0.1 not allowed: result 1, permission denied"
notok "... nothing written" test -e "$SPOOL/192.0.2.50"
has "$(cat "$T/drac2.log")" "warning: not recording login from 192\.0\.2\.50: sender 127\.0\.0\.1 is not in RELAY_CTRL_DRAC_ALLOW" "... one log line"

# Junk and truncated calls (raw datagrams), on the first server.
python3 - "$DPORT" "$SPOOL" >"$T/junk.out" 2>&1 <<'PY'
import os, socket, struct, sys, time
port, spool = int(sys.argv[1]), sys.argv[2]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2)
def call(xid, vers, proc, args):
    return struct.pack(">IIIIIIIIII", xid, 0, 2, 900101, vers, proc, 0, 0, 0, 0) + args
def ask(pkt):
    s.sendto(pkt, ("127.0.0.1", port))
    try:
        r = s.recv(1000)
    except socket.timeout:
        return "none"
    f = struct.unpack(">%dI" % (len(r) // 4), r)
    # xid REPLY MSG_ACCEPTED verf(0,0) stat [result]
    return "stat=%d" % f[5] + ("" if len(f) < 7 else " result=%d" % f[6])
v6 = bytes.fromhex("20010db8000000000000000000000077")
full = call(1, 2, 1, b"".join(struct.pack(">I", b) for b in v6))
print("full", ask(full))
os.unlink(os.path.join(spool, "2001:db8::77"))
print("truncated", ask(call(2, 2, 1, b"".join(struct.pack(">I", b) for b in v6[:8]))))
print("empty-args", ask(call(3, 2, 1, b"")))
print("v1-empty", ask(call(4, 1, 1, b"")))
print("trailing", ask(call(5, 1, 1, struct.pack(">II", 0xc0000233, 7))))
print("recreated", os.path.exists(os.path.join(spool, "2001:db8::77")))
print("junk", ask(b"\x00\x01garbage"))
print("random", ask(os.urandom(300)))
print("prog", ask(struct.pack(">IIIIIIIIII", 6, 0, 2, 100000, 2, 0, 0, 0, 0, 0)))
print("vers", ask(call(7, 3, 1, b"")))
print("proc", ask(call(8, 1, 9, b"")))
print("signed", ask(call(10, 2, 1, b"".join(struct.pack(">i", b - 256 if b > 127 else b) for b in bytes.fromhex("20010db8000000000000000000000078")))))
print("signed-file", os.path.exists(os.path.join(spool, "2001:db8::78")))
print("bigchar", ask(call(9, 2, 1, b"".join(struct.pack(">I", 0x100 + b) for b in v6))))
PY
J=$(cat "$T/junk.out")
has "$J" "^full stat=0 result=0$" "raw v2 call: success"
has "$J" "^truncated stat=0 result=2$" "a call with half an IPv6 address: result 2 (error)"
has "$J" "^empty-args stat=0 result=2$" "a v2 call with no argument: result 2"
has "$J" "^v1-empty stat=0 result=2$" "a v1 call with no argument: result 2"
has "$J" "^trailing stat=0 result=2$" "a v1 call with bytes after the address: result 2"
has "$J" "^recreated False$" "the truncated calls wrote nothing (no stale bytes from the earlier datagram)"
has "$J" "^junk none$" "a datagram that is no RPC call: no answer"
has "$J" "^random none$" "random bytes: no answer"
has "$J" "^prog stat=1$" "another program: PROG_UNAVAIL"
has "$J" "^vers stat=2 result=1$" "version 3: PROG_MISMATCH (versions 1 to 2)"
has "$J" "^proc stat=3$" "procedure 9: PROC_UNAVAIL"
has "$J" "^signed stat=0 result=0$" "v2 chars sign-extended (signed char clients): success"
has "$J" "^signed-file True$" "... recorded as 2001:db8::78"
has "$J" "^bigchar stat=0 result=2$" "a v2 char unit above 255: result 2"
has "$(cat "$DRACLOG")" "warning: refusing a call from 127\.0\.0\.1: its argument is not an address of the right length" "truncated: one log line"
ok "relay-ctrl-drac still running after the junk" kill -0 "$DRAC"
add 127.0.0.1 0 1 192.0.2.47
is "$RC:$OUT" "0:0" "... and still recording"

# Configuration errors.
run RELAY_CTRL_DIR="$SPOOL" -- relay-ctrl-drac
is "$RC" 100 "RELAY_CTRL_DRAC_ALLOW unset: exit 100"
printf 'nonsense here now\n' >"$T/bad.allow"
run RELAY_CTRL_DIR="$SPOOL" RELAY_CTRL_DRAC_ALLOW="$T/bad.allow" -- relay-ctrl-drac
is "$RC" 100 "a bad allowlist line: exit 100"
run RELAY_CTRL_DIR="$SPOOL" RELAY_CTRL_DRAC_ALLOW="$T/dracd.allow" RELAY_CTRL_DRAC_RPCBIND=no -- relay-ctrl-drac
is "$RC" 100 "RELAY_CTRL_DRAC_RPCBIND=no without a port: exit 100"
run RELAY_CTRL_DRAC_ALLOW="$T/dracd.allow" -- relay-ctrl-drac
is "$RC" 100 "no spool configured: exit 100"
run RELAY_CTRL_DIR="$SPOOL" RELAY_CTRL_DRAC_ALLOW="$T/dracd.allow" -- relay-ctrl-drac extra
is "$RC" 100 "an argument: exit 100"

kill "$DRAC"; wait "$DRAC" 2>/dev/null
for i in $(seq 20); do rpcinfo -p 127.0.0.1 2>/dev/null | grep -q ' 900101 ' || break; sleep 0.1; done
hasnt "$(rpcinfo -p 127.0.0.1 2>&1)" " 900101 " "stopped (TERM): its registration is removed"
stop_servers
quiet "$(cat "$T/smtp.log")" "no warning from relay-ctrl-check"
