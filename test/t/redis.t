# Redis (issue 6): POP and SMTP hosts sharing authorizations through real
# redis-servers on loopback, each started here with its own directory.
. "$RC_TOP/test/lib.sh"
plan 195
if [ ! -x "$BIN/test/relay-ctrl-check-noredis" ]; then
  echo "# SKIP redis.t: an old build (make)"; exit 0
fi
. "$RC_TOP/test/redis-lib.sh"
redis_need relay-ctrl-check
P1=$BASE P2=$((BASE + 1)) PW=$((BASE + 2)) PDEAD=$((BASE + 3)) PG=$((BASE + 4))
HAVE_V6=; grep -q '^0\{31\}1 ' /proc/net/if_inet6 2>/dev/null && HAVE_V6=1

R1=127.0.0.1:$P1
# allow VAR=value...: a POP login; OUT is "ran" when the POP server ran.
# check VAR=value...: REL is RELAYCLIENT as the SMTP server got it, or "unset".
# timed: like check, ELAPSED in ms, bounded by timeout 5.
timed () { local s; s=$(now_ms); run "$@" -- timeout 5 relay-ctrl-check sh -c 'echo "${RELAYCLIENT-unset}"'; ELAPSED=$(( $(now_ms) - s )); REL=$(sed -n 1p <<<"$OUT"); }

redis_start r1 "$P1"
is "$(cli "$P1" ping)" PONG "primary redis-server up on port $P1"
newspool a; newspool b; newspool c
A=$T/a/allow B=$T/b/allow C=$T/c/allow

# A login on POP host A: spool and Redis.
allow_ran RELAY_CTRL_DIR="$A" RELAY_CTRL_REDIS="$R1" TCPREMOTEIP=192.0.2.1 USER=joe DOMAIN=example.org
is "$RC:$OUT" "0:ran" "login with Redis: the POP server runs"
is "$ERR" "" "login with Redis: no log line by default"
# RELAY_CTRL_EXPIRY is read once for Redis's TTL and the refresher: one
# warning (issue 12).
allow_ran RELAY_CTRL_DIR="$A" RELAY_CTRL_REDIS="$R1" RELAY_CTRL_EXPIRY=junk RELAY_CTRL_REFRESH=60 TCPREMOTEIP=192.0.2.3
is "$RC:$OUT" "0:ran" "EXPIRY=junk, Redis and REFRESH: the POP server runs"
is "$(grep -c 'RELAY_CTRL_EXPIRY=junk is not a positive number of seconds, using 900' <<<"$ERR")" 1 "EXPIRY=junk, Redis and REFRESH: exactly one warning"
is "$(count_lines "$ERR")" 1 "EXPIRY=junk, Redis and REFRESH: nothing else logged"
ok "EXPIRY=junk: the Redis key lives 900 s" test "$(cli "$P1" ttl relay-ctrl:192.0.2.3)" -gt 890
ok "login recorded in A's spool too" test -f "$A/192.0.2.1"
is "$(cli "$P1" --no-raw get relay-ctrl:192.0.2.1)" '"USER=joe\x00DOMAIN=example.org\x00"' "key relay-ctrl:ADDR holds the spool file's records"
ttl=$(cli "$P1" ttl relay-ctrl:192.0.2.1)
ok "TTL is the default expiry, 900 s (got $ttl)" test "$ttl" -ge 895 -a "$ttl" -le 900
allow_ran RELAY_CTRL_DIR="$A" RELAY_CTRL_REDIS="$R1" RELAY_CTRL_EXPIRY=90 TCPREMOTEIP=192.0.2.2 RELAY_CTRL_LOG_IPS=1
ttl=$(cli "$P1" ttl relay-ctrl:192.0.2.2)
ok "RELAY_CTRL_EXPIRY=90 gives TTL 90 (got $ttl)" test "$ttl" -ge 85 -a "$ttl" -le 90
has "$ERR" "^relay-ctrl-allow\[[0-9]+\]: info: recorded login from 192\.0\.2\.2 in Redis 127\.0\.0\.1:$P1$" "RELAY_CTRL_LOG_IPS: Redis write logged"

allow_ran RELAY_CTRL_REDIS="$R1" RELAY_CTRL_EXPIRY=junk TCPREMOTEIP=192.0.2.14
ttl=$(cli "$P1" ttl relay-ctrl:192.0.2.14)
ok "RELAY_CTRL_EXPIRY=junk: TTL 900 (got $ttl)" test "$ttl" -ge 895 -a "$ttl" -le 900
has "$ERR" 'warning: RELAY_CTRL_EXPIRY=junk is not a positive number of seconds, using 900' "RELAY_CTRL_EXPIRY=junk: the usual warning"

# Two SMTP hosts with their own (empty) spools share the Redis.
for h in B C; do
  check_rel RELAY_CTRL_DIR="${!h}" RELAY_CTRL_REDIS="$R1" TCPREMOTEIP=192.0.2.1
  is "$REL" "" "SMTP host $h relays for a login made on A"
  has "$OUT" '^USER=joe$' "SMTP host $h: USER imported from Redis"
  has "$OUT" '^DOMAIN=example.org$' "SMTP host $h: DOMAIN imported from Redis"
  is "$ERR" "" "SMTP host $h: no log line by default"
  ok "SMTP host $h: nothing written to its spool" test -z "$(ls -A "${!h}")"
done
check_rel RELAY_CTRL_DIR="$B" RELAY_CTRL_REDIS="$R1" TCPREMOTEIP=192.0.2.1 RELAY_CTRL_LOG_IPS=1 RELAY_CTRL_LOG_ENV=1
has "$ERR" 'info: relaying for 192\.0\.2\.1 \(Redis\)$' "RELAY_CTRL_LOG_IPS: relaying from Redis logged"
has "$ERR" 'info: 192\.0\.2\.1: imported USER=joe$' "RELAY_CTRL_LOG_ENV: imports from Redis logged"
is "$(count_lines "$ERR")" 3 "one line for the decision, one per import"
check_rel RELAY_CTRL_DIR="$B" RELAY_CTRL_REDIS="$R1" TCPREMOTEIP=192.0.2.99 RELAY_CTRL_LOG_IPS=1
is "$REL" unset "no login anywhere: refused"
has "$ERR" '^relay-ctrl-check\[[0-9]+\]: info: not relaying for 192\.0\.2\.99: no login recorded$' "no login: one info line"
is "$(count_lines "$ERR")" 1 "no login in spool nor Redis: exactly one line"
check_rel RELAY_CTRL_DIR="$B" RELAY_CTRL_REDIS="$R1" TCPREMOTEIP=192.0.2.1 RELAY_CTRL_RELAYCLIENT=@relay
is "$REL" "@relay" "RELAY_CTRL_RELAYCLIENT applies to Redis authorizations"

# Canonical addresses: every form agrees across hosts.
allow_ran RELAY_CTRL_REDIS="$R1" TCPREMOTEIP=::ffff:192.0.2.3
ok "mapped ::ffff:192.0.2.3 stored as relay-ctrl:192.0.2.3" test "$(cli "$P1" exists relay-ctrl:192.0.2.3)" = 1
check_rel RELAY_CTRL_REDIS="$R1" TCPREMOTEIP=192.0.2.3
is "$REL" "" "and found from 192.0.2.3"
allow_ran RELAY_CTRL_REDIS="$R1" TCPREMOTEIP=2001:DB8:0:0::7
ok "2001:DB8:0:0::7 stored as relay-ctrl:2001:db8::7" test "$(cli "$P1" exists relay-ctrl:2001:db8::7)" = 1
check_rel RELAY_CTRL_REDIS="$R1" TCPREMOTEIP=2001:0db8::0007
is "$REL" "" "and found from 2001:0db8::0007"

# Redis only: no spool configured on either side, and no complaint.
allow_ran RELAY_CTRL_REDIS="$R1" TCPREMOTEIP=192.0.2.4 USER=ann
is "$RC:$OUT:$ERR" "0:ran:" "Redis only: login recorded, no spool warning"
ok "Redis only: key written" test "$(cli "$P1" exists relay-ctrl:192.0.2.4)" = 1
check_rel RELAY_CTRL_REDIS="$R1" TCPREMOTEIP=192.0.2.4
is "$REL:$ERR" ":" "Redis only: SMTP relays, no spool warning"
# relay-ctrl-policy asks Redis too (issue 12): it answered DUNNO here.
policy () { local a=$1; shift; run "$@" -- sh -c 'printf "request=smtpd_access_policy\nclient_address=%s\n\n" "$1" | relay-ctrl-policy' sh "$a"; }
policy 192.0.2.4 RELAY_CTRL_REDIS="$R1"
is "$RC:$OUT:$ERR" "0:action=OK:" "Redis only: relay-ctrl-policy answers OK, no spool warning"
policy 192.0.2.4 RELAY_CTRL_REDIS="$R1" RELAY_CTRL_LOG_IPS=1
has "$ERR" '^relay-ctrl-policy\[[0-9]+\]: info: relaying for 192\.0\.2\.4 \(Redis\)$' "policy, RELAY_CTRL_LOG_IPS: relaying from Redis logged"
policy 192.0.2.99 RELAY_CTRL_REDIS="$R1" RELAY_CTRL_LOG_IPS=1
is "$OUT" action=DUNNO "policy, no login in Redis: DUNNO"
has "$ERR" '^relay-ctrl-policy\[[0-9]+\]: info: not relaying for 192\.0\.2\.99: no login recorded$' "policy, no login: one info line"
is "$(count_lines "$ERR")" 1 "policy, no login in spool nor Redis: exactly one line"
policy 192.0.2.4 RELAY_CTRL_DIR="$C" RELAY_CTRL_REDIS="$R1"
is "$OUT:$ERR" "action=OK:" "policy, empty spool, login in Redis: OK"
policy 192.0.2.4 RELAY_CTRL_REDIS=127.0.0.1:$PDEAD
is "$OUT" action=DUNNO "policy, Redis down: DUNNO"
has "$ERR" "^relay-ctrl-policy\[[0-9]+\]: warning: not relaying for 192\.0\.2\.4: Redis 127\.0\.0\.1:$PDEAD: unable to connect: Connection refused$" "policy, Redis down: one warning"
is "$(count_lines "$ERR")" 1 "policy, Redis down: exactly one line"

# Prefix.
allow_ran RELAY_CTRL_REDIS="$R1" RELAY_CTRL_REDIS_PREFIX=site2/ TCPREMOTEIP=192.0.2.5
ok "RELAY_CTRL_REDIS_PREFIX=site2/: key site2/192.0.2.5" test "$(cli "$P1" exists site2/192.0.2.5)" = 1
check_rel RELAY_CTRL_REDIS="$R1" RELAY_CTRL_REDIS_PREFIX=site2/ TCPREMOTEIP=192.0.2.5
is "$REL" "" "same prefix on the SMTP side: relays"
check_rel RELAY_CTRL_REDIS="$R1" TCPREMOTEIP=192.0.2.5
is "$REL" unset "default prefix on the SMTP side: refused"

# The spool is the fast path: a fresh entry relays without Redis.
check_rel RELAY_CTRL_DIR="$A" RELAY_CTRL_REDIS=127.0.0.1:$PDEAD TCPREMOTEIP=192.0.2.1
is "$REL:$ERR" ":" "fresh spool entry: relays, Redis never asked (a dead one logs nothing)"
check_rel RELAY_CTRL_DIR="$B" RELAY_CTRL_REDIS=127.0.0.1:$PDEAD TCPREMOTEIP=192.0.2.1 RELAYCLIENT=
is "$REL:$ERR" ":" "RELAYCLIENT preset: Redis never asked"

# A spool entry that no longer allows falls back to Redis.
: > "$B/192.0.2.2"; age "$B/192.0.2.2" 5000
check_rel RELAY_CTRL_DIR="$B" RELAY_CTRL_REDIS="$R1" TCPREMOTEIP=192.0.2.2
is "$REL" "" "expired spool entry, login in Redis: relays"
ok "and the expired entry is removed as usual" test ! -e "$B/192.0.2.2"
ln -s /etc/passwd "$B/192.0.2.2"
check_rel RELAY_CTRL_DIR="$B" RELAY_CTRL_REDIS="$R1" TCPREMOTEIP=192.0.2.2
is "$REL" "" "symlink in the spool, login in Redis: relays from Redis"
has "$ERR" 'its spool entry is a symbolic link' "and the symlink is still reported"
rm -f "$B/192.0.2.2"

# Hostile values: the same allowlist as the spool's.
printf 'RELAYCLIENT=@evil.example\0PATH=/tmp/evil\0USER=joe\0' | redis-cli -h 127.0.0.1 -p "$P1" -x set relay-ctrl:192.0.2.6 >/dev/null
check_rel RELAY_CTRL_REDIS="$R1" TCPREMOTEIP=192.0.2.6 RELAY_CTRL_IMPORT=PATH
is "$REL" "" "value setting RELAYCLIENT: our empty value wins"
hasnt "$OUT" evil "PATH and RELAYCLIENT from Redis not imported"
has "$OUT" '^USER=joe$' "the good record still imported"
has "$ERR" 'warning: ignored 2 record\(s\) of 192\.0\.2\.6 in Redis, the first for: name not importable' "rejected records: one warning"
cli "$P1" rpush relay-ctrl:192.0.2.8 x >/dev/null
check_rel RELAY_CTRL_REDIS="$R1" TCPREMOTEIP=192.0.2.8
is "$REL" unset "key of the wrong type: refused"
has "$ERR" 'warning: not relaying for 192\.0\.2\.8: Redis 127\.0\.0\.1:[0-9]+: it answered: WRONGTYPE' "wrong type: the server's error logged"

# Expiry is the key's TTL.
allow_ran RELAY_CTRL_REDIS="$R1" RELAY_CTRL_EXPIRY=2 TCPREMOTEIP=192.0.2.9
check_rel RELAY_CTRL_DIR="$B" RELAY_CTRL_REDIS="$R1" TCPREMOTEIP=192.0.2.9
is "$REL" "" "EXPIRY=2: relays at once"
sleep 3
check_rel RELAY_CTRL_DIR="$B" RELAY_CTRL_REDIS="$R1" TCPREMOTEIP=192.0.2.9
is "$REL" unset "EXPIRY=2: refused 3 s later (the key expired)"

# Revoke on every host at once: delete the key.
cli "$P1" del relay-ctrl:192.0.2.1 >/dev/null
for h in B C; do
  check_rel RELAY_CTRL_DIR="${!h}" RELAY_CTRL_REDIS="$R1" TCPREMOTEIP=192.0.2.1
  is "$REL" unset "key deleted: SMTP host $h refuses"
done

# Primary and replica: logins write the primary, checks read the replica.
redis_start r2 "$P2" --replicaof 127.0.0.1 "$P1"
for ((i = 0; i < 250; i++)); do cli "$P2" info replication | grep -q 'master_link_status:up' && break; sleep 0.02; done
has "$(cli "$P2" info replication)" 'master_link_status:up' "replica linked to the primary"
allow_ran RELAY_CTRL_REDIS="$R1" RELAY_CTRL_REDIS_READ=127.0.0.1:$PDEAD TCPREMOTEIP=192.0.2.10 USER=rep
is "$RC:$OUT:$ERR" "0:ran:" "login with a read endpoint configured: writes the primary"
for ((i = 0; i < 100; i++)); do [ "$(cli "$P2" exists relay-ctrl:192.0.2.10)" = 1 ] && break; sleep 0.02; done
check_rel RELAY_CTRL_DIR="$B" RELAY_CTRL_REDIS=127.0.0.1:$PDEAD RELAY_CTRL_REDIS_READ=127.0.0.1:$P2 TCPREMOTEIP=192.0.2.10
is "$REL" "" "check reads RELAY_CTRL_REDIS_READ (the replica; the primary given is dead)"
has "$OUT" '^USER=rep$' "records read from the replica"
allow_ran RELAY_CTRL_REDIS=127.0.0.1:$P2 TCPREMOTEIP=192.0.2.11
is "$OUT" ran "login pointed at the read-only replica: the POP server runs"
has "$ERR" "^relay-ctrl-allow\[[0-9]+\]: warning: not recording login from 192\.0\.2\.11 in Redis 127\.0\.0\.1:$P2: it answered: READONLY" "and the replica's refusal is one warning"
is "$(count_lines "$ERR")" 1 "exactly one line"

# Endpoints: IPv6 and unix socket.
if [ -n "$HAVE_V6" ]; then
  allow_ran RELAY_CTRL_REDIS="[::1]:$P1" TCPREMOTEIP=192.0.2.12
  is "$OUT:$ERR" "ran:" "[::1]:port: login recorded"
  check_rel RELAY_CTRL_REDIS="[::1]:$P1" TCPREMOTEIP=192.0.2.12
  is "$REL:$ERR" ":" "[::1]:port: relays"
else
  skip_part 2 "IPv6 endpoint: no ::1 on this machine"
fi
allow_ran RELAY_CTRL_REDIS="$T/r1/sock" TCPREMOTEIP=192.0.2.13
is "$OUT:$ERR" "ran:" "unix socket: login recorded"
check_rel RELAY_CTRL_REDIS="$T/r1/sock" TCPREMOTEIP=192.0.2.13
is "$REL:$ERR" ":" "unix socket: relays"
for bad in localhost:6379 ::1:6379 '[::1' '127.0.0.1:0' '127.0.0.1:99999' '127.0.0.1:x' '[::1]x' ''; do
  check_rel RELAY_CTRL_REDIS="$bad" RELAY_CTRL_DIR="$B" TCPREMOTEIP=192.0.2.1
  is "$RC:$REL" "0:unset" "RELAY_CTRL_REDIS='$bad': SMTP runs, no relaying"
done
has "$ERR" "warning: not relaying for 192\.0\.2\.1: RELAY_CTRL_REDIS= is not a\.b\.c\.d:port, \[v6addr\]:port or /socket/path" "bad endpoint: one warning saying the forms"
allow_ran RELAY_CTRL_REDIS=localhost:6379 TCPREMOTEIP=192.0.2.1
is "$OUT" ran "bad endpoint: login proceeds"
has "$ERR" "not recording login from 192\.0\.2\.1: RELAY_CTRL_REDIS=localhost:6379 is not" "bad endpoint at login: warning"
check_rel RELAY_CTRL_REDIS="$R1" RELAY_CTRL_REDIS_TIMEOUT=abc TCPREMOTEIP=192.0.2.13
is "$REL" "" "junk RELAY_CTRL_REDIS_TIMEOUT: default used"
has "$ERR" 'warning: RELAY_CTRL_REDIS_TIMEOUT=abc is not a number of milliseconds from 1 to 60000, using 200' "junk RELAY_CTRL_REDIS_TIMEOUT: warning"

# Failures: mail flows, relaying fails closed, logins proceed, one line each.
allow_ran RELAY_CTRL_REDIS=127.0.0.1:$PDEAD TCPREMOTEIP=192.0.2.20
is "$RC:$OUT" "0:ran" "Redis down: login proceeds"
has "$ERR" "^relay-ctrl-allow\[[0-9]+\]: warning: not recording login from 192\.0\.2\.20 in Redis 127\.0\.0\.1:$PDEAD: unable to connect: Connection refused$" "Redis down: one warning at login"
is "$(count_lines "$ERR")" 1 "Redis down at login: exactly one line"
allow_ran RELAY_CTRL_DIR="$A" RELAY_CTRL_REDIS=127.0.0.1:$PDEAD TCPREMOTEIP=192.0.2.20
ok "Redis down: the local spool is still written" test -f "$A/192.0.2.20"
check_rel RELAY_CTRL_REDIS=127.0.0.1:$PDEAD RELAY_CTRL_DIR="$B" TCPREMOTEIP=192.0.2.20
is "$RC:$REL" "0:unset" "Redis down: SMTP runs, no relaying"
has "$ERR" "^relay-ctrl-check\[[0-9]+\]: warning: not relaying for 192\.0\.2\.20: Redis 127\.0\.0\.1:$PDEAD: unable to connect: Connection refused$" "Redis down: one warning"
is "$(count_lines "$ERR")" 1 "Redis down: exactly one line"
check_rel RELAY_CTRL_REDIS=127.0.0.1:$PDEAD RELAY_CTRL_DIR="$A" TCPREMOTEIP=192.0.2.20
is "$REL" "" "Redis down: a login in the local spool still relays (migration without a gap)"

allow_ran RELAY_CTRL_REDIS="$R1" TCPREMOTEIP=192.0.2.21
pid1=$(cat "$T/r1/pid")
kill -STOP "$pid1"
timed RELAY_CTRL_REDIS="$R1" TCPREMOTEIP=192.0.2.21
is "$RC:$REL" "0:unset" "Redis paused (SIGSTOP): SMTP runs, no relaying"
ok "Redis paused: check returns within the 200 ms default + margin (${ELAPSED} ms)" test "$ELAPSED" -lt 1000
has "$ERR" "warning: not relaying for 192\.0\.2\.21: Redis 127\.0\.0\.1:$P1: no answer within 200 ms$" "Redis paused: one warning"
is "$(count_lines "$ERR")" 1 "Redis paused: exactly one line"
timed RELAY_CTRL_REDIS="$R1" RELAY_CTRL_REDIS_TIMEOUT=700 TCPREMOTEIP=192.0.2.21
ok "RELAY_CTRL_REDIS_TIMEOUT=700: waits about 700 ms (${ELAPSED} ms)" test "$ELAPSED" -ge 690 -a "$ELAPSED" -lt 1700
has "$ERR" "no answer within 700 ms" "RELAY_CTRL_REDIS_TIMEOUT in the warning"
timed RELAY_CTRL_REDIS="$T/r1/sock" TCPREMOTEIP=192.0.2.21
ok "Redis paused, unix socket: bounded too (${ELAPSED} ms)" test "$RC:$REL" = "0:unset" -a "$ELAPSED" -lt 1000
s=$(now_ms); run RELAY_CTRL_REDIS="$R1" TCPREMOTEIP=192.0.2.22 -- timeout 5 relay-ctrl-allow sh -c 'echo ran'; e=$(( $(now_ms) - s ))
ok "Redis paused: login proceeds within the timeout (${e} ms)" test "$RC:$OUT" = "0:ran" -a "$e" -lt 1000
has "$ERR" "not recording login from 192\.0\.2\.22 in Redis 127\.0\.0\.1:$P1: no answer within 200 ms" "Redis paused: warning at login"
kill -CONT "$pid1"
check_rel RELAY_CTRL_REDIS="$R1" TCPREMOTEIP=192.0.2.21
is "$REL:$ERR" ":" "Redis resumed: relays again"

redis_stop r1
check_rel RELAY_CTRL_REDIS="$R1" TCPREMOTEIP=192.0.2.21
is "$REL" unset "Redis stopped: no relaying"
has "$ERR" "Connection refused" "Redis stopped: says so"
redis_start r1 "$P1"
check_rel RELAY_CTRL_REDIS="$R1" TCPREMOTEIP=192.0.2.21
is "$REL:$ERR" "unset:" "Redis restarted empty (no persistence): the old login is gone, quietly"
allow_ran RELAY_CTRL_REDIS="$R1" TCPREMOTEIP=192.0.2.21
check_rel RELAY_CTRL_REDIS="$R1" TCPREMOTEIP=192.0.2.21
is "$REL:$ERR" ":" "Redis restarted: a new login relays"

# Passwords: from a descriptor opened by relay-ctrl-redis-auth, never in
# an environment.
redis_start rp "$PW" --requirepass s3cret-pass
echo s3cret-pass > "$T/pass"; chmod 600 "$T/pass"
echo wrong-pass > "$T/wrong"; chmod 600 "$T/wrong"
RP=127.0.0.1:$PW
run RELAY_CTRL_REDIS_AUTH="$T/pass" RELAY_CTRL_REDIS="$RP" TCPREMOTEIP=192.0.2.30 USER=joe -- \
  relay-ctrl-redis-auth relay-ctrl-allow sh -c 'echo "${RELAY_CTRL_REDIS_AUTH_FD-nofd}"; for f in /proc/$$/fd/*; do readlink "$f"; done; tr "\0" "\n" </proc/$$/environ'
is "$(sed -n 1p <<<"$OUT"):$ERR" "nofd:" "password: login recorded, the POP server gets no RELAY_CTRL_REDIS_AUTH_FD"
hasnt "$OUT" "^$T/pass$|s3cret" "the POP server holds no descriptor to the password file, nor the password"
is "$(redis-cli -h 127.0.0.1 -p "$PW" -a s3cret-pass --no-auth-warning exists relay-ctrl:192.0.2.30)" 1 "password: the key is written"
run RELAY_CTRL_REDIS_AUTH="$T/pass" RELAY_CTRL_REDIS="$RP" TCPREMOTEIP=192.0.2.30 -- \
  relay-ctrl-redis-auth relay-ctrl-check sh -c 'echo "${RELAYCLIENT-unset}"; echo "${RELAY_CTRL_REDIS_AUTH_FD-nofd}"; for f in /proc/$$/fd/*; do readlink "$f"; done; tr "\0" "\n" </proc/$$/environ'
is "$(sed -n 1,2p <<<"$OUT" | tr '\n' :)$ERR" ":nofd:" "password: SMTP relays, gets no RELAY_CTRL_REDIS_AUTH_FD"
hasnt "$OUT" "^$T/pass$|s3cret" "the SMTP server holds no descriptor to the password file, nor the password"
run RELAY_CTRL_REDIS_AUTH="$T/pass" RELAY_CTRL_REDIS="$RP" RELAYCLIENT= TCPREMOTEIP=192.0.2.30 -- \
  relay-ctrl-redis-auth relay-ctrl-check sh -c 'echo "${RELAY_CTRL_REDIS_AUTH_FD-nofd}"; for f in /proc/$$/fd/*; do readlink "$f"; done'
hasnt "$OUT" "^$T/pass$|^[0-9]" "RELAYCLIENT preset: the descriptor is closed all the same"
# The password must never be found in a running PROG's environment.
run RELAY_CTRL_REDIS_AUTH="$T/pass" RELAY_CTRL_REDIS="$RP" TCPREMOTEIP=192.0.2.30 -- \
  relay-ctrl-redis-auth setuidgid nobody relay-ctrl-allow sh -c 'sleep 1 & p=$!; cat /proc/$p/environ | tr "\0" "\n"; wait'
is "$ERR" "" "password as nobody (after privileges drop): login recorded"
hasnt "$OUT" s3cret "the password is not in the environment of the POP server's children"
run RELAY_CTRL_REDIS_AUTH="$T/wrong" RELAY_CTRL_REDIS="$RP" TCPREMOTEIP=192.0.2.30 -- relay-ctrl-redis-auth relay-ctrl-check sh -c 'echo "${RELAYCLIENT-unset}"'
is "$RC:$OUT" "0:unset" "wrong password: SMTP runs, no relaying"
has "$ERR" "^relay-ctrl-check\[[0-9]+\]: warning: not relaying for 192\.0\.2\.30: Redis $RP: authentication failed: it answered: WRONGPASS" "wrong password: one clear warning"
is "$(count_lines "$ERR")" 1 "wrong password: exactly one line"
hasnt "$ERR" "wrong-pass" "the password is not logged"
run RELAY_CTRL_REDIS_AUTH="$T/wrong" RELAY_CTRL_REDIS="$RP" TCPREMOTEIP=192.0.2.31 -- relay-ctrl-redis-auth relay-ctrl-allow sh -c 'echo ran'
is "$OUT" ran "wrong password: login proceeds"
has "$ERR" "not recording login from 192\.0\.2\.31 in Redis $RP: authentication failed: it answered: WRONGPASS" "wrong password at login: warning"
check_rel RELAY_CTRL_REDIS="$RP" TCPREMOTEIP=192.0.2.30
is "$REL" unset "no password for a server that wants one: no relaying"
has "$ERR" "Redis $RP: it answered: NOAUTH" "no password: the server's NOAUTH logged"
redis-cli -h 127.0.0.1 -p "$PW" -a s3cret-pass --no-auth-warning acl setuser relay on '>relay-pass' '~relay-ctrl:*' +get +set >/dev/null
echo relay-pass > "$T/relaypass"; chmod 600 "$T/relaypass"
run RELAY_CTRL_REDIS_AUTH="$T/relaypass" RELAY_CTRL_REDIS_USER=relay RELAY_CTRL_REDIS="$RP" TCPREMOTEIP=192.0.2.32 -- relay-ctrl-redis-auth relay-ctrl-allow
is "$ERR" "" "ACL user (RELAY_CTRL_REDIS_USER): login recorded"
run RELAY_CTRL_REDIS_AUTH="$T/relaypass" RELAY_CTRL_REDIS_USER=relay RELAY_CTRL_REDIS="$RP" TCPREMOTEIP=192.0.2.32 -- relay-ctrl-redis-auth relay-ctrl-check sh -c 'echo "${RELAYCLIENT-unset}"'
is "$OUT:$ERR" ":" "ACL user: relays"
check_rel RELAY_CTRL_REDIS_USER=relay RELAY_CTRL_REDIS="$RP" TCPREMOTEIP=192.0.2.32
has "$REL:$ERR" "^unset:.*RELAY_CTRL_REDIS_USER is set but there is no password" "user without password: refused, said"
run RELAY_CTRL_REDIS_AUTH="$T/pass" RELAY_CTRL_REDIS="$RP" TCPREMOTEIP=192.0.2.30 -- sh -c "exec 7<'$T/pass'; chmod 644 '$T/pass'; RELAY_CTRL_REDIS_AUTH_FD=7 exec relay-ctrl-check sh -c 'echo \"\${RELAYCLIENT-unset}\"'"
chmod 600 "$T/pass"
is "$OUT" unset "a password file readable by others, passed by hand: not used"
has "$ERR" "the password file is not a regular file readable by its owner only" "and said"

for fdv in junk 99; do
  check_rel RELAY_CTRL_REDIS="$RP" RELAY_CTRL_REDIS_AUTH_FD=$fdv TCPREMOTEIP=192.0.2.30
  is "$RC:$REL" "0:unset" "RELAY_CTRL_REDIS_AUTH_FD=$fdv: SMTP runs, no relaying"
  is "$(count_lines "$ERR")" 1 "RELAY_CTRL_REDIS_AUTH_FD=$fdv: exactly one line"
done
has "$ERR" "not relaying for 192\.0\.2\.30: Redis $RP: unable to stat the password file: Bad file descriptor" "closed descriptor: said"
check_rel RELAY_CTRL_REDIS="$RP" RELAY_CTRL_REDIS_AUTH_FD=junk TCPREMOTEIP=192.0.2.30
has "$ERR" "RELAY_CTRL_REDIS_AUTH_FD=junk is not a file descriptor" "junk descriptor: said"
: > "$T/empty.pass"; chmod 600 "$T/empty.pass"
run RELAY_CTRL_REDIS_AUTH="$T/empty.pass" RELAY_CTRL_REDIS="$RP" TCPREMOTEIP=192.0.2.30 -- relay-ctrl-redis-auth relay-ctrl-check sh -c 'echo "${RELAYCLIENT-unset}"'
is "$OUT" unset "empty password file: no relaying"
has "$ERR" "the password file is empty or longer than 511 bytes" "empty password file: said"

# relay-ctrl-redis-auth itself.
run -- relay-ctrl-redis-auth
is "$RC" 100 "relay-ctrl-redis-auth without a program: exit 100"
has "$ERR" '^relay-ctrl-redis-auth\[[0-9]+\]: fatal: usage: relay-ctrl-redis-auth prog' "usage line"
chmod 640 "$T/pass"
run RELAY_CTRL_REDIS_AUTH="$T/pass" -- relay-ctrl-redis-auth sh -c 'echo "${RELAY_CTRL_REDIS_AUTH_FD-nofd}"'
chmod 600 "$T/pass"
is "$OUT" nofd "password file readable by its group: not passed, the program still runs"
has "$ERR" "refusing key $T/pass: it is accessible to group or others \(mode 0640\)" "and it says why"
run RELAY_CTRL_REDIS_AUTH="$T/nonexistent" -- relay-ctrl-redis-auth sh -c 'echo "${RELAY_CTRL_REDIS_AUTH_FD-nofd}"'
is "$OUT" nofd "missing password file: not passed, the program runs"
has "$ERR" "warning: not passing a Redis password: unable to open $T/nonexistent: No such file or directory" "missing password file: warning"
run RELAY_CTRL_REDIS_AUTH_FD=5 -- relay-ctrl-redis-auth sh -c 'echo "${RELAY_CTRL_REDIS_AUTH_FD-nofd}"'
is "$OUT" nofd "RELAY_CTRL_REDIS_AUTH unset: an inherited RELAY_CTRL_REDIS_AUTH_FD is unset"
run RELAY_CTRL_REDIS_AUTH="$T/pass" -- relay-ctrl-redis-auth sh -c 'f=$RELAY_CTRL_REDIS_AUTH_FD; [ "$f" -gt 100 ] && readlink /proc/$$/fd/$f'
is "$OUT" "$T/pass" "the descriptor is parked high and open on the file"

# Protocol garbage and misbehaving servers (a fake Redis in python3).
cat > "$T/fake.py" <<'EOF'
import socket, sys, time
mode, port = sys.argv[1], int(sys.argv[2])
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port)); s.listen(16)
if mode == "backlog":
    # Never accepts, and fills its queue: further SYNs are dropped, as
    # by a dead host or a firewall, so connect(2) itself hangs.
    s.listen(0)
    fill = []
    for i in range(8):
        c = socket.socket(); c.setblocking(False)
        try: c.connect(("127.0.0.1", port))
        except BlockingIOError: pass
        fill.append(c)
    time.sleep(0.5)
    open(sys.argv[3], "w").close()
    time.sleep(3600)
open(sys.argv[3], "w").close()
while True:
    c, _ = s.accept()
    c.recv(65536)
    if mode == "junk": c.sendall(b"HTTP/1.0 400 Bad Request\r\n\r\n")
    elif mode == "close": pass
    elif mode == "partial": c.sendall(b"$100\r\nUSER="); time.sleep(3)
    elif mode == "huge": c.sendall(b"$10000000\r\n" + b"A" * 200000); time.sleep(1)
    elif mode == "int": c.sendall(b":42\r\n")
    elif mode == "aggregate": c.sendall(b"*2147483647\r\n"); time.sleep(1)
    elif mode == "nested": c.sendall(b"*1\r\n*1\r\n*65537\r\n"); time.sleep(1)
    c.close()
EOF
n=0
for mode in junk close partial huge int aggregate nested backlog; do
  port=$((PG + n)); n=$((n + 1))
  python3 "$T/fake.py" "$mode" "$port" "$T/fake.$mode" </dev/null >/dev/null 2>&1 &
  cleanup "kill $! 2>/dev/null"
  for ((i = 0; i < 250; i++)); do [ -e "$T/fake.$mode" ] && break; sleep 0.02; done
  timed RELAY_CTRL_REDIS=127.0.0.1:$port RELAY_CTRL_DIR="$B" TCPREMOTEIP=192.0.2.40
  is "$RC:$REL" "0:unset" "fake server ($mode): SMTP runs, no relaying"
  ok "fake server ($mode): no hang (${ELAPSED} ms)" test "$ELAPSED" -lt 1000
  is "$(count_lines "$ERR")" 1 "fake server ($mode): exactly one line"
  case $mode in
    junk) has "$ERR" "Redis 127\.0\.0\.1:$port: garbled reply: Protocol error" "garbage: said to be garbled" ;;
    close) has "$ERR" "the server closed the connection" "closed at once: said" ;;
    partial) has "$ERR" "no answer within 200 ms" "partial reply: timed out" ;;
    huge) has "$ERR" "reply longer than 64 kB" "huge reply: cut off" ;;
    int) has "$ERR" "Redis 127\.0\.0\.1:$port: unexpected reply" "integer reply: unexpected" ;;
    aggregate) has "$ERR" "Redis 127\.0\.0\.1:$port: reply longer than 64 kB \(announced in a header\)" "*2147483647 (16 GB for hiredis): refused before any allocation" ;;
    nested) has "$ERR" "reply longer than 64 kB \(announced in a header\)" "a nested absurd count: refused" ;;
    backlog) has "$ERR" "Redis 127\.0\.0\.1:$port: no answer within 200 ms" "connection never completes: timed out" ;;
  esac
  run RELAY_CTRL_REDIS=127.0.0.1:$port TCPREMOTEIP=192.0.2.40 -- timeout 5 relay-ctrl-allow sh -c 'echo ran'
  is "$RC:$OUT" "0:ran" "fake server ($mode): login proceeds"
done

# A build without hiredis.
run RELAY_CTRL_DIR="$A" RELAY_CTRL_REDIS="$R1" TCPREMOTEIP=192.0.2.21 -- "$BIN/test/relay-ctrl-check-noredis" sh -c 'echo "${RELAYCLIENT-unset}"'
is "$OUT" unset "no Redis support: Redis authorizations not honoured"
has "$ERR" "warning: not relaying for 192\.0\.2\.21 from Redis: this build has no Redis support" "no Redis support: said when RELAY_CTRL_REDIS is set"
run RELAY_CTRL_DIR="$A" TCPREMOTEIP=192.0.2.1 -- "$BIN/test/relay-ctrl-check-noredis" sh -c 'echo "${RELAYCLIENT-unset}"'
is "$OUT:$ERR" ":" "no Redis support: the spool works, silently"
run RELAY_CTRL_DIR="$A" RELAY_CTRL_REDIS="$R1" TCPREMOTEIP=192.0.2.50 -- "$BIN/test/relay-ctrl-allow-noredis" sh -c 'echo ran'
is "$OUT" ran "no Redis support: login proceeds"
ok "no Redis support: login still written to the spool" test -f "$A/192.0.2.50"
has "$ERR" "not recording login from 192\.0\.2\.50 in Redis: this build has no Redis support" "no Redis support at login: said"
