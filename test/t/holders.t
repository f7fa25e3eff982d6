# Issue 10, findings 1-4: no process of a mail, SMTP or policy user can
# take the spool, key or Redis password descriptor from the programs that
# hold one. A process of the same uid tries /proc/PID/fd/N, pidfd_getfd,
# /proc/PID/mem and ptrace (test/holders/steal.c) on each holder, stopped
# at the earliest moment after execve (test/holders/stop.c, LD_PRELOAD)
# and stopped by that user while it waits. The programs are copied as
# the installer installs them (root, 0711: "shut") and, as a control
# showing the window the mode closes, readable (0755: "open").
. "$RC_TOP/test/lib.sh"
plan 29
mkuser POPU || exit 0
mkuser SMTPU || exit 0
mkuser POLU || exit 0
cc -O2 -o "$T/steal" "$TOP/test/holders/steal.c" || failed "build test/holders/steal.c"
cc -O2 -shared -fPIC -o "$T/stop.so" "$TOP/test/holders/stop.c" || failed "build test/holders/stop.c"
for d in open shut; do
  mkdir "$T/$d"
  for p in "$BIN"/relay-ctrl-*; do [ -f "$p" ] && cp "$p" "$T/$d/"; done
  chown -R 0:0 "$T/$d"
done
chmod 0755 "$T/open" "$T/open"/*; chmod 0711 "$T/shut"/*; chmod 0755 "$T/shut"
scope=$(cat /proc/sys/kernel/yama/ptrace_scope 2>/dev/null || echo none)
# The controls through pidfd_getfd and ptrace need Yama's scope 0: set
# it for the run where it can be (not 3), so the count stays the same.
if [ "$scope" = 1 ] || [ "$scope" = 2 ]; then
  echo 0 >/proc/sys/kernel/yama/ptrace_scope && cleanup "echo $scope >/proc/sys/kernel/yama/ptrace_scope" && scope=0
fi
echo "# Yama ptrace_scope: $scope"
mkspool
KEY=$T/key PASS=$T/pass
head -c 32 /dev/urandom >"$KEY"; chmod 600 "$KEY"
echo secret >"$PASS"; chmod 600 "$PASS"

# A sanitizer build wants its runtime first among preloaded libraries
# (and a non-dumpable process cannot read ASAN_OPTIONS from /proc).
ASAN_LIB=$(ldd "$BIN/relay-ctrl-allow" 2>/dev/null | awk '/libasan/ { print $3 }')
[ -z "$ASAN_LIB" ] || ASAN_LIB="$ASAN_LIB "

pstate () { sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null; }
# waitstop PID: until PID is stopped (10 s at most)
waitstop () { local i; for ((i = 0; i < 200; i++)); do [ "$(pstate "$1")" = T ] && return 0; sleep 0.05; done; return 1; }
uid_of () { awk '/^Uid:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }
# procs UID COMM: pids of COMM running as UID
procs () {
  local d
  for d in /proc/[0-9]*; do
    [ "$(cat "$d/comm" 2>/dev/null)" = "$2" ] && [ "$(uid_of "${d#/proc/}")" = "$1" ] && echo "${d#/proc/}"
  done
}
# child PID COMM: PID's child named COMM
child () {
  local d
  for d in /proc/[0-9]*; do
    [ "$(cat "$d/comm" 2>/dev/null)" = "$2" ] && [ "$(awk '{ print $4 }' "$d/stat" 2>/dev/null)" = "$1" ] && echo "${d#/proc/}"
  done
}
waitfile () { local i; for ((i = 0; i < 200; i++)); do [ -s "$1" ] && return 0; sleep 0.05; done; return 1; }

# start DIR STOP_IN VAR=value... -- CHAIN: the chain in the background
# with DIR's programs; STOP_IN (or -) stops itself before its main.
start () {
  local dir=$1 stop=$2; shift 2
  local envs=()
  while [ "$1" != -- ]; do envs+=("$1"); shift; done
  shift
  [ "$stop" = - ] || envs+=(LD_PRELOAD="$ASAN_LIB$T/stop.so" RC_TEST_STOP_IN="$stop")
  env -i PATH="$T/$dir:$PATH_T" "${envs[@]}" "$@" >"$T/holder.out" 2>"$T/holder.err" </dev/null &
  HPID=$!
}
finish () { kill -CONT "$1" 2>/dev/null; kill -KILL "$1" 2>/dev/null; wait "$1" 2>/dev/null; }
# attack USER PID: steal from PID as USER; STOLEN is what it got
attack () { STOLEN=$(setuidgid "$1" "$T/steal" "$2" 10.66.6.6 2>&1); }
# verdict DIR WHAT PATH...: shut gets nothing; open (the control) gets
# every PATH through /proc, and through pidfd_getfd and ptrace unless
# Yama forbids those.
# (/proc/PID/fd/N opens the file anew, so it gives only the 0777 spool,
# not the root 0600 key and password files.)
verdict () {
  local dir=$1 what=$2 p; shift 2
  if [ "$dir" = shut ]; then
    is "$STOLEN" nothing "$what, installed 0711: a process of the same user gets nothing"
    return
  fi
  for p in "$@"; do
    [ "$p" = "$SPOOL" ] && has "$STOLEN" "^proc [0-9]+ $p\$" "control, $what, readable binary: /proc/PID/fd gives $p"
  done
  if [ "$scope" = 0 ] || [ "$scope" = none ]; then
    for p in "$@"; do has "$STOLEN" "^getfd [0-9]+ $p\$" "control, $what, readable binary: pidfd_getfd gives $p"; done
    has "$STOLEN" "^ptrace$" "control, $what, readable binary: ptrace attaches"
  else
    skip_part $(($# + 1)) "control, $what: pidfd_getfd and ptrace: Yama ptrace_scope $scope forbids them"
  fi
}

for dir in open shut; do
  rm -f "$SPOOL/10.66.6.6"
  # Finding 1 and 3: relay-ctrl-allow as the mail user, with the spool
  # and the Redis password descriptors, caught right after execve.
  start $dir relay-ctrl-allow RELAY_CTRL_DIR="$SPOOL" RELAY_CTRL_REDIS_AUTH="$PASS" TCPREMOTEIP=192.0.2.1 -- \
    relay-ctrl-chdir relay-ctrl-redis-auth setuidgid "$POPU" relay-ctrl-allow true
  if waitstop "$HPID"; then
    is "$(uid_of "$HPID")" "$(id -u "$POPU")" "$dir: relay-ctrl-allow stopped as the mail user"
    attack "$POPU" "$HPID"
    verdict $dir "relay-ctrl-allow at its first instruction" "$SPOOL" "$PASS"
    if [ $dir = open ]; then ok "control: through it the mail user grants relaying to any address" test -e "$SPOOL/10.66.6.6"
    else ok "shut: no entry planted" test ! -e "$SPOOL/10.66.6.6"; fi
  else failed "$dir: relay-ctrl-allow stops before main" "$(cat "$T/holder.err")"; fi
  finish "$HPID"
  rm -f "$SPOOL/10.66.6.6"

  # Finding 4: relay-ctrl-check as the SMTP user.
  start $dir relay-ctrl-check RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP=192.0.2.1 -- \
    relay-ctrl-chdir setuidgid "$SMTPU" relay-ctrl-check true
  if waitstop "$HPID"; then
    attack "$SMTPU" "$HPID"
    verdict $dir "relay-ctrl-check at its first instruction" "$SPOOL"
  else failed "$dir: relay-ctrl-check stops before main" "$(cat "$T/holder.err")"; fi
  finish "$HPID"
  rm -f "$SPOOL/10.66.6.6"

  # Finding 2: relay-ctrl-send as the mail user, with the key descriptor.
  # (no remotes: no background sender; the key descriptor is there anyway)
  start $dir relay-ctrl-send RELAY_CTRL_KEY="$KEY" TCPREMOTEIP=192.0.2.1 -- \
    relay-ctrl-keyfd setuidgid "$POPU" relay-ctrl-send true
  if waitstop "$HPID"; then
    attack "$POPU" "$HPID"
    verdict $dir "relay-ctrl-send at its first instruction" "$KEY"
  else failed "$dir: relay-ctrl-send stops before main" "$(cat "$T/holder.err")"; fi
  finish "$HPID"
  for r in $(procs "$(id -u "$POPU")" relay-ctrl-send); do kill -KILL "$r"; done

  # Finding 4: relay-ctrl-policy as its own user, caught after execve.
  start $dir relay-ctrl-policy RELAY_CTRL_DIR="$SPOOL" -- relay-ctrl-chdir setuidgid "$POLU" relay-ctrl-policy
  if waitstop "$HPID"; then
    attack "$POLU" "$HPID"
    verdict $dir "relay-ctrl-policy at its first instruction" "$SPOOL"
  else failed "$dir: relay-ctrl-policy stops before main" "$(cat "$T/holder.err")"; fi
  finish "$HPID"
  rm -f "$SPOOL/10.66.6.6"
done

# While they run, each holder is stopped by its own user and attacked:
# both builds are safe there (prctl first in main).
for dir in open shut; do
  # relay-ctrl-allow inside a Redis call that never gets an answer.
  rm -f "$T/port" "$T/accepted"
  python3 - "$T/port" "$T/accepted" <<'PY' &
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(5)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
c, _ = s.accept(); open(sys.argv[2], "w").write("yes"); time.sleep(30)
PY
  py=$!
  waitfile "$T/port"
  start $dir - RELAY_CTRL_DIR="$SPOOL" RELAY_CTRL_REDIS_AUTH="$PASS" RELAY_CTRL_REDIS="127.0.0.1:$(cat "$T/port")" \
    RELAY_CTRL_REDIS_TIMEOUT=20000 TCPREMOTEIP=192.0.2.1 -- \
    relay-ctrl-chdir relay-ctrl-redis-auth setuidgid "$POPU" relay-ctrl-allow true
  if waitfile "$T/accepted"; then
    setuidgid "$POPU" sh -c "kill -STOP $HPID"
    waitstop "$HPID"
    attack "$POPU" "$HPID"
    is "$STOLEN" nothing "$dir: relay-ctrl-allow stopped by the mail user inside its Redis call: nothing taken"
  else failed "$dir: relay-ctrl-allow reaches the fake Redis server" "$(cat "$T/holder.err")"; fi
  finish "$HPID"; kill "$py" 2>/dev/null; wait "$py" 2>/dev/null

  # The RELAY_CTRL_REFRESH refresher, for the whole session.
  start $dir - RELAY_CTRL_DIR="$SPOOL" RELAY_CTRL_REFRESH=1 TCPREMOTEIP=192.0.2.2 -- \
    relay-ctrl-chdir setuidgid "$POPU" relay-ctrl-allow sleep 30
  r=
  for ((i = 0; i < 100; i++)); do r=$(child "$HPID" relay-ctrl-allo); [ -n "$r" ] && break; sleep 0.05; done
  if [ -n "$r" ]; then
    setuidgid "$POPU" sh -c "kill -STOP $r"
    attack "$POPU" "$r"
    is "$STOLEN" nothing "$dir: the refresher stopped by the mail user: nothing taken"
    kill -KILL "$r"
  else failed "$dir: the refresher runs" "$(cat "$T/holder.err")"; fi
  finish "$HPID"

  # relay-ctrl-send's background sender, waiting for an answer.
  python3 - "$T/port" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0))
open(sys.argv[1], "w").write(str(s.getsockname()[1])); time.sleep(30)
PY
  py=$!
  rm -f "$T/port"; waitfile "$T/port"
  start $dir - RELAY_CTRL_KEY="$KEY" RELAY_CTRL_REMOTES="127.0.0.1:$(cat "$T/port")" RELAY_CTRL_TIMEOUT=10 \
    RELAY_CTRL_TRIES=3 TCPREMOTEIP=192.0.2.1 -- relay-ctrl-keyfd setuidgid "$POPU" relay-ctrl-send true
  wait "$HPID"
  for ((i = 0; i < 100; i++)); do r=$(procs "$(id -u "$POPU")" relay-ctrl-send); [ "$(wc -w <<<"$r")" = 1 ] && break; sleep 0.05; done
  if [ -n "$r" ]; then
    setuidgid "$POPU" sh -c "kill -STOP $r"
    attack "$POPU" "$r"
    is "$STOLEN" nothing "$dir: the background sender stopped by the mail user: nothing taken (no key, no memory)"
    kill -KILL "$r"
  else failed "$dir: the background sender runs" "$(cat "$T/holder.err")"; fi
  kill "$py" 2>/dev/null; wait "$py" 2>/dev/null

  # relay-ctrl-policy waiting for the next request.
  rm -f "$T/fifo"; mkfifo "$T/fifo"; chmod 666 "$T/fifo"
  sleep 30 >"$T/fifo" &
  w=$!
  env -i PATH="$T/$dir:$PATH_T" RELAY_CTRL_DIR="$SPOOL" relay-ctrl-chdir setuidgid "$POLU" relay-ctrl-policy <"$T/fifo" >/dev/null 2>"$T/holder.err" &
  HPID=$!
  for ((i = 0; i < 100; i++)); do [ "$(cat "/proc/$HPID/comm" 2>/dev/null)" = relay-ctrl-poli ] && [ "$(pstate "$HPID")" = S ] && break; sleep 0.05; done
  setuidgid "$POLU" sh -c "kill -STOP $HPID"
  waitstop "$HPID"
  attack "$POLU" "$HPID"
  is "$STOLEN" nothing "$dir: relay-ctrl-policy stopped by its user between requests: nothing taken"
  finish "$HPID"; kill "$w" 2>/dev/null; wait "$w" 2>/dev/null
done

# (killed ones take a moment to be reaped; zombies hold nothing)
holders_left () {
  local u c r
  for u in "$POPU" "$SMTPU" "$POLU"; do
    for c in relay-ctrl-allo relay-ctrl-send relay-ctrl-poli; do
      for r in $(procs "$(id -u "$u")" $c); do [ "$(pstate "$r")" = Z ] || echo "$c:$(pstate "$r"):$(awk '{ print $4 }' "/proc/$r/stat" 2>/dev/null)"; done
    done
  done
}
for ((i = 0; i < 100; i++)); do [ -z "$(holders_left)" ] && break; sleep 0.1; done
is "$(holders_left)" "" "no holder left running"
