# relay-ctrl-socketmap(8) says any UCSPI server will do, s6-ipcserver for
# a unix socket (sendmail unix:/path, Postfix socketmap:unix:/path:name):
# Debian's s6-ipcserver runs it on a socket in a 0700 directory and
# Postfix's own postmap asks through it; a local stranger cannot connect.
. "$RC_TOP/test/lib.sh"
plan 8
command -v s6-ipcserver >/dev/null || { failed "s6-ipcserver is installed (test/deps: s6)"; exit 0; }
command -v postmap >/dev/null || { failed "postmap is installed (test/deps: postfix)"; exit 0; }
mkuser MAPU || exit 0
mkuser STRANGER || exit 0
mkspool
printf 'USER=joe\0' >"$SPOOL/192.0.2.1"; chmod 644 "$SPOOL/192.0.2.1"
printf 'USER=ann\0' >"$SPOOL/2001:db8::1"; chmod 644 "$SPOOL/2001:db8::1"
printf 'USER=old\0' >"$SPOOL/192.0.2.3"; chmod 644 "$SPOOL/192.0.2.3"; age "$SPOOL/192.0.2.3" 2000
mkdir -p "$T/private"; chown "$MAPU" "$T/private"; chmod 0700 "$T/private"
SOCK=$T/private/drac
env -i PATH="$PATH_T" RELAY_CTRL_DIR="$SPOOL" relay-ctrl-chdir \
  s6-ipcserver -u "$(id -u "$MAPU")" -g "$(id -g "$MAPU")" "$SOCK" relay-ctrl-socketmap >"$T/map.log" 2>&1 &
srv=$!
cleanup "kill $srv 2>/dev/null"
for ((i = 0; i < 100; i++)); do [ -S "$SOCK" ] && break; sleep 0.05; done
ok "s6-ipcserver listens on $SOCK" test -S "$SOCK"

# postmap needs a configuration directory; an empty main.cf will do.
mkdir -p "$T/pf"; : >"$T/pf/main.cf"
# q USER KEY: what postmap -q finds through the socket, and its exit code.
q () { setuidgid "$1" postmap -c "$T/pf" -q "$2" "socketmap:unix:$SOCK:drac" 2>&1; echo "rc=$?"; }
is "$(q "$MAPU" 192.0.2.1)" "$(printf 'OK\nrc=0')" "postmap through the unix socket: a fresh login is found (OK)"
is "$(q "$MAPU" 2001:db8::1)" "$(printf 'OK\nrc=0')" "and an IPv6 one, in Postfix's compressed form"
is "$(q "$MAPU" 192.0.2.2)" "rc=1" "an address with no login is not found"
is "$(q "$MAPU" 192.0.2.3)" "rc=1" "an expired login is not found"
has "$(q "$STRANGER" 192.0.2.1)" 'Permission denied' "a local stranger cannot ask through the 0700 directory"
hasnt "$(q "$STRANGER" 192.0.2.1)" '^OK' "and learns nothing"
kill $srv 2>/dev/null; wait $srv 2>/dev/null
hasnt "$(cat "$T/map.log")" 'fatal' "relay-ctrl-socketmap logged nothing fatal: $(head -c 300 "$T/map.log")"
