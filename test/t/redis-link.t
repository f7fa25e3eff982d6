# The Redis transport (issue 12): one connection path for every program,
# AUTH in the same write as the first command, settings read once, and
# endpoints read by the host:port parser relay-ctrl-send uses.
. "$RC_TOP/test/lib.sh"
. "$RC_TOP/test/redis-lib.sh"
plan 42
redis_need relay-ctrl-query
command -v strace >/dev/null || { failed "strace is not installed (test/deps)"; exit 0; }
P1=$BASE PW=$((BASE + 1)) PDEAD=$((BASE + 2))
R1=127.0.0.1:$P1 RP=127.0.0.1:$PW
lines () { [ -z "$1" ] && echo 0 || wc -l <<<"$1"; }
printf 's3cret-pass\n' >"$T/pass"; chmod 600 "$T/pass"
redis_start r1 "$P1"
redis_start rp "$PW" --requirepass s3cret-pass
is "$(cli "$P1" ping):$(cli "$PW" -a s3cret-pass --no-auth-warning ping)" PONG:PONG "redis-servers up on $P1 and $PW (password)"
# put PORT ADDR USER [ARG...]: a login as relay-ctrl-allow writes it.
put () { local port=$1 a=$2 u=$3; shift 3; printf 'USER=%s\0' "$u" | cli "$port" "$@" -x set "relay-ctrl:$a" >/dev/null; cli "$port" "$@" expire "relay-ctrl:$a" 600 >/dev/null; }
for a in 192.0.2.1 192.0.2.2 192.0.2.3; do
  put "$P1" "$a" joe
  put "$PW" "$a" joe -a s3cret-pass --no-auth-warning
done

# writes PROG ARG...: under the password, the data of each sendto PROG
# makes, one line each (strace -s: enough to see the command names).
# LeakSanitizer cannot run under ptrace: off, for a sanitizer build.
writes () {
  run ASAN_OPTIONS=detect_leaks=0 RELAY_CTRL_REDIS="$RP" RELAY_CTRL_REDIS_AUTH_FD=7 TCPREMOTEIP=192.0.2.1 -- \
    sh -c 'exec 7<"$0"; t=$1; shift; exec strace -qq -f -s 120 -e trace=sendto,sendmsg -o "$t" "$@"' "$T/pass" "$T/trace" "$@"
  WRITES=$(grep -E '^[0-9]+ +(sendto|sendmsg)\(' "$T/trace")
  FIRST=$(sed -n 1p <<<"$WRITES")
}
writes relay-ctrl-query 192.0.2.1
is "$RC" 0 "query with a password: found"
is "$(lines "$WRITES")" 1 "query with a password: one write to Redis (AUTH with the GET)"
has "$FIRST" 'AUTH.*s3cret-pass.*GET.*relay-ctrl:192.0.2.1' "query: AUTH and GET in that first write"
writes relay-ctrl-list -m
is "$RC:$(lines "$OUT")" "0:3" "list with a password: the three keys"
has "$FIRST" 'AUTH.*SCAN' "list: AUTH travels with the SCAN"
is "$(grep -c AUTH <<<"$WRITES")" 1 "list: AUTH sent once"
is "$(lines "$WRITES")" 7 "list: 1 + 2 per key writes (AUTH+SCAN, then GET and TTL)"
writes relay-ctrl-check true
is "$(lines "$WRITES")" 1 "check with a password: one write"
has "$FIRST" 'AUTH.*GET' "check: AUTH and GET together"
writes relay-ctrl-allow true
is "$(lines "$WRITES")" 1 "allow with a password: one write"
has "$FIRST" 'AUTH.*SET.*relay-ctrl:192.0.2.1' "allow: AUTH and SET together"

# A wrong password: said once, by the reply to the pipelined AUTH.
printf 'wrong\n' >"$T/bad"; chmod 600 "$T/bad"
run RELAY_CTRL_REDIS="$RP" -- sh -c 'exec 7<"$0"; RELAY_CTRL_REDIS_AUTH_FD=7 exec relay-ctrl-query 192.0.2.1' "$T/bad"
is "$RC" 111 "query, wrong password: exit 111"
has "$ERR" "unable to query 192.0.2.1 in Redis $RP: authentication failed: it answered: " "query, wrong password: the reason"
is "$(lines "$ERR")" 1 "query, wrong password: one line"
run RELAY_CTRL_REDIS="$RP" -- relay-ctrl-list -m
has "$ERR" "unable to list the keys in Redis $RP: it answered: 'NOAUTH|it answered: NOAUTH" "list, no password for a server that wants one: the server's refusal"

# Settings read once: a junk timeout is one warning, however many
# commands (on main, one per command).
run RELAY_CTRL_REDIS="$R1" RELAY_CTRL_REDIS_TIMEOUT=junk -- relay-ctrl-list -m
is "$RC:$(lines "$OUT")" "0:3" "list, junk timeout: the keys, with the default"
is "$(grep -c 'RELAY_CTRL_REDIS_TIMEOUT=junk is not a number of milliseconds from 1 to 60000, using 200' <<<"$ERR")" 1 "list, junk timeout: one warning"
is "$(lines "$ERR")" 1 "list, junk timeout: nothing else"
run RELAY_CTRL_REDIS="$R1" RELAY_CTRL_REDIS_TIMEOUT=junk -- relay-ctrl-revoke -u joe
is "$(grep -c 'RELAY_CTRL_REDIS_TIMEOUT=junk' <<<"$ERR")" 1 "revoke -u, junk timeout: one warning"
is "$(cli "$P1" dbsize)" 0 "revoke -u: the keys are gone"

# One host:port parser: what relay-ctrl-send takes, Redis takes (the
# port defaulting to 6379), and what one refuses the other refuses.
put "$P1" 192.0.2.9 v6
for ep in "[::1]:$P1" "[::ffff:127.0.0.1]:$P1"; do
  run RELAY_CTRL_REDIS="$ep" -- relay-ctrl-query -u 192.0.2.9
  is "$RC:$OUT:$ERR" "0:v6:" "Redis endpoint $ep: found"
done
for ep in ::1 2001:db8::1 "[::1]"; do
  run RELAY_CTRL_REDIS="$ep" RELAY_CTRL_REDIS_TIMEOUT=50 -- relay-ctrl-query 192.0.2.9
  hasnt "$ERR" 'is not a.b.c.d:port' "Redis endpoint $ep (IPv6, default port): accepted, as relay-ctrl-send accepts it"
  has "$ERR" "unable to query 192.0.2.9 in Redis $(sed 's/[][]/\\&/g' <<<"$ep"): " "Redis endpoint $ep: tried"
done
for ep in localhost "localhost:$P1" "[127.0.0.1]:$P1" "127.0.0.1:0" "127.0.0.1:x" "[::1]x"; do
  run RELAY_CTRL_REDIS="$ep" -- relay-ctrl-query 192.0.2.9
  has "$ERR" "unable to query 192.0.2.9 in Redis: RELAY_CTRL_REDIS=$(sed 's/[][]/\\&/g' <<<"$ep") is not a.b.c.d:port, \[v6addr\]:port or /socket/path" "Redis endpoint $ep: refused"
  run RELAY_CTRL_KEY_FD= TCPREMOTEIP=192.0.2.9 RELAY_CTRL_REMOTES="$ep" -- relay-ctrl-send true
  has "$ERR" "ignoring remote $(sed 's/[][]/\\&/g' <<<"$ep") in RELAY_CTRL_REMOTES: not an address with an optional port" "send: remote $ep refused too"
done
run RELAY_CTRL_REDIS="$T/r1/sock" -- relay-ctrl-query -u 192.0.2.9
is "$RC:$OUT:$ERR" "0:v6:" "Redis endpoint /unix/socket: found"
