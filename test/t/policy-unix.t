# Issue 10, finding 11: over loopback TCP any local user can ask
# relay-ctrl-policy who is logged in from where; on the Unix socket of
# examples/run/relay-ctrl-policy-unix/run (in Postfix's 0700 private/
# directory) only Postfix gets an answer.
. "$RC_TOP/test/lib.sh"
plan 5
command -v s6-ipcserver >/dev/null || { failed "s6-ipcserver is installed (test/deps: s6)"; exit 0; }
mkuser POSTU || exit 0
mkuser POLU || exit 0
mkuser STRANGER || exit 0
mkspool
printf 'USER=joe\0' >"$SPOOL/192.0.2.1"; chmod 644 "$SPOOL/192.0.2.1"
mkdir -p "$T/etc" "$T/pfx/private"
echo "$SPOOL" >"$T/etc/RELAY_CTRL_DIR"
chown "$POSTU" "$T/pfx/private"; chmod 0700 "$T/pfx/private"
cp "$TOP/examples/run/relay-ctrl-policy-unix/run" "$T/run"
(cd "$T" && exec env -i PATH="$PATH_T" ENVDIR="$T/etc" BIN="$BIN" POLICY_USER="$POLU" \
  SOCKET="$T/pfx/private/relay-ctrl-policy" sh ./run >"$T/policy.log" 2>&1) &
srv=$!
cleanup "kill $srv 2>/dev/null"
SOCK=$T/pfx/private/relay-ctrl-policy
for ((i = 0; i < 100; i++)); do [ -S "$SOCK" ] && break; sleep 0.05; done
ok "the run script listens on $SOCK" test -S "$SOCK"

# ask USER ADDRESS (unix PATH | tcp PORT): the answer, or the error
ask () {
  setuidgid "$1" python3 - "$2" "$3" "$4" <<'PY' 2>&1
import socket, sys
addr, kind, where = sys.argv[1:]
try:
    if kind == "unix":
        c = socket.socket(socket.AF_UNIX); c.connect(where)
    else:
        c = socket.create_connection(("127.0.0.1", int(where)))
    c.settimeout(10)
    c.sendall(("request=smtpd_access_policy\nclient_address=%s\n\n" % addr).encode())
    print(c.recv(100).decode().strip())
except OSError as e:
    print(type(e).__name__)
PY
}
is "$(ask "$POSTU" 192.0.2.1 unix "$SOCK")" action=OK "unix socket: Postfix's user is answered"
is "$(ask "$POSTU" 192.0.2.2 unix "$SOCK")" action=DUNNO "unix socket: and told DUNNO for an address with no login"
is "$(ask "$STRANGER" 192.0.2.1 unix "$SOCK")" PermissionError "unix socket: a local user cannot even connect"

# Control: the same server on loopback TCP answers any local user.
PP=$(( 20000 + RANDOM % 5000 ))
env -i PATH="$PATH_T" RELAY_CTRL_DIR="$SPOOL" relay-ctrl-chdir \
  tcpserver -H -R -l localhost -u "$(id -u "$POLU")" -g "$(id -g "$POLU")" 127.0.0.1 "$PP" relay-ctrl-policy 2>/dev/null &
tsp=$!
cleanup "kill $tsp 2>/dev/null"
for ((i = 0; i < 50; i++)); do [ "$(ask "$STRANGER" 192.0.2.1 tcp "$PP")" = action=OK ] && break; sleep 0.1; done
is "$(ask "$STRANGER" 192.0.2.1 tcp "$PP")" action=OK "control, loopback TCP: a local user learns that 192.0.2.1 is logged in"
kill $tsp $srv 2>/dev/null; wait $tsp $srv 2>/dev/null
true
