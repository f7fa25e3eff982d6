# valgrind memcheck over typical and hostile runs of relay-ctrl-check,
# -allow, -age and -chdir: no invalid read or write, no use of
# uninitialised memory, no leak (relay-ctrl-age and -allow's refresher
# must not even hold memory at exit). Only our programs are traced, not
# the shells they exec.
. "$RC_TOP/test/lib.sh"
plan 39

if ! command -v valgrind >/dev/null; then failed "valgrind installed (test/deps valgrind)"; exit 1; fi
if grep -qa __asan_init "$BIN/relay-ctrl-check"; then
  echo "# SKIP valgrind.t: $BIN is built with AddressSanitizer, which valgrind cannot run"
  exit 0
fi
if ldd "$BIN/relay-ctrl-check" 2>&1 | grep -q 'not a dynamic executable'; then
  echo "# SKIP valgrind.t: $BIN is linked statically, so memcheck cannot replace malloc and the string functions; the glibc build runs it"
  exit 0
fi
mkspool
VG=$T/vg
mkdir -p "$VG"
# vg WHAT [all] [VAR=value...] -- PROG...: runs like run (stdin from
# $VG_IN, default /dev/null), every process of ours under memcheck;
# passes if none reports an error. With "all", memory still reachable at
# exit counts as a leak too.
vg () {
  local what=$1 kinds=definite,indirect,possible logs f
  shift
  if [ "$1" = all ]; then kinds=all; shift; fi
  local envs=()
  while [ "$1" != -- ]; do envs+=("$1"); shift; done
  shift
  rm -f "$VG"/*
  env -i PATH="$PATH_T" "${envs[@]}" valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds="$kinds" \
    --errors-for-leak-kinds="$kinds" --track-origins=yes \
    --trace-children=yes --trace-children-skip='/usr/*,/bin/*,/sbin/*' --log-file="$VG/%p" "$@" \
    >"$T/.out" 2>"$T/.err" <"${VG_IN:-/dev/null}"
  RC=$?
  OUT=$(cat "$T/.out"); ERR=$(cat "$T/.err")
  logs=$(for f in "$VG"/*; do [ -s "$f" ] && cat "$f"; done)
  if [ "$RC" != 99 ] && [ -z "$logs" ] && [ "$(ls "$VG" | wc -l)" -gt 0 ]; then pass "$what"
  else failed "$what" "exit $RC; valgrind said:" "$logs" "stderr: $ERR"; fi
}
SH=(sh -c 'echo "${RELAYCLIENT-unset}"')

# relay-ctrl-check
spool_put 192.0.2.1 'USER=joe\0DOMAIN=example.org\0QUOTA=5\0'
vg "check: fresh login, records imported and logged" RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP=192.0.2.1 RELAY_CTRL_IMPORT=QUOTA RELAY_CTRL_LOG_IPS=1 RELAY_CTRL_LOG_ENV=1 -- relay-ctrl-chdir relay-ctrl-check "${SH[@]}"
is "$OUT" "" "check under valgrind still relays"
vg "check: no login" RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP=192.0.2.99 RELAY_CTRL_LOG_IPS=1 -- relay-ctrl-check "${SH[@]}"
spool_put 192.0.2.2; age "$SPOOL/192.0.2.2" 5000
vg "check: expired login removed" RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP=192.0.2.2 RELAY_CTRL_LOG_IPS=1 -- relay-ctrl-check "${SH[@]}"
spool_put 192.0.2.3; age "$SPOOL/192.0.2.3" -3600
vg "check: entry dated in the future" RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP=192.0.2.3 -- relay-ctrl-check "${SH[@]}"
# Hostile entries: forbidden names, control characters, overlong names
# and values, no terminating NUL, a record as long as the read buffer,
# binary junk, a 1 MB file, a symlink, a FIFO, a directory.
long=$(head -c 5000 /dev/zero | tr '\0' A)
spool_put 192.0.2.4 "RELAYCLIENT=@evil\0PATH=/tmp\0LD_PRELOAD=/x.so\0USER=a\tb\0$(head -c 100 /dev/zero | tr '\0' N)=1\0=\0\0\0USER\0DOMAIN=$long\0USER=joe"
vg "check: hostile records" RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP=192.0.2.4 RELAY_CTRL_IMPORT="PATH LD_PRELOAD RELAYCLIENT" RELAY_CTRL_LOG_ENV=1 -- relay-ctrl-check "${SH[@]}"
{ printf 'USER='; head -c 4090 /dev/zero | tr '\0' u; printf '\0'; } >"$SPOOL/192.0.2.5"; chmod 644 "$SPOOL/192.0.2.5"
vg "check: one record filling the whole read buffer" RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP=192.0.2.5 RELAY_CTRL_LOG_ENV=1 -- relay-ctrl-check "${SH[@]}"
head -c 1000000 /dev/urandom >"$SPOOL/192.0.2.6"; chmod 644 "$SPOOL/192.0.2.6"
vg "check: 1 MB of binary junk" RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP=192.0.2.6 -- relay-ctrl-check "${SH[@]}"
ln -s 192.0.2.1 "$SPOOL/192.0.2.7"; mkfifo "$SPOOL/192.0.2.8"; mkdir "$SPOOL/192.0.2.9"
for a in 7 8 9; do
  vg "check: symlink, FIFO, directory (192.0.2.$a)" RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP="192.0.2.$a" -- relay-ctrl-check "${SH[@]}"
done
spool_put 2001:db8::1 'USER=six\0'
vg "check: IPv6 in a long form" RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP=2001:0DB8:0:0:0:0:0:0001 -- relay-ctrl-check "${SH[@]}"
vg "check: invalid, overlong address" RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP="$(head -c 300 /dev/zero | tr '\0' 9)%$long" -- relay-ctrl-check "${SH[@]}"
vg "check: junk settings, RELAYCLIENT preset" RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP=192.0.2.1 RELAY_CTRL_EXPIRY=x$long RELAYCLIENT= RELAY_CTRL_LOG_IPS=1 -- relay-ctrl-check "${SH[@]}"
vg "check: junk settings, overlong RELAY_CTRL_RELAYCLIENT" RELAY_CTRL_DIR_FD=x$long TCPREMOTEIP=192.0.2.1 RELAY_CTRL_EXPIRY=x$long RELAY_CTRL_RELAYCLIENT="$long" -- relay-ctrl-check "${SH[@]}"
vg "check: missing spool, program not found" RELAY_CTRL_DIR="$T/missing" TCPREMOTEIP=192.0.2.1 -- relay-ctrl-check /nonexistent
is "$RC" 127 "check under valgrind: exit 127 kept"

# relay-ctrl-allow
vg "allow: login recorded with records" RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP=192.0.2.20 USER=joe DOMAIN=example.org QUOTA=5 RELAY_CTRL_IMPORT="QUOTA, FOO,PATH,$long" RELAY_CTRL_LOG_IPS=1 -- relay-ctrl-chdir relay-ctrl-allow sh -c 'echo served'
is "$OUT:$(tr '\0' ' ' <"$SPOOL/192.0.2.20")" "served:USER=joe DOMAIN=example.org QUOTA=5 " "allow under valgrind still records"
vg "allow: control characters, overlong values" RELAY_CTRL_DIR="$SPOOL" IP=::ffff:192.0.2.21 USER="$(printf 'a\033b')" DOMAIN="$long$long" -- relay-ctrl-allow
vg "allow: invalid address, unauthenticated Courier login" RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP="junk$long" -- relay-ctrl-allow true
vg "allow: Courier, not authenticated" RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP=192.0.2.22 AUTHUSER=x AUTHARGV0=y -- relay-ctrl-allow true
vg "allow: missing spool" RELAY_CTRL_DIR="$T/missing" TCPREMOTEIP=192.0.2.23 -- relay-ctrl-allow true
vg "allow: RELAY_CTRL_REFRESH=1, a 2.5 s session (the refresher's loop)" all RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP=192.0.2.24 RELAY_CTRL_REFRESH=1 -- relay-ctrl-allow sleep 2.5
vg "allow: junk RELAY_CTRL_REFRESH" RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP=192.0.2.25 RELAY_CTRL_REFRESH="x$long" -- relay-ctrl-allow true

# relay-ctrl-chdir
vg "chdir: spool handed down" RELAY_CTRL_DIR="$SPOOL" -- relay-ctrl-chdir sh -c 'echo $RELAY_CTRL_DIR_FD'
mkdir -p "$T/open/allow"; chmod 777 "$T/open" "$T/open/allow"
vg "chdir: exposure warnings" RELAY_CTRL_DIR="$T/open/allow" -- relay-ctrl-chdir true
vg "chdir: missing spool, not a directory, unset" RELAY_CTRL_DIR="$T/missing" -- relay-ctrl-chdir relay-ctrl-chdir env RELAY_CTRL_DIR=/etc/passwd relay-ctrl-chdir env -u RELAY_CTRL_DIR relay-ctrl-chdir true

# relay-ctrl-age: every kind of entry, and a big spool. Nothing may be
# left allocated at exit.
mkspool
now=$(date +%s)
for i in $(seq 1 300); do : >"$SPOOL/192.0.2.$((i % 250)).$i"; done
(cd "$SPOOL" && seq 1 2000 | sed 's/^/10.0.0./' | xargs touch -d "@$((now - 5000))")
(cd "$SPOOL" && seq 1 500 | sed 's/^/.tmp.1.2./' | xargs touch -d "@$((now - 5000))")
: >"$SPOOL/.old.1.2.3"; : >"$SPOOL/192.0.2.251"; age "$SPOOL/192.0.2.251" -3600
mkdir "$SPOOL/adir"; mkfifo "$SPOOL/afifo"; ln -s /etc/passwd "$SPOOL/alink"; age "$SPOOL/afifo" 5000; touch -h -d "@$((now - 5000))" "$SPOOL/alink"
vg "age -v: 2800 entries of every kind, nothing left allocated" all RELAY_CTRL_DIR="$SPOOL" -- relay-ctrl-age -v
has "$(tail -n 1 <<<"$ERR")" 'info: scanned 2805 entries: removed 2503, kept 301, ignored 1$' "age under valgrind did its work"
vg "age: quiet run over what is left" all RELAY_CTRL_DIR="$SPOOL" RELAY_CTRL_EXPIRY=junk -- relay-ctrl-age
vg "age: missing spool, usage" all RELAY_CTRL_DIR="$T/missing" -- relay-ctrl-age
vg "age: usage" all RELAY_CTRL_DIR="$SPOOL" -- relay-ctrl-age -x

# relay-ctrl-policy: one connection, many requests, good and malformed.
mkspool
printf 'USER=joe\0DOMAIN=example.org\0' >"$SPOOL/192.0.2.1"; chmod 644 "$SPOOL/192.0.2.1"
: >"$SPOOL/192.0.2.2"; age "$SPOOL/192.0.2.2" 5000
{
  for a in 192.0.2.1 192.0.2.2 192.0.2.3 ::ffff:192.0.2.1 junk "$long"; do
    printf 'request=smtpd_access_policy\nprotocol_state=RCPT\nclient_address=%s\nsender=a@example.com\n\n' "$a"
  done
  printf 'request=other\nclient_address=192.0.2.1\n\nnoequals\n\nx=%s\nclient_address=192.0.2.1\n\n' "$long"
  for i in $(seq 120); do printf 'a%d=b\n' "$i"; done; printf '\nrequest=smtpd_access_policy\nclient_address=192.0.2.1'
} >"$T/requests"
if [ -x "$BIN/relay-ctrl-policy" ]; then
  VG_IN=$T/requests vg "policy: one connection, good, malformed and overlong requests" all RELAY_CTRL_DIR="$SPOOL" RELAY_CTRL_LOG_IPS=1 -- relay-ctrl-policy
  is "$(grep -c '^action=' <<<"$OUT"):$(grep -c '^action=OK$' <<<"$OUT")" "10:2" "policy under valgrind: 10 answers, OK for the fresh login only"
fi

# relay-ctrl-udp, the long-running receiver: good packets from
# relay-ctrl-send, replays, bad MACs and malformed packets, then SIGTERM
# (memcheck's leak check runs at the signal too).
if [ -x "$BIN/relay-ctrl-udp" ] && [ -x "$BIN/relay-ctrl-send" ]; then
  mkspool
  head -c 32 /dev/urandom >"$T/key"; head -c 32 /dev/urandom >"$T/key2"; chmod 600 "$T/key" "$T/key2"
  PORT=$(( 20000 + RANDOM % 12000 ))  # below the ephemeral range
  rm -f "$VG"/*
  env -i PATH="$PATH_T" RELAY_CTRL_KEY="$T/key" RELAY_CTRL_DIR="$SPOOL" RELAY_CTRL_BIND=127.0.0.2 RELAY_CTRL_PORT=$PORT \
    RELAY_CTRL_SENDERS=127.0.0.1 RELAY_CTRL_LOG_IPS=1 \
    valgrind -q --error-exitcode=99 --leak-check=full --track-origins=yes --log-file="$VG/%p" relay-ctrl-udp \
    2>"$T/udp.err" </dev/null >/dev/null &
  udp=$!
  cleanup "kill $udp 2>/dev/null"
  for i in $(seq 200); do grep -q 'info: listening' "$T/udp.err" && break; sleep 0.1; done
  PY="python3 $TOP/test/udp/packet.py"
  for i in $(seq 1 20); do
    env -i PATH="$PATH_T" RELAY_CTRL_KEY="$T/key" RELAY_CTRL_REMOTES="127.0.0.2:$PORT" TCPREMOTEIP="192.0.2.$i" USER="u$i" DOMAIN=example.org \
      relay-ctrl-send true 2>>"$T/send.err" </dev/null
  done
  good=$($PY hex "$T/key" now 192.0.2.100 --to 127.0.0.2:$PORT USER=x)
  for raw in "$good" "$good" "${good/c0000264/c0000265}" "${good:0:40}" "${good}00" "02${good:2}" "01$(printf '0%.0s' {1..1200})" 01 "$($PY hex "$T/key2" now 192.0.2.101 --to 127.0.0.2:$PORT)" "$($PY hex "$T/key" now-3600 192.0.2.102 --to 127.0.0.2:$PORT)"; do
    $PY send 127.0.0.2 "$PORT" --raw "$raw" --wait 0.05 >/dev/null 2>&1
  done
  for i in $(seq 100); do [ "$(ls "$SPOOL" | wc -l)" -ge 21 ] && break; sleep 0.1; done
  kill -TERM "$udp"; wait "$udp"
  logs=$(cat "$VG"/* 2>/dev/null)
  if [ -z "$logs" ] && [ "$(ls "$VG" | wc -l)" = 1 ]; then pass "udp: packets good and bad, then SIGTERM: no memcheck error, no leak"
  else failed "udp: packets good and bad, then SIGTERM: no memcheck error, no leak" "$logs" "$(cat "$T/udp.err")"; fi
  is "$(ls "$SPOOL" | wc -l)" 21 "udp under valgrind recorded the 21 good logins"
  has "$(cat "$T/udp.err")" 'warning: ignored packet from 127\.0\.0\.1:[0-9]+: bad MAC' "udp under valgrind refused the bad ones"
  vg "send: a login sent to a receiver that is gone" RELAY_CTRL_KEY="$T/key" RELAY_CTRL_REMOTES="127.0.0.2:$PORT" TCPREMOTEIP=192.0.2.1 USER=u -- relay-ctrl-send true
fi
