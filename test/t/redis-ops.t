# relay-ctrl-list, -revoke and -query on the Redis store (issue 6): a
# real redis-server on loopback shared by a POP host and two SMTP hosts.
. "$RC_TOP/test/lib.sh"
plan 96
. "$RC_TOP/test/redis-lib.sh"
redis_need relay-ctrl-query
P1=$BASE PDEAD=$((BASE + 1)) PW=$((BASE + 2))
R1=127.0.0.1:$P1

redis_start r1 "$P1"
is "$(cli "$P1" ping)" PONG "redis-server up on port $P1"
newspool a; newspool b; newspool c
A=$T/a/allow B=$T/b/allow C=$T/c/allow

# Logins on POP host A: 192.0.2.1 in the spool and Redis, the others in Redis only.
allow_ran RELAY_CTRL_DIR="$A" RELAY_CTRL_REDIS="$R1" TCPREMOTEIP=192.0.2.1 USER=joe DOMAIN=example.org
allow_ran RELAY_CTRL_REDIS="$R1" RELAY_CTRL_EXPIRY=600 TCPREMOTEIP=192.0.2.2 USER=ann
allow_ran RELAY_CTRL_REDIS="$R1" TCPREMOTEIP=2001:db8::5 USER=joe
allow_ran RELAY_CTRL_REDIS="$R1" TCPREMOTEIP=192.0.2.3 USER=bob
cli "$P1" set relay-ctrl:not-an-address x >/dev/null
cli "$P1" set other:192.0.2.9 x >/dev/null

# --- list ---------------------------------------------------------------
run RELAY_CTRL_DIR="$A" RELAY_CTRL_REDIS="$R1" -- relay-ctrl-list -m
is "$RC:$ERR" "0:" "list -m with Redis: exit 0, nothing on stderr"
is "$(cut -f1,2,6 <<<"$OUT" | tr '\t' ' ')" "$(printf '%s\n' '192.0.2.1 joe@example.org fresh' '192.0.2.1 joe@example.org redis' '192.0.2.2 ann redis' '192.0.2.3 bob redis' '2001:db8::5 joe redis')" \
  "list -m: the spool entry and every Redis key named after an address, sorted, state redis"
is "$(awk -F'\t' '{ print NF }' <<<"$OUT" | sort -u)" 6 "list -m: still six fields on every line"
row=$(grep -P '^192\.0\.2\.2\t' <<<"$OUT")
left=$(cut -f5 <<<"$row"); agev=$(cut -f4 <<<"$row")
ok "list -m: LEFT is the TTL ($left)" test "$left" -ge 595 -a "$left" -le 600
ok "list -m: AGE is the expiry less the TTL ($agev with expiry 900)" test "$agev" -ge 300 -a "$agev" -le 305
run RELAY_CTRL_REDIS="$R1" -- relay-ctrl-list
is "$RC:$ERR" "0:" "list, Redis only (no spool configured): exit 0, no complaint"
has "$OUT" '^ADDRESS +USER +AGE +LEFT +STATE$' "list: the usual header"
has "$OUT" '^2001:db8::5 +joe +[0-9]+ +[0-9]+ +redis$' "list: a Redis row in the table"
is "$(grep -c ' redis$' <<<"$OUT")" 4 "list: four Redis rows"
run RELAY_CTRL_REDIS=127.0.0.1:$PDEAD RELAY_CTRL_REDIS_READ="$R1" -- relay-ctrl-list -m
is "$RC:$(count_lines "$OUT")" "0:4" "list reads RELAY_CTRL_REDIS_READ when set"
run RELAY_CTRL_REDIS="$R1" RELAY_CTRL_REDIS_PREFIX=other: -- relay-ctrl-list -m
is "$RC:$(cut -f1,6 <<<"$OUT" | tr '\t' ' ')" "0:192.0.2.9 redis" "list: RELAY_CTRL_REDIS_PREFIX honoured"
run RELAY_CTRL_DIR="$A" -- relay-ctrl-list -m
is "$RC:$(count_lines "$OUT")" "0:1" "list without RELAY_CTRL_REDIS: the spool only, as before"

# --- query --------------------------------------------------------------
run RELAY_CTRL_REDIS="$R1" -- relay-ctrl-query -u 192.0.2.2
is "$RC:$OUT:$ERR" "0:ann:" "query finds a Redis-only login: exit 0, user printed"
run RELAY_CTRL_DIR="$B" RELAY_CTRL_REDIS="$R1" -- relay-ctrl-query -u ::ffff:192.0.2.3
is "$RC:$OUT:$ERR" "0:bob:" "query, empty spool and Redis: mapped address found in Redis"
run RELAY_CTRL_DIR="$B" RELAY_CTRL_REDIS="$R1" -- relay-ctrl-query 192.0.2.99
is "$RC:$OUT:$ERR" "1::" "query: in neither: exit 1, silently"
run RELAY_CTRL_DIR="$A" RELAY_CTRL_REDIS=127.0.0.1:$PDEAD -- relay-ctrl-query -u 192.0.2.1
is "$RC:$OUT:$ERR" "0:joe@example.org:" "query: fresh in the spool: Redis never asked (a dead one logs nothing)"
run RELAY_CTRL_DIR="$B" -- relay-ctrl-query 192.0.2.2
is "$RC" 1 "query without RELAY_CTRL_REDIS: the spool only, as before"
allow_ran RELAY_CTRL_REDIS="$R1" RELAY_CTRL_EXPIRY=1 TCPREMOTEIP=192.0.2.4 USER=short
run RELAY_CTRL_REDIS="$R1" -- relay-ctrl-query 192.0.2.4
is "$RC" 0 "query: a login with TTL 1: exit 0 at once"
sleep 2
run RELAY_CTRL_REDIS="$R1" -- relay-ctrl-query 192.0.2.4
is "$RC:$ERR" "1:" "query: exit 1 once the TTL has run out"
allow_ran RELAY_CTRL_REDIS="$R1" TCPREMOTEIP=192.0.2.5 USER=del
cli "$P1" del relay-ctrl:192.0.2.5 >/dev/null
run RELAY_CTRL_REDIS="$R1" -- relay-ctrl-query 192.0.2.5
is "$RC" 1 "query: exit 1 after DEL"

# --- revoke ADDRESS: cut off on both SMTP hosts ---------------------------
allow_ran RELAY_CTRL_DIR="$A" RELAY_CTRL_REDIS="$R1" TCPREMOTEIP=192.0.2.6 USER=eve
for h in B C; do
  check_rel RELAY_CTRL_DIR="${!h}" RELAY_CTRL_REDIS="$R1" TCPREMOTEIP=192.0.2.6
  is "$REL" "" "before revoke: SMTP host $h relays for 192.0.2.6"
done
run RELAY_CTRL_DIR="$A" RELAY_CTRL_REDIS="$R1" -- relay-ctrl-revoke 192.0.2.6
is "$RC" 0 "revoke ADDRESS: exit 0"
has "$ERR" '^relay-ctrl-revoke\[[0-9]+\]: info: revoked 192\.0\.2\.6 \(user eve\) in Redis$' "revoke: the Redis key's removal logged with its user"
has "$ERR" 'info: revoked 192\.0\.2\.6 \(user eve\)$' "revoke: the spool entry's removal logged"
ok "revoke: key gone" test "$(cli "$P1" exists relay-ctrl:192.0.2.6)" = 0
ok "revoke: spool entry gone" test ! -e "$A/192.0.2.6"
for h in B C; do
  check_rel RELAY_CTRL_DIR="${!h}" RELAY_CTRL_REDIS="$R1" TCPREMOTEIP=192.0.2.6
  is "$REL" unset "after revoke: SMTP host $h refuses 192.0.2.6"
done
run RELAY_CTRL_REDIS="$R1" -- relay-ctrl-revoke 192.0.2.6
is "$RC" 1 "revoke ADDRESS again, Redis only: nothing to revoke, exit 1"
has "$ERR" 'info: nothing to revoke for 192\.0\.2\.6 in Redis$' "revoke: nothing to revoke said"
run RELAY_CTRL_REDIS="$R1" -- relay-ctrl-revoke ::FFFF:192.0.2.2
is "$RC:$(cli "$P1" exists relay-ctrl:192.0.2.2)" "0:0" "revoke a mapped form: the canonical key removed"

# --- revoke -u USER ------------------------------------------------------
allow_ran RELAY_CTRL_DIR="$A" RELAY_CTRL_REDIS="$R1" TCPREMOTEIP=192.0.2.7 USER=joe
allow_ran RELAY_CTRL_REDIS="$R1" TCPREMOTEIP=192.0.2.8 USER=joey
allow_ran RELAY_CTRL_REDIS="$R1" RELAY_CTRL_REDIS_PREFIX=other: TCPREMOTEIP=192.0.2.10 USER=joe
for h in B C; do
  check_rel RELAY_CTRL_DIR="${!h}" RELAY_CTRL_REDIS="$R1" TCPREMOTEIP=192.0.2.7
  is "$REL" "" "before revoke -u: SMTP host $h relays for joe's 192.0.2.7"
done
run RELAY_CTRL_DIR="$A" RELAY_CTRL_REDIS="$R1" -- relay-ctrl-revoke -u joe
is "$RC" 0 "revoke -u joe: exit 0"
for a in 192.0.2.1 192.0.2.7 2001:db8::5; do
  ok "revoke -u joe: key relay-ctrl:$a gone" test "$(cli "$P1" exists "relay-ctrl:$a")" = 0
  has "$ERR" "info: revoked ${a//./\\.} \(user joe(@example\.org)?\) in Redis$" "revoke -u joe: $a logged"
done
ok "revoke -u joe: the spool entries gone too" test ! -e "$A/192.0.2.1" -a ! -e "$A/192.0.2.7"
ok "revoke -u joe: joey's key kept" test "$(cli "$P1" exists relay-ctrl:192.0.2.8)" = 1
ok "revoke -u joe: a key under another prefix kept" test "$(cli "$P1" exists other:192.0.2.10)" = 1
ok "revoke -u joe: a key not named after an address kept" test "$(cli "$P1" exists relay-ctrl:not-an-address)" = 1
for h in B C; do
  for a in 192.0.2.7 192.0.2.1; do
    check_rel RELAY_CTRL_DIR="${!h}" RELAY_CTRL_REDIS="$R1" TCPREMOTEIP=$a
    is "$REL" unset "after revoke -u: SMTP host $h refuses $a"
  done
  check_rel RELAY_CTRL_DIR="${!h}" RELAY_CTRL_REDIS="$R1" TCPREMOTEIP=192.0.2.8
  is "$REL" "" "after revoke -u joe: SMTP host $h still relays for joey"
done
run RELAY_CTRL_REDIS="$R1" -- relay-ctrl-revoke -u nobody-here
is "$RC" 1 "revoke -u, no such user: exit 1"
has "$ERR" 'info: nothing to revoke for user nobody-here$' "revoke -u: nothing to revoke said"
for i in $(seq 1 250); do echo "SET relay-ctrl:198.51.100.$i \"USER=bulk\\x00\" EX 900"; done | redis-cli -h 127.0.0.1 -p "$P1" >/dev/null
run RELAY_CTRL_REDIS="$R1" -- relay-ctrl-revoke -u bulk
is "$RC:$(count_lines "$ERR")" "0:250" "revoke -u: 250 keys over several SCAN rounds, one line each"
is "$(cli "$P1" --scan --pattern 'relay-ctrl:198.51.100.*' | wc -l)" 0 "revoke -u: all 250 gone"

# --- a key of the wrong type grants nothing ------------------------------
cli "$P1" rpush relay-ctrl:192.0.2.40 x >/dev/null
run RELAY_CTRL_REDIS="$R1" -- relay-ctrl-list -m
is "$RC" 0 "list, a key of the wrong type: exit 0"
hasnt "$OUT" '^192\.0\.2\.40' "list: the wrong-type key is not listed"
has "$ERR" "warning: skipping relay-ctrl:192\.0\.2\.40 in Redis: it is not a string, which grants nothing$" "list: and it is said"
has "$OUT" '^192\.0\.2\.8	' "list: the other keys still listed"
run RELAY_CTRL_REDIS="$R1" -- relay-ctrl-query 192.0.2.40
is "$RC" 1 "query, a key of the wrong type: exit 1"
run RELAY_CTRL_REDIS="$R1" -- relay-ctrl-revoke 192.0.2.40
is "$RC:$(cli "$P1" exists relay-ctrl:192.0.2.40)" "0:0" "revoke ADDRESS removes a key of the wrong type too"

# --- Redis down, bad endpoint, password -----------------------------------
for p in list query revoke; do
  a=192.0.2.8; [ $p = list ] && a=
  run RELAY_CTRL_REDIS=127.0.0.1:$PDEAD -- timeout 5 relay-ctrl-$p $a
  is "$RC" 111 "$p, Redis down: exit 111"
  has "$ERR" "^relay-ctrl-$p\[[0-9]+\]: warning: unable to [a-z]+ .* in Redis 127\.0\.0\.1:$PDEAD: unable to connect: Connection refused$" "$p, Redis down: says so"
  is "$(count_lines "$ERR")" 1 "$p, Redis down: exactly one line"
  run RELAY_CTRL_REDIS=localhost:6379 -- relay-ctrl-$p $a
  is "$RC" 111 "$p, bad RELAY_CTRL_REDIS: exit 111"
  has "$ERR" "RELAY_CTRL_REDIS=localhost:6379 is not a\.b\.c\.d:port" "$p, bad RELAY_CTRL_REDIS: says the forms"
done
run RELAY_CTRL_DIR="$A" RELAY_CTRL_REDIS=127.0.0.1:$PDEAD -- relay-ctrl-list -m
is "$RC:$OUT" "111:" "list, spool and Redis down: the spool still listed, exit 111"
allow_ran RELAY_CTRL_DIR="$A" TCPREMOTEIP=192.0.2.11 USER=loc
run RELAY_CTRL_DIR="$A" RELAY_CTRL_REDIS=127.0.0.1:$PDEAD -- relay-ctrl-revoke 192.0.2.11
is "$RC" 111 "revoke, Redis down: exit 111"
ok "revoke, Redis down: the spool entry still removed" test ! -e "$A/192.0.2.11"
pid=$(cat "$T/r1/pid"); kill -STOP "$pid"
s=$(date +%s%N)
run RELAY_CTRL_REDIS="$R1" -- timeout 5 relay-ctrl-query 192.0.2.8
e=$(( ($(date +%s%N) - s) / 1000000 ))
kill -CONT "$pid"
is "$RC" 111 "query, Redis paused: exit 111"
ok "query, Redis paused: bounded by the timeout (${e} ms)" test "$e" -lt 1000
has "$ERR" "unable to query 192\.0\.2\.8 in Redis 127\.0\.0\.1:$P1: no answer within 200 ms$" "query, Redis paused: says so"

redis_start rw "$PW" --requirepass s3cret-pass
echo s3cret-pass > "$T/pass"; chmod 600 "$T/pass"
RP=127.0.0.1:$PW
run RELAY_CTRL_REDIS_AUTH="$T/pass" RELAY_CTRL_REDIS="$RP" TCPREMOTEIP=192.0.2.30 USER=pw -- relay-ctrl-redis-auth relay-ctrl-allow
for p in "list -m" "query -u 192.0.2.30" "revoke -u pw"; do
  run RELAY_CTRL_REDIS_AUTH="$T/pass" RELAY_CTRL_REDIS="$RP" -- relay-ctrl-redis-auth relay-ctrl-$p
  is "$RC" 0 "password through RELAY_CTRL_REDIS_AUTH_FD: $p works"
done
is "$(count_lines "$ERR")" 1 "revoke with a password: one info line"
has "$ERR" 'revoked 192\.0\.2\.30 \(user pw\) in Redis$' "revoke -u pw: the key removed"
run RELAY_CTRL_REDIS="$RP" -- relay-ctrl-query 192.0.2.30
is "$RC" 111 "no password for a server that wants one: exit 111"
has "$ERR" "it answered: NOAUTH" "and the server's refusal said"
echo wrong-pass > "$T/wrong"; chmod 600 "$T/wrong"
run RELAY_CTRL_REDIS_AUTH="$T/wrong" RELAY_CTRL_REDIS="$RP" -- relay-ctrl-redis-auth relay-ctrl-list
is "$RC" 111 "wrong password: exit 111"
has "$ERR" "unable to list the keys in Redis $RP: authentication failed: it answered: WRONGPASS" "wrong password: said"
hasnt "$ERR" "wrong-pass" "the password is not logged"

# --- a build without hiredis still runs the spool ----------------------------
if [ -x "$BIN/test/relay-ctrl-query-noredis" ]; then
  run RELAY_CTRL_DIR="$B" RELAY_CTRL_REDIS="$R1" -- "$BIN/test/relay-ctrl-query-noredis" 192.0.2.8
  is "$RC" 111 "no Redis support: query with RELAY_CTRL_REDIS set: exit 111"
  has "$ERR" "this build has no Redis support" "no Redis support: said"
  run RELAY_CTRL_DIR="$A" -- "$BIN/test/relay-ctrl-query-noredis" 192.0.2.99
  is "$RC:$ERR" "1:" "no Redis support: the spool works, silently"
fi
