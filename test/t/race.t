# No lost logins: relay-ctrl-age and relay-ctrl-check remove an entry only
# if it is stale at the moment of removal, even while a login refreshes
# it; relay-ctrl-revoke (by address and by user, spool and Redis) removes
# only what it judged, never a login that landed meanwhile.
. "$RC_TOP/test/lib.sh"
plan 42
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

# relay-ctrl-revoke has no test build: strace holds it 400 ms in one of
# its system calls instead (when=1: the first one), which works on any
# build, static ones included. A revoke removes whatever the judged
# entry was, so only logins landing after the judgement must survive:
# after the directory listing (getdents64) for -u, and while the entry is
# moved aside (renameat) for both. The control: 3.2's read, then unlink
# by name, with the same 400 ms between, loses the login.
# held SYSCALL CMD...: CMD with SYSCALL's first return delayed 400 ms.
held () {
  local sc=$1; shift
  strace -f -qq -o /dev/null -e trace=none -e inject="$sc:delay_exit=400000:when=1" "$@"
}
naive_revoke () { cat "$SPOOL/$X" >/dev/null; sleep 0.4; rm -f "$SPOOL/$X"; }
# rround LOGIN_AT CMD...: joe's entry, CMD in the background, bob's login
# at LOGIN_AT; prints "present" if bob's login is there after both.
rround () {
  mkspool
  printf 'USER=joe\0' >"$SPOOL/$X"; chmod 644 "$SPOOL/$X"
  local at=$1; shift
  RELAY_CTRL_DIR=$SPOOL "$@" 2>/dev/null &
  sleep "$at"
  env -i PATH="$PATH_T" RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP=$X USER=bob relay-ctrl-allow
  wait
  if cmp -s "$SPOOL/$X" <(printf 'USER=bob\0'); then echo present; else echo missing; fi
  ls -A "$SPOOL" | grep -c '^\.' >"$T/leftovers"
}
if command -v strace >/dev/null && strace -f -qq -o /dev/null -e trace=none -e inject=getpid:delay_exit=1000:when=1 true 2>"$T/.strace"; then
  is "$(rround 0.2 held rename,renameat,renameat2 "$BIN/relay-ctrl-revoke" $X)" present "relay-ctrl-revoke ADDR: a login while the entry is moved aside survives"
  is "$(cat "$T/leftovers")" 0 "relay-ctrl-revoke ADDR: no .old.* file left"
  is "$(rround 0.2 held rename,renameat,renameat2 "$BIN/relay-ctrl-revoke" -u joe)" present "relay-ctrl-revoke -u: a login while the entry is moved aside survives"
  is "$(cat "$T/leftovers")" 0 "relay-ctrl-revoke -u: no .old.* file left"
  is "$(rround 0.2 held getdents64 "$BIN/relay-ctrl-revoke" -u joe)" present "relay-ctrl-revoke -u: a login between the listing and the removal survives"
  is "$(cat "$T/leftovers")" 0 "relay-ctrl-revoke -u: no .old.* file left (login after the listing)"
  is "$(rround 0.2 naive_revoke)" missing "control: a test-then-unlink revoke loses that login"
else
  for _ in 1 2 3 4 5 6 7; do failed "strace can delay a system call (test/deps strace; ptrace allowed)" "$(cat "$T/.strace" 2>/dev/null)"; done
fi

# 2. Stress with real timing: logins cycle through K addresses while two
# agers and a checker loop over the spool with RELAY_CTRL_EXPIRY=1, so
# entries go stale just as their next login lands. A login is lost when
# its entry is gone for good right after it (a missing entry is looked
# at again 50 ms later: the move aside lasts microseconds). An entry may
# expire for real once the clock is two seconds past the login's second
# (mtime + 1 < now): a missing one counts as lost only if the second look
# came before that, so a slow (loaded) machine cannot fake a loss.
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
  t0=${EPOCHREALTIME%.*}
  TCPREMOTEIP=$a "$BIN/relay-ctrl-allow"
  logins=$((logins + 1))
  if [ ! -e "$SPOOL/$a" ]; then
    sleep 0.05
    [ -e "$SPOOL/$a" ] || { [ "${EPOCHREALTIME%.*}" -lt $((t0 + 2)) ] && lost=$((lost + 1)); }
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

# revoke -u as the SMTP user (the man page allows any spool user) on
# the mail user's entries, held as above; bob's login is the mail user's.
urround () {
  mkspool
  env -i PATH="$PATH_T" RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP=$X USER=joe relay-ctrl-chdir setuidgid "$POPU" relay-ctrl-allow
  held "$1" env -i PATH="$PATH_T" RELAY_CTRL_DIR="$SPOOL" relay-ctrl-chdir setuidgid "$SMTPU" relay-ctrl-revoke -u joe 2>/dev/null &
  sleep 0.2
  env -i PATH="$PATH_T" RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP=$X USER=bob relay-ctrl-chdir setuidgid "$POPU" relay-ctrl-allow
  wait
  if cmp -s "$SPOOL/$X" <(printf 'USER=bob\0'); then echo present; else echo missing; fi
  ls -A "$SPOOL" | grep -c '^\.' >"$T/leftovers"
}
for sc in getdents64 rename,renameat,renameat2; do
  is "$(urround $sc)" present "real uids: the SMTP user's revoke -u keeps the mail user's login landing at $sc"
  is "$(cat "$T/leftovers")" 0 "real uids: revoke -u: no .old.* file left (held at $sc)"
  is "$(stat -c %U "$SPOOL/$X" 2>/dev/null)" "$POPU" "real uids: revoke -u: the entry is still the mail user's (held at $sc)"
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
  t0=${EPOCHREALTIME%.*}
  login $a
  logins=$((logins + 1))
  if [ ! -e "$SPOOL/$a" ]; then
    sleep 0.05
    [ -e "$SPOOL/$a" ] || { [ "${EPOCHREALTIME%.*}" -lt $((t0 + 2)) ] && lost=$((lost + 1)); }
  fi
done
touch "$stop"; wait
echo "# real uids: $logins logins by $POPU over $k addresses in ${SECS}s; two agers and a revoker as root, a checker as $SMTPU; $lost lost"
ok "real uids: stress ran ($logins logins)" test "$logins" -ge 20
is "$lost" 0 "real uids: no login lost"
is "$(ls -A "$SPOOL" | grep -c '^\.old\.')" 0 "real uids: no .old.* file left"

# 4. Redis: relay-ctrl-revoke -u reads each key, then removes it only if
# it still holds what was read. A proxy in front of redis-server holds
# the removal (DEL, EVAL, UNLINK) until a new login has landed directly.
# The control: GET, then DEL, through the same proxy, loses it.
if ! command -v redis-server >/dev/null || ! nm "$BIN/relay-ctrl-revoke" 2>/dev/null | grep -q redisReaderCreate; then
  skip_part 6 "Redis: no redis-server, or a build without Redis (test/deps redis-server libhiredis-dev)"
else
  . "$RC_TOP/test/redis-lib.sh"
  redis_start rr "$BASE"
  is "$(cli "$BASE" ping)" PONG "Redis: redis-server up"
  mkdir -p "$T/px"
  perl -MIO::Socket::INET -MIO::Select -e '
    my ($lport, $uport, $dir) = @ARGV;
    my $l = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => $lport, Listen => 5, ReuseAddr => 1) or die "listen: $!";
    open(my $f, ">", "$dir/listening"); close $f;
    $SIG{CHLD} = "IGNORE";
    while (1) {
      my $c = $l->accept or next;
      next if fork;
      my $u = IO::Socket::INET->new(PeerAddr => "127.0.0.1", PeerPort => $uport) or exit 1;
      my $s = IO::Select->new($c, $u);
      while (1) {
        for my $h ($s->can_read) {
          my $n = sysread($h, my $buf, 65536);
          exit 0 unless $n;
          if ($h == $c && $buf =~ /\r\n(DEL|UNLINK|EVAL|EVALSHA|FCALL)\r\n/i) {
            open(my $m, ">", "$dir/held"); close $m;
            for (1 .. 250) { last if -e "$dir/release"; select(undef, undef, undef, 0.02) }
          }
          syswrite($h == $c ? $u : $c, $buf);
        }
      }
    }' "$((BASE + 1))" "$BASE" "$T/px" 2>"$T/px.err" &
  PX=$!
  cleanup "kill $PX 2>/dev/null"
  for ((i = 0; i < 250; i++)); do [ -e "$T/px/listening" ] && break; sleep 0.02; done
  newspool rs
  # redround CMD...: joe's login in Redis, CMD in the background through
  # the proxy, bob's login once the proxy holds the removal; prints what
  # the key holds at the end and whether the removal was held.
  redround () {
    rm -f "$T/px/held" "$T/px/release"
    cli "$BASE" flushall >/dev/null
    env -i PATH="$PATH_T" RELAY_CTRL_REDIS=127.0.0.1:$BASE TCPREMOTEIP=$X USER=joe relay-ctrl-allow
    KEY=$(cli "$BASE" --scan | head -n 1)
    "$@" >/dev/null 2>&1 &
    local pid=$! i
    for ((i = 0; i < 250; i++)); do [ -e "$T/px/held" ] && break; sleep 0.02; done
    [ -e "$T/px/held" ] && local held=held || local held="not held"
    env -i PATH="$PATH_T" RELAY_CTRL_REDIS=127.0.0.1:$BASE TCPREMOTEIP=$X USER=bob relay-ctrl-allow
    touch "$T/px/release"
    wait "$pid"
    echo "$held: $(cli "$BASE" get "$KEY" | tr -d '\0')"
  }
  naive_redis_revoke () { cli "$((BASE + 1))" get "$KEY" >/dev/null; cli "$((BASE + 1))" del "$KEY"; }
  is "$(redround env -i RELAY_CTRL_DIR="$T/rs/allow" RELAY_CTRL_REDIS=127.0.0.1:$((BASE + 1)) "$BIN/relay-ctrl-revoke" -u joe)" "held: USER=bob" \
    "Redis: relay-ctrl-revoke -u keeps a login landing between its read and its removal"
  is "$(redround naive_redis_revoke)" "held: " "control: GET then DEL loses that login"
  # By address, the removal is the read: whatever it removes is what it
  # names (GET then DEL named joe while removing bob's login).
  is "$(redround sh -c 'exec env -i RELAY_CTRL_REDIS=127.0.0.1:$1 "$2" "$3" 2>"$4"' - "$((BASE + 1))" "$BIN/relay-ctrl-revoke" "$X" "$T/rv.err")" "held: " \
    "Redis: relay-ctrl-revoke ADDRESS held by the proxy removes the login standing at that moment"
  has "$(cat "$T/rv.err")" "revoked $X \(user bob\) in Redis" "and names its user, not the one of an earlier read"
  hasnt "$(cat "$T/px.err")" . "Redis: the proxy ran without error"
fi
