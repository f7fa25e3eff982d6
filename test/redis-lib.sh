# Sourced after lib.sh by the Redis tests: real redis-servers on
# loopback, each with its own directory under $T, killed at the end.

# redis_need PROG: skip this test file unless redis-server is installed
# and PROG was built with hiredis.
redis_need () {
  if ! command -v redis-server >/dev/null; then
    echo "# SKIP ${0##*/}: no redis-server (test/deps installs it)"; exit 0
  fi
  if ! nm "$BIN/$1" 2>/dev/null | grep -q redisReaderCreate; then
    echo "# SKIP ${0##*/}: this build has no Redis support (conf-redis; Debian: libhiredis-dev)"; exit 0
  fi
}

# BASE: the first of ten ports no socket uses, below the ephemeral range
# (32768-), where a client's own port could take one of them.
busy () {
  local p hex
  for ((p = $1; p < $1 + 10; p++)); do
    printf -v hex ':%04X' "$p"
    awk -v p="$hex" 'FNR > 1 && substr($2, length($2) - 4) == p { f = 1 } END { exit !f }' /proc/net/tcp /proc/net/tcp6 && return 0
  done
  return 1
}
for ((try = 0; try < 20; try++)); do
  BASE=$(( 20000 + (RANDOM % 1200) * 10 ))
  busy "$BASE" || break
done

# redis_start NAME PORT [ARG...]: a redis-server on 127.0.0.1, ::1 and
# $T/NAME/sock until the end, pid in $T/NAME/pid.
redis_start () {
  local name=$1 port=$2 i; shift 2
  mkdir -p "$T/$name"
  redis-server --port "$port" --bind 127.0.0.1 -::1 --save '' --appendonly no --dir "$T/$name" \
    --unixsocket "$T/$name/sock" --unixsocketperm 777 --daemonize yes --pidfile "$T/$name/pid" \
    --logfile "$T/$name/log" "$@" >/dev/null
  for ((i = 0; i < 250; i++)); do [ -s "$T/$name/pid" ] && [ -S "$T/$name/sock" ] && break; sleep 0.02; done
  local pid; pid=$(cat "$T/$name/pid" 2>/dev/null)
  [ -n "$pid" ] && cleanup "kill -CONT $pid 2>/dev/null; kill $pid 2>/dev/null"
}
redis_stop () { local pid; pid=$(cat "$T/$1/pid"); kill -CONT "$pid"; kill "$pid"; while kill -0 "$pid" 2>/dev/null; do sleep 0.02; done; }
cli () { local port=$1; shift; redis-cli -h 127.0.0.1 -p "$port" "$@" 2>&1; }
