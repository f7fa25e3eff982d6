# The store seam (issue 12): what goes through its one lookup and its
# one record path. Each of these failed before it.
. "$RC_TOP/test/lib.sh"
plan 22
PY="python3 $TOP/test/udp/packet.py"
mkspool

# relay-ctrl-check's modifications are sized from what goes in: no
# 4102-byte limit on RELAY_CTRL_RELAYCLIENT any more.
printf 'USER=joe\0' > "$SPOOL/192.0.2.1"; chmod 644 "$SPOOL/192.0.2.1"
long=$(head -c 5000 /dev/zero | tr '\0' r)
run RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP=192.0.2.1 RELAY_CTRL_RELAYCLIENT="$long" -- relay-ctrl-chdir relay-ctrl-check sh -c 'printf %s "${RELAYCLIENT-unset}" | wc -c; echo "$USER"'
is "$(sed -n 1p <<<"$OUT")" 5000 "a 5000-byte RELAY_CTRL_RELAYCLIENT is given to RELAYCLIENT whole"
is "$(sed -n 2p <<<"$OUT")" joe "and the records come with it"
is "$ERR" "" "without a warning"

# One mode for every entry recorded, whoever records it and however it
# reached the spool (relay-ctrl-udp by path made 0600 ones).
run RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP=192.0.2.2 USER=ann -- relay-ctrl-allow
is "$(stat -c %a "$SPOOL/192.0.2.2")" 644 "relay-ctrl-allow by path: 0644"
run RELAY_CTRL_DIR="$SPOOL" IP=192.0.2.3 USER=ann RELAY_CTRL_REMOTES=127.0.0.1:9 RELAY_CTRL_TRIES=1 RELAY_CTRL_TIMEOUT=1 -- relay-ctrl-chdir relay-ctrl-send true
is "$(stat -c %a "$SPOOL/192.0.2.3" 2>&1)" 644 "relay-ctrl-send's local entry (Dovecot's IP): 0644"
P=$(( 20000 + RANDOM % 12000 ))
env -i PATH="$PATH_T" RELAY_CTRL_LEGACY=1 RELAY_CTRL_SENDERS=127.0.0.1 RELAY_CTRL_DIR="$SPOOL" RELAY_CTRL_BIND=127.0.0.1 RELAY_CTRL_PORT=$P relay-ctrl-udp 2>"$T/udp.log" </dev/null >/dev/null &
UDP=$!
cleanup "kill $UDP 2>/dev/null"
for ((i = 0; i < 150; i++)); do grep -qs 'listening on' "$T/udp.log" && break; sleep 0.02; done
ans=$($PY send 127.0.0.1 $P --raw "$(printf 192.0.2.4 | od -An -tx1 | tr -d ' \n')")
is "$ans" 00 "relay-ctrl-udp (by path) answers a login"
is "$(stat -c %a "$SPOOL/192.0.2.4" 2>&1)" 644 "relay-ctrl-udp by path: 0644, not 0600"
umask 077
run RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP=192.0.2.5 -- relay-ctrl-chdir relay-ctrl-allow
is "$(stat -c %a "$SPOOL/192.0.2.5")" 644 "relay-ctrl-allow through the fd, umask 077: 0644"

# One lookup for every front end: the same verdicts, the same lines.
printf 'USER=old\0' > "$SPOOL/192.0.2.6"; age "$SPOOL/192.0.2.6" 2000
for prog in relay-ctrl-query; do
  run RELAY_CTRL_DIR="$SPOOL" RELAY_CTRL_EXPIRY=junk -- $prog 192.0.2.1
  is "$RC" 0 "$prog: a fresh entry may relay"
  is "$(grep -c 'RELAY_CTRL_EXPIRY=junk is not a positive number' <<<"$ERR")" 1 "$prog: a junk expiry is said once"
  run RELAY_CTRL_DIR="$SPOOL" -- $prog 192.0.2.6
  is "$RC" 1 "$prog: a stale entry may not"
done
run RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP=192.0.2.6 RELAY_CTRL_LOG_IPS=1 -- relay-ctrl-check true
has "$ERR" "info: not relaying for 192\.0\.2\.6: its login has expired$" "relay-ctrl-check: the stale verdict's line"
ok "relay-ctrl-check removed the stale entry" test ! -e "$SPOOL/192.0.2.6"

# revoke by user walks the spool through the store's each.
run RELAY_CTRL_DIR="$SPOOL" -- relay-ctrl-revoke -u ann
is "$RC" 0 "revoke -u ann: exit 0"
ok "revoke -u ann: her entries are gone" test ! -e "$SPOOL/192.0.2.2" -a ! -e "$SPOOL/192.0.2.3"
ok "revoke -u ann: joe's stays" test -e "$SPOOL/192.0.2.1"
has "$ERR" "info: revoked 192\.0\.2\.2 \(user ann\)$" "revoke -u ann: logged"

# revoke -u walks the spool as a user who owns no entry (the SMTP user,
# as relay-ctrl-revoke(8) allows), under fs.protected_hardlinks=1 where
# it may not link an entry back: every entry it judges and keeps goes
# back without replacing a login that landed meanwhile.
mkuser POPU || exit 0
mkuser SMTPU || exit 0
hl=/proc/sys/fs/protected_hardlinks
was=$(cat $hl)
if [ "$was" != 1 ]; then echo 1 >$hl && cleanup "echo $was >$hl"; fi
mkspool
login () { env -i PATH="$PATH_T" RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP=$1 USER=fresh relay-ctrl-chdir setuidgid "$POPU" relay-ctrl-allow; }
stop=$T/stop lost=0 logins=0 i=0
( while [ ! -e "$stop" ]; do
    env -i PATH="$PATH_T" RELAY_CTRL_DIR="$SPOOL" relay-ctrl-chdir setuidgid "$SMTPU" relay-ctrl-revoke -u nobody-logs-in-as-this 2>/dev/null
  done ) &
REVOKER=$!
end=$((SECONDS + ${RC_RACE_SECONDS:-4}))
while [ $SECONDS -lt $end ]; do
  a=10.8.0.$((i % 20)); i=$((i + 1))
  login $a
  logins=$((logins + 1))
  if [ ! -e "$SPOOL/$a" ]; then
    sleep 0.05
    [ -e "$SPOOL/$a" ] || lost=$((lost + 1))
  fi
done
touch "$stop"; wait "$REVOKER"
echo "# revoke -u as $SMTPU racing $logins logins by $POPU: $lost lost"
ok "revoke -u as the SMTP user: the race ran ($logins logins)" test "$logins" -ge 20
is "$lost" 0 "revoke -u as the SMTP user: no login lost"
is "$(ls -A "$SPOOL" | grep -c '^\.old\.')" 0 "revoke -u as the SMTP user: no .old.* file left"

# Libraries return a reason and only programs log (STYLE.md): no member
# of the library may call the logging functions (rc_log.o's, a reason's
# rc_log_why and rc_die_why among them) but these. The programs' side:
# rc_log.o itself, rc_say.o (the one phrasing of every verdict and
# reason), rc_exec.o (exec or die), rc_refresh.o and rc_sender.o (the
# background children of relay-ctrl-allow and -send, which log for
# themselves). The stores, the spool, Redis and its transport, the
# settings, keys, records and the installed envdir (rc_store*.o,
# rc_spool.o, rc_redis*.o, rc_config.o, rc_env.o, rc_key.o,
# rc_records.o, rc_etc.o) are not among them.
may_log='rc_log.o rc_say.o rc_exec.o rc_refresh.o rc_sender.o'
loggers=$(nm -A "$BIN/librelay-ctrl.a" 2>&1 | sed -n 's/^.*librelay-ctrl\.a:\([^:]*\.o\): *U \(rc_log_info\|rc_log_warn\|rc_log_warnsys\|rc_die\|rc_diesys\|rc_log_why\|rc_die_why\)$/\1/p' | sort -u)
has "$loggers" '^rc_say\.o$' "nm reads the library: rc_say.o logs"
is "$(grep -vxF -f <(tr ' ' '\n' <<<"$may_log") <<<"$loggers" | tr '\n' ' ')" "" "no library member logs but the programs' side ($may_log)"
