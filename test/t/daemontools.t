# The same chain under daemontools, as seed 004's site runs it: svscan,
# run scripts with envdir and relay-ctrl-chdir in front of tcpserver,
# multilog for the logs. Then a clean shutdown.
source "$RC_TOP/test/lib.sh"
plan 26
source "$RC_TOP/test/e2e-lib.sh"
e2e_start
e2e_fixtures 90

SV=$T/sv SCAN=$T/service
mkdir -p "$SCAN"

# service NAME SCRIPT VAR=VALUE...: a service directory whose run script
# is examples/run/SCRIPT/run with the given settings at its top edited
# as a site edits them (nothing else changes), and whose log/run is
# examples/run/log/run; linked into the scan dir.
service () {
  local name=$1 script=$2 d=$SV/$1 src=$TOP/examples/run/$2/run kv k v
  shift 2
  mkdir -p "$d/log/main"
  cp "$src" "$d/run"
  for kv in "$@"; do
    k=${kv%%=*} v=${kv#*=}
    grep -q "^$k=\\\${$k:-" "$d/run" || { failed "$src has a setting $k"; exit 1; }
    K=$k V=$v perl -pi -e 's/^(\Q$ENV{K}\E)=\$\{\Q$ENV{K}\E:-(?:[^{}]|\$\([^)]*\))*\}/$1=\${$1:-$ENV{V}}/' "$d/run"
  done
  is "$(diff "$src" "$d/run" | grep -c '^>')" "$#" "$name: run is examples/run/$script/run with $# settings edited"
  cp "$TOP/examples/run/log/run" "$d/log/run"
  ln -s "$d" "$SCAN/$name"
}

freeport; POP=$PORT
freeport; SMTP=$PORT
COMMON=(ENVDIR="$ENVDIR" BIN="$BIN" LISTEN=127.0.0.1 LOCALNAME=localhost)
service pop3 mailfront-pop3d "${COMMON[@]}" PORT="$POP" CVM=cvm-command:/usr/bin/cvm-pwfile
echo "$PWFILE" >"$ENVDIR/CVM_PWFILE_PATH"
service smtp mailfront-smtpd "${COMMON[@]}" PORT="$SMTP" SMTPD_USER="$SMTPUSER" QMAILHOME="$QMAILHOME" QUEUEDIR="$QUEUEDIR"

# The POP3 recipe as the guides give it: passwords checked by the
# cvm-unix service (examples/run/cvm-unix/run) for a real system user.
CVMU=rctest-cvm CVMP=cvm-pw-17
cleanup "sleep 0.2; userdel $CVMU 2>/dev/null"
if id "$CVMU" >/dev/null 2>&1; then usermod --home "$T/home/cvm" "$CVMU"
else useradd --system --home-dir "$T/home/cvm" --shell /bin/sh "$CVMU"; fi || { failed "test user $CVMU"; exit 1; }
echo "$CVMU:$CVMP" | chpasswd || { failed "chpasswd $CVMU"; exit 1; }
mkdir -p "$T/home/cvm/Maildir/new" "$T/home/cvm/Maildir/cur" "$T/home/cvm/Maildir/tmp"
printf 'Subject: hi\n\nhello\n' >"$T/home/cvm/Maildir/cur/1700000000.2.e2e:2,"
chown -R "$CVMU:" "$T/home/cvm"
freeport; POPU=$PORT
service cvm-unix cvm-unix SOCKET="$T/cvm/socket"
service pop3u mailfront-pop3d "${COMMON[@]}" PORT="$POPU" CVM="cvm-local:$T/cvm/socket"
NAMES=(pop3 smtp cvm-unix pop3u)

SVSCAN='' LEFT=''
children_of () { # PID: its children, as "pid state" lines
  local f line rest
  for f in /proc/[0-9]*/stat; do
    { read -r line <"$f"; } 2>/dev/null || continue
    read -ra rest <<<"${line##*) }"
    if [ "${rest[1]}" = "$1" ]; then echo "${f//[^0-9]/} ${rest[0]}"; fi
  done
}
# The clean way down: unlink the services so svscan does not restart
# them, stop each service and logger and let supervise exit, wait for
# svscan to reap them (it does so on its 5-second rescan), then stop it.
shutdown () {
  local i d n svcs=() logs=()
  [ -n "$SVSCAN" ] || return 0
  for n in "${NAMES[@]}"; do rm -f "$SCAN/$n"; svcs+=("$SV/$n"); logs+=("$SV/$n/log"); done
  svc -dx "${svcs[@]}"
  for ((i = 0; i < 100; i++)); do
    for d in "${svcs[@]}"; do svok "$d" 2>/dev/null && { sleep 0.05; continue 2; }; done
    break
  done
  svc -dx "${logs[@]}"
  for ((i = 0; i < 100; i++)); do
    for d in "${svcs[@]}" "${logs[@]}"; do svok "$d" 2>/dev/null && { sleep 0.05; continue 2; }; done
    break
  done
  for ((i = 0; i < 140; i++)); do
    [ -z "$(children_of "$SVSCAN")" ] && break
    sleep 0.05
  done
  LEFT=$(children_of "$SVSCAN")
  kill "$SVSCAN" 2>/dev/null
  wait "$SVSCAN" 2>/dev/null
  SVSCAN=
}
cleanup shutdown

(cd / && exec env -i PATH="$PATH_T" svscan "$SCAN") >"$T/svscan.log" 2>&1 &
SVSCAN=$!
svpid () { svstat "$1" 2>/dev/null | sed -n 's/.*: up (pid \([0-9]*\)).*/\1/p'; }
# wait_service DIR PORT: up to 5 s for the service's own process to listen.
wait_service () {
  local i p
  for ((i = 0; i < 100; i++)); do
    p=$(svpid "$1")
    [ -n "$p" ] && listening "$2" "$p" && return 0
    sleep 0.05
  done
  return 1
}
up=1
wait_service "$SV/pop3" "$POP" || up=''
wait_service "$SV/smtp" "$SMTP" || up=''
wait_service "$SV/pop3u" "$POPU" || up=''
if [ -z "$up" ]; then
  failed "services up under svscan" "$(svstat "$SV"/* "$SV"/*/log 2>&1)" \
    "$(cat "$SV"/*/log/main/current 2>/dev/null)"
  exit 1
fi
has "$(svstat "$SV/pop3" "$SV/smtp")" "^$SV/pop3: up .*
$SV/smtp: up " "svstat: both services up"

POPLOG=$SV/pop3/log/main/current SMTPLOG=$SV/smtp/log/main/current
STAMP='@[0-9a-f]{24} '
# wait_log_since FILE POSITION PATTERN: up to 5 s for multilog to write a line
# matching PATTERN after POSITION; leaves what it wrote in L.
wait_log_since () {
  local i
  for ((i = 0; i < 100; i++)); do
    L=$(logsince "$1" "$2")
    grep -qE -- "$3" <<<"$L" && return 0
    sleep 0.05
  done
}

m=$(logpos "$SMTPLOG")
smtp 127.0.0.1 "$SMTP" x@example.net
refused "relaying to an outside domain refused before any login"
wait_log_since "$SMTPLOG" "$m" 'relay-ctrl-check'
logged "$L" "$STAMP" relay-ctrl-check "info: not relaying for 127.0.0.1: no login recorded" \
  "multilog has: not relaying for 127.0.0.1"

m=$(logpos "$POPLOG")
pop 127.0.0.1 "$POP" "$PASSWORD"
popped "POP3 login as bob"
wait_log_since "$POPLOG" "$m" 'relay-ctrl-allow'
logged "$L" "$STAMP" relay-ctrl-allow "info: recorded login from 127.0.0.1 (user bob)" \
  "multilog has: recorded login from 127.0.0.1"
is "$(stat -c '%a %u' "$SPOOL/127.0.0.1" 2>&1)" "644 $MAILUID" "spool entry 127.0.0.1 written as the mail user"

m=$(logpos "$SMTPLOG")
smtp 127.0.0.1 "$SMTP" x@example.net
accepted "relaying accepted at once after the login" x@example.net
wait_log_since "$SMTPLOG" "$m" 'relay-ctrl-check'
logged "$L" "$STAMP" relay-ctrl-check "info: relaying for 127.0.0.1 (user bob)" "multilog has: relaying for 127.0.0.1"

m=$(logpos "$SMTPLOG")
smtp 127.0.0.1 "$SMTP" x@example.net --local-interface 127.0.0.2
refused "relaying refused from 127.0.0.2"
wait_log_since "$SMTPLOG" "$m" 'relay-ctrl-check'
logged "$L" "$STAMP" relay-ctrl-check "info: not relaying for 127.0.0.2: no login recorded" \
  "multilog has: not relaying for 127.0.0.2"

age "$SPOOL/127.0.0.1" 100
m=$(logpos "$SMTPLOG")
smtp 127.0.0.1 "$SMTP" x@example.net
refused "relaying refused once the login is 100 s old (RELAY_CTRL_EXPIRY=90)"
wait_log_since "$SMTPLOG" "$m" 'relay-ctrl-check'
logged "$L" "$STAMP" relay-ctrl-check "info: not relaying for 127.0.0.1: its login has expired" \
  "multilog has: its login has expired"

m=$(logpos "$SV/pop3u/log/main/current")
OUT=$("${CLIENT_ENV[@]}" curl -sS --max-time 10 -u "$CVMU:$CVMP" "pop3://127.0.0.1:$POPU/" 2>&1); RC=$?
if [ "$RC" = 0 ] && grep -qE '^1 [0-9]+' <<<"$OUT"; then pass "cvm-unix: POP3 login as the system user $CVMU"
else failed "cvm-unix: POP3 login as the system user $CVMU" "curl exit $RC: $OUT" "$(cat "$SV"/cvm-unix/log/main/current "$SV"/pop3u/log/main/current 2>&1)"; fi
wait_log_since "$SV/pop3u/log/main/current" "$m" 'relay-ctrl-allow'
logged "$L" "$STAMP" relay-ctrl-allow "info: recorded login from 127.0.0.1 (user $CVMU)" "cvm-unix: the login recorded, with its user"
OUT=$("${CLIENT_ENV[@]}" curl -sS --max-time 10 -u "$CVMU:wrong" "pop3://127.0.0.1:$POPU/" 2>&1); RC=$?
is "$RC" 67 "cvm-unix: a bad password is refused"

quiet "$(cat "$POPLOG" "$SMTPLOG" "$SV/pop3u/log/main/current" "$SV/cvm-unix/log/main/current")" "no warning, fatal or sanitizer report in the service logs"

svscan=$SVSCAN
shutdown
alive () { kill -0 "$1" 2>/dev/null; }
notok "svscan stopped" alive "$svscan"
is "$(procs_in "$T")" "" "no process left under the scratch dir (servers, supervise, multilog)"
is "$LEFT" "" "svscan had reaped every supervise before it was stopped"
notok "POP3 port closed" listening "$POP"
notok "SMTP port closed" listening "$SMTP"
is "$(cat "$T/svscan.log")" "" "svscan and supervise said nothing"
