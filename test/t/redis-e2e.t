# Redis end to end: one POP3 host and two SMTP hosts (real tcpserver,
# pop3front, mailfront), each with its own envdir and spool, sharing a
# password-protected redis-server on loopback; the password goes down
# the chains by descriptor (relay-ctrl-redis-auth), past the uid change.
source "$RC_TOP/test/lib.sh"
plan 21
source "$RC_TOP/test/e2e-lib.sh"
if ! command -v redis-server >/dev/null || ! nm "$BIN/relay-ctrl-check" 2>/dev/null | grep -q redisReaderCreate; then
  echo "# SKIP redis-e2e.t: no redis-server, or a build without Redis"
  exit 0
fi
e2e_start
e2e_fixtures 900

freeport; RPORT=$PORT
mkdir -p "$T/redis"
redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$T/redis" --requirepass e2e-redis-pass \
  --daemonize yes --pidfile "$T/redis/pid" --logfile "$T/redis/log" >/dev/null
for ((i = 0; i < 250; i++)); do [ -s "$T/redis/pid" ] && listening "$RPORT" && break; sleep 0.02; done
RPID=$(cat "$T/redis/pid")
cleanup "kill -CONT $RPID 2>/dev/null; kill $RPID 2>/dev/null"
rcli () { redis-cli -h 127.0.0.1 -p "$RPORT" -a e2e-redis-pass --no-auth-warning "$@"; }
is "$(rcli ping)" PONG "redis-server with a password up"
echo e2e-redis-pass > "$T/redis.pass"; chmod 600 "$T/redis.pass"

# Each host: its own envdir and spool, Redis and the password file.
host () { # NAME
  local d=$T/host-$1
  mkdir -p "$d/env" "$d/top/allow"; chmod 700 "$d/top"; chmod 777 "$d/top/allow"
  cp "$ENVDIR"/* "$d/env/"
  echo "$d/top/allow" > "$d/env/RELAY_CTRL_DIR"
  echo "127.0.0.1:$RPORT" > "$d/env/RELAY_CTRL_REDIS"
  echo "$T/redis.pass" > "$d/env/RELAY_CTRL_REDIS_AUTH"
}
host a; host b; host c

serve () { # pop|smtp HOST LOG
  local kind=$1 h=$2 log=$3 pid try
  local user=() envs=(CVM_PWFILE_PATH="$PWFILE") prog=("${POP_PROG[@]}")
  if [ "$kind" = smtp ]; then user=(-u "$SMTPUID" -g "$SMTPUID") envs=(QMAILHOME="$QMAILHOME") prog=("${SMTP_PROG[@]}"); fi
  for try in 1 2 3; do
    freeport
    (cd "$T" && exec env -i PATH="$PATH_T" "${envs[@]}" envdir "$T/host-$h/env" "$BIN/relay-ctrl-redis-auth" "$BIN/relay-ctrl-chdir" \
       tcpserver -v -H -R -l localhost "${user[@]}" 127.0.0.1 "$PORT" "${prog[@]}") >>"$log" 2>&1 &
    pid=$!
    SERVERS+=("$pid")
    wait_listen "$PORT" "$pid" && return 0
  done
  failed "$kind server on host $h started" "$(cat "$log")"
  exit 1
}
serve pop a "$T/a.log"; POPA=$PORT
serve smtp b "$T/b.log"; SMTPB=$PORT
serve smtp c "$T/c.log"; SMTPC=$PORT

smtp 127.0.0.1 "$SMTPB" x@example.net
refused "host B: relaying refused before any login"
pop 127.0.0.1 "$POPA" "$PASSWORD"
popped "host A: POP3 login as bob"
is "$(rcli --no-raw get relay-ctrl:127.0.0.1)" '"USER=bob\x00"' "the login is in Redis, written as the mail user with the password passed by descriptor"
ok "and in host A's own spool" test -f "$T/host-a/top/allow/127.0.0.1"
m=$(logpos "$T/b.log")
smtp 127.0.0.1 "$SMTPB" x@example.net
accepted "host B (empty spool): relaying accepted after the login on A" x@example.net
logged "$(logsince "$T/b.log" "$m")" "" relay-ctrl-check "info: relaying for 127.0.0.1 (Redis)" "host B logs that Redis allowed it"
smtp 127.0.0.1 "$SMTPC" x@example.net
accepted "host C (empty spool): relaying accepted too" x@example.net
ok "hosts B and C wrote nothing to their spools" test -z "$(ls -A "$T/host-b/top/allow")$(ls -A "$T/host-c/top/allow")"

# A live SMTP session holds neither the password descriptor nor the password.
m=$(logpos "$T/b.log")
if exec 7<>"/dev/tcp/127.0.0.1/$SMTPB" 2>/dev/null; then
  read -r -t 5 line <&7
  pid=$(logsince "$T/b.log" "$m" | sed -n 's/^tcpserver: pid \([0-9]*\) from .*/\1/p')
  is "$(readlink "/proc/$pid/exe")" /usr/sbin/mailfront "live SMTP session: relay-ctrl-check became mailfront"
  hasnt "$(for f in "/proc/$pid/fd/"*; do readlink "$f"; done 2>&1)" "^$(ere "$T/redis.pass")\$" "live SMTP session: no descriptor on the password file"
  env=$(tr '\0' '\n' <"/proc/$pid/environ" 2>&1)
  hasnt "$env" 'e2e-redis-pass|^RELAY_CTRL_REDIS_AUTH_FD=' "live SMTP session: neither the password nor its descriptor in its environment"
  printf 'QUIT\r\n' >&7
  exec 7>&-
else
  failed "live SMTP session: connected"
fi

# Revoke across hosts.
rcli del relay-ctrl:127.0.0.1 >/dev/null
smtp 127.0.0.1 "$SMTPB" x@example.net
refused "key deleted: host B refuses"
smtp 127.0.0.1 "$SMTPC" x@example.net
refused "key deleted: host C refuses"

# Redis paused: mail still flows, relaying fails closed, POP still works.
pop 127.0.0.1 "$POPA" "$PASSWORD"
kill -STOP "$RPID"
m=$(logpos "$T/b.log")
s=$(date +%s%N)
smtp 127.0.0.1 "$SMTPB" x@example.net
refused "Redis paused: host B serves SMTP, refuses relaying"
e=$(( ($(date +%s%N) - s) / 1000000 ))
ok "Redis paused: the SMTP transaction is not held up (${e} ms)" test "$e" -lt 3000
has "$(logsince "$T/b.log" "$m")" "relay-ctrl-check\[[0-9]+\]: warning: not relaying for 127\.0\.0\.1: Redis 127\.0\.0\.1:$RPORT: no answer within 200 ms" "Redis paused: one warning on host B"
smtp 127.0.0.1 "$SMTPB" u@example.org
accepted "Redis paused: local mail still accepted" u@example.org
m=$(logpos "$T/a.log")
pop 127.0.0.1 "$POPA" "$PASSWORD"
popped "Redis paused: POP3 logins still work"
has "$(logsince "$T/a.log" "$m")" "relay-ctrl-allow\[[0-9]+\]: warning: not recording login from 127\.0\.0\.1 in Redis" "Redis paused: the login logs that Redis missed it"
kill -CONT "$RPID"
smtp 127.0.0.1 "$SMTPC" x@example.net
accepted "Redis resumed: host C relays again (the login before the pause)" x@example.net
