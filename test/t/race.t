# No lost logins: relay-ctrl-age and relay-ctrl-check remove an entry only
# if it is stale at the moment of removal, even while a login refreshes it.
. "$RC_TOP/test/lib.sh"
X=192.0.2.1

# 1. Deterministic: builds with 400 ms delays before and after the move
# aside (build/test/*-delay) let a real login land inside each window.
# The same delays with 3.2's test-then-unlink (*-naive) lose the login,
# which shows the windows are really hit.
# round PROG VARIANT LOGIN_AT: prints "present" or "missing".
round () {
  mkspool
  : > "$SPOOL/$X"; age "$SPOOL/$X" 3600
  export RELAY_CTRL_DIR=$SPOOL RELAY_CTRL_EXPIRY=60
  if [ "$1" = age ]; then "$BIN/test/relay-ctrl-age-$2" & else TCPREMOTEIP=$X "$BIN/test/relay-ctrl-check-$2" true & fi
  sleep "$3"
  TCPREMOTEIP=$X USER=fresh "$BIN/relay-ctrl-allow"
  wait
  if [ -f "$SPOOL/$X" ] && [ $(( $(date +%s) - $(mtime "$SPOOL/$X") )) -le 5 ]; then echo present; else echo missing; fi
  ls -A "$SPOOL" | grep -c '^\.' >"$T/leftovers"
}
for prog in age check; do
  is "$(round $prog delay 0.2)" present "relay-ctrl-$prog: login between the stale test and the removal survives"
  is "$(cat "$T/leftovers")" 0 "relay-ctrl-$prog: no .old.* file left"
  is "$(round $prog delay 0.6)" present "relay-ctrl-$prog: login while the stale entry is moved aside survives"
  is "$(cat "$T/leftovers")" 0 "relay-ctrl-$prog: no .old.* file left"
  is "$(round $prog naive 0.2)" missing "control: relay-ctrl-$prog with test-then-unlink loses that login"
done

# 2. Stress with real timing: logins cycle through K addresses while two
# agers and a checker loop over the spool with RELAY_CTRL_EXPIRY=1, so
# entries go stale just as their next login lands. A login is lost when
# its entry is gone for good right after it (a missing entry is looked
# at again 50 ms later: the move aside lasts microseconds).
mkspool
export RELAY_CTRL_DIR=$SPOOL RELAY_CTRL_EXPIRY=1
SECS=${RC_RACE_SECONDS:-8}
stop=$T/stop lost=0 logins=0 i=0 k=400
for _ in 1 2; do ( while [ ! -e "$stop" ]; do "$BIN/relay-ctrl-age" 2>/dev/null; done ) & done
( while [ ! -e "$stop" ]; do
    TCPREMOTEIP=10.9.0.$((RANDOM % 200)) "$BIN/relay-ctrl-check" true 2>/dev/null
  done ) &
end=$((SECONDS + SECS))
while [ $SECONDS -lt $end ]; do
  a=10.9.$((i / 200)).$((i % 200)); i=$(( (i + 1) % k ))
  TCPREMOTEIP=$a "$BIN/relay-ctrl-allow"
  logins=$((logins + 1))
  if [ ! -e "$SPOOL/$a" ]; then
    sleep 0.05
    [ -e "$SPOOL/$a" ] || lost=$((lost + 1))
  fi
done
touch "$stop"; wait
echo "# stress: $logins logins over $k addresses in ${SECS}s with two agers and a checker, $lost lost"
ok "stress ran ($logins logins)" test "$logins" -ge 20
is "$lost" 0 "stress: no login lost"
is "$(ls -A "$SPOOL" | grep -c '^\.old\.')" 0 "stress: no .old.* file left"

# 3. The same with real uids (issue 10, finding 5): logins written by a
# mail user, relay-ctrl-check running as the SMTP user, relay-ctrl-age
# and relay-ctrl-revoke as root, under fs.protected_hardlinks=1, where
# the SMTP user may not link(2) the mail user's entry to put it back.
mkuser POPU || exit 0
mkuser SMTPU || exit 0
hl=/proc/sys/fs/protected_hardlinks
was=$(cat $hl)
if [ "$was" != 1 ]; then echo 1 >$hl && cleanup "echo $was >$hl"; fi
is "$(cat $hl)" 1 "fs.protected_hardlinks=1"
unset RELAY_CTRL_DIR RELAY_CTRL_EXPIRY
login () { env -i PATH="$PATH_T" RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP=$1 USER=fresh relay-ctrl-chdir setuidgid "$POPU" relay-ctrl-allow; }
# uround LOGIN_AT: a stale entry of the mail user; the 400 ms-delayed
# checker as the SMTP user; a new login by the mail user at LOGIN_AT
# (0.2: after its stale test, so it moves the fresh entry aside and must
# put it back; 0.6: while the stale one is aside).
uround () {
  mkspool
  login $X; age "$SPOOL/$X" 3600
  env -i PATH="$PATH_T" RELAY_CTRL_DIR="$SPOOL" RELAY_CTRL_EXPIRY=60 TCPREMOTEIP=$X \
    relay-ctrl-chdir setuidgid "$SMTPU" "$BIN/test/relay-ctrl-check-delay" true &
  sleep "$1"
  login $X
  wait
  if [ -f "$SPOOL/$X" ] && [ $(( $(date +%s) - $(mtime "$SPOOL/$X") )) -le 5 ]; then echo present; else echo missing; fi
  ls -A "$SPOOL" | grep -c '^\.' >"$T/leftovers"
}
for at in 0.2 0.6; do
  is "$(uround $at)" present "real uids: a mail user's login ${at}s into the SMTP user's removal survives"
  is "$(cat "$T/leftovers")" 0 "real uids: no .old.* file left (login at ${at}s)"
  is "$(stat -c %U "$SPOOL/$X" 2>/dev/null)" "$POPU" "real uids: the entry is the mail user's (login at ${at}s)"
done

mkspool
SECS=${RC_RACE_SECONDS:-8}
stop=$T/stop2 lost=0 logins=0 i=0
for _ in 1 2; do ( while [ ! -e "$stop" ]; do RELAY_CTRL_DIR=$SPOOL RELAY_CTRL_EXPIRY=1 "$BIN/relay-ctrl-age" 2>/dev/null; done ) & done
( while [ ! -e "$stop" ]; do
    env -i PATH="$PATH_T" RELAY_CTRL_DIR="$SPOOL" RELAY_CTRL_EXPIRY=1 TCPREMOTEIP=10.9.0.$((RANDOM % 200)) \
      relay-ctrl-chdir setuidgid "$SMTPU" relay-ctrl-check true 2>/dev/null
  done ) &
( while [ ! -e "$stop" ]; do
    RELAY_CTRL_DIR=$SPOOL "$BIN/relay-ctrl-revoke" -u nobody-logs-in-as-this 2>/dev/null
  done ) &
end=$((SECONDS + SECS))
while [ $SECONDS -lt $end ]; do
  a=10.9.$((i / 200)).$((i % 200)); i=$(( (i + 1) % k ))
  login $a
  logins=$((logins + 1))
  if [ ! -e "$SPOOL/$a" ]; then
    sleep 0.05
    [ -e "$SPOOL/$a" ] || lost=$((lost + 1))
  fi
done
touch "$stop"; wait
echo "# real uids: $logins logins by $POPU over $k addresses in ${SECS}s; two agers and a revoker as root, a checker as $SMTPU; $lost lost"
ok "real uids: stress ran ($logins logins)" test "$logins" -ge 20
is "$lost" 0 "real uids: no login lost"
is "$(ls -A "$SPOOL" | grep -c '^\.old\.')" 0 "real uids: no .old.* file left"
