# Sourced after lib.sh by the end-to-end tests (e2e.t, daemontools.t):
# real servers on loopback. Debian 12: tcpserver from ucspi-tcp-ipv6,
# pop3front-auth and mailfront from mailfront, cvm-pwfile from cvm;
# clients curl and swaks.

E2E_PACKAGES="ucspi-tcp-ipv6 daemontools mailfront cvm curl swaks libio-socket-inet6-perl"

# POP users become uid 65534 (nobody) before relay-ctrl-allow runs; the
# SMTP server runs as yet another uid, as qmail-smtpd runs as qmaild.
MAILUID=65534
SMTPUID=65533
SMTPUSER=rctest-smtpd
PASSWORD=hunter2

# e2e_start: skips the whole test (exit 0, no assertions) when it cannot
# be real; fails when packages are missing (test/all and ./demo install
# them through test/deps; a test does not change the system).
e2e_start () {
  if [ "$(id -u)" != 0 ]; then
    echo "# SKIP $(basename "$0"): needs root (POP logins change uid)"
    exit 0
  fi
  if ! "$TOP/test/deps" -n $E2E_PACKAGES >"$T/.deps" 2>&1; then
    failed "packages for end-to-end tests installed" "$(cat "$T/.deps")" "install them: test/deps $E2E_PACKAGES"
    exit 1
  fi
  HAVE_V6=
  grep -q '^0\{31\}1 ' /proc/net/if_inet6 2>/dev/null && HAVE_V6=1
  NEXTPORT=$(( 20000 + ($$ % 1200) * 10 ))
  e2e_user "$SMTPUSER" "$SMTPUID" || exit 1
}

# e2e_user NAME UID: the run scripts take a user name, so the SMTP uid
# gets one for the test (useradd --system), removed at exit after every
# other cleanup (servers of the test may run as it until then).
E2E_USERS=()
e2e_user () {
  E2E_USERS+=("$1")
  [ "$(id -u "$1" 2>/dev/null)" = "$2" ] && return 0
  if ! useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
      --uid "$2" --user-group "$1" >"$T/.useradd" 2>&1; then
    failed "test user $1 (uid $2) created" "$(cat "$T/.useradd")"
    return 1
  fi
}
e2e_userdel () {
  local u i
  for u in "${E2E_USERS[@]}"; do
    for ((i = 0; i < 40; i++)); do userdel "$u" 2>/dev/null && break; id "$u" >/dev/null 2>&1 || break; sleep 0.1; done
  done
}
trap 'on_exit; e2e_userdel' EXIT

# Fixtures: $SPOOL (via mkspool), the envdir $ENVDIR with the settings
# of seed 004, a password file, bob's Maildir with one message, and
# QMAILHOME with example.org as the local domain.
e2e_fixtures () { # EXPIRY
  mkspool
  ENVDIR=$T/relay-ctrl
  mkdir -p "$ENVDIR"
  echo "$SPOOL" >"$ENVDIR/RELAY_CTRL_DIR"
  echo "$1" >"$ENVDIR/RELAY_CTRL_EXPIRY"
  echo 1 >"$ENVDIR/RELAY_CTRL_LOG_IPS"
  PWFILE=$T/pwfile
  echo "bob:$PASSWORD:$MAILUID:$MAILUID:Bob:$T/home/bob:/bin/sh" >"$PWFILE"
  chmod 600 "$PWFILE"
  mkdir -p "$T/home/bob/Maildir/new" "$T/home/bob/Maildir/cur" "$T/home/bob/Maildir/tmp"
  printf 'From: postmaster@example.org\nTo: bob@example.org\nSubject: welcome\n\nhello bob\n' \
    >"$T/home/bob/Maildir/new/1700000000.1.e2e"
  chown -R "$MAILUID:$MAILUID" "$T/home/bob"
  QMAILHOME=$T/qmail
  mkdir -p "$QMAILHOME/control"
  echo example.org >"$QMAILHOME/control/rcpthosts"
  QUEUEDIR=$T/queue
  mkdir -p "$QUEUEDIR/new" "$QUEUEDIR/tmp"
  chown -R "$SMTPUID" "$QUEUEDIR"
}

# The commands a site runs, in front of the host and port arguments.
POP_PROG=(pop3front-auth cvm-command:/usr/bin/cvm-pwfile "$BIN/relay-ctrl-allow" pop3front-maildir Maildir)
SMTP_PROG=("$BIN/relay-ctrl-check" mailfront smtp echo check-fqdn counters relayclient qmail-validate)

# A port no socket uses (but for TIME_WAIT, which tcpserver binds over),
# below the ephemeral range.
freeport () {
  local p hex
  while :; do
    p=$NEXTPORT
    NEXTPORT=$((NEXTPORT + 1))
    printf -v hex ':%04X' "$p"
    awk -v p="$hex" 'FNR > 1 && $4 != "06" && substr($2, length($2) - 4) == p { f = 1 } END { exit !f }' \
      /proc/net/tcp /proc/net/tcp6 || break
  done
  PORT=$p
}

# listening PORT [PID]: something listens on PORT; with PID, that process
# does (another test's server on the same port does not count).
listening () {
  local hex inodes=''
  printf -v hex ':%04X' "$1"
  if [ -n "${2:-}" ]; then
    inodes=$(find "/proc/$2/fd" -lname 'socket:*' -printf '%l\n' 2>/dev/null | tr -dc '0-9\n' | tr '\n' ' ')
    [ -n "$inodes" ] || return 1
  fi
  awk -v p="$hex" -v inodes=" $inodes" '
    FNR > 1 && $4 == "0A" && substr($2, length($2) - 4) == p && (inodes == " " || index(inodes, " " $10 " ")) { f = 1 }
    END { exit !f }' /proc/net/tcp /proc/net/tcp6
}

# wait_listen PORT [PID]: up to 5 s for PID (if given) to listen on PORT;
# fails early if PID dies.
wait_listen () {
  local i
  for ((i = 0; i < 100; i++)); do
    listening "$1" "${2:-}" && return 0
    if [ -n "${2:-}" ] && ! kill -0 "$2" 2>/dev/null; then return 1; fi
    sleep 0.05
  done
  return 1
}

# Clients, under env -i so no proxy or swaksrc setting leaks in. Both
# set OUT (client transcript) and RC.
CLIENT_ENV=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/nonexistent)
# pop HOST PORT PASSWORD [curl args]: logs in as bob, lists the mailbox.
pop () {
  local host=$1 port=$2 pass=$3
  shift 3
  case $host in *:*) host="[$host]" ;; esac
  OUT=$("${CLIENT_ENV[@]}" curl -sS -g --max-time 10 -u "bob:$pass" "$@" "pop3://$host:$port/" 2>&1)
  RC=$?
}
# smtp HOST PORT RCPT [swaks args]: sends a whole message.
smtp () {
  local host=$1 port=$2 rcpt=$3
  shift 3
  OUT=$("${CLIENT_ENV[@]}" swaks --server "$host" --port "$port" --helo client.example.org \
    --from alice@example.com --to "$rcpt" --header "Subject: relay-ctrl e2e" --body "hello" \
    --timeout 10 "$@" 2>&1)
  RC=$?
}

# Assertions on the last smtp/pop.
refused () { # WHAT  (mailfront's "no relaying" reply to RCPT)
  if [ "$RC" = 24 ] && grep -qE '^<\*\* +550 5\.1\.0 Mail system is not configured to accept that recipient' <<<"$OUT"
  then pass "$1"; else failed "$1" "swaks exit $RC, transcript:" "$OUT"; fi
}
accepted () { # WHAT RCPT  (RCPT accepted, and the whole message: queued by
  # the queuedir backend of the run scripts, or taken by the echo backend)
  if [ "$RC" = 0 ] && grep -qE "^ *-> +RCPT TO:<$2>" <<<"$OUT" &&
     grep -qE "^<- +250 (2\.1\.5 Recipient accepted|Recipient='$2')" <<<"$OUT" &&
     grep -qE '^<- +250 (2\.6\.0 Message accepted|Received [0-9]+ bytes)' <<<"$OUT"
  then pass "$1"; else failed "$1" "swaks exit $RC, transcript:" "$OUT"; fi
}
popped () { # WHAT  (login accepted, the one message listed)
  if [ "$RC" = 0 ] && grep -qE '^1 [0-9]+' <<<"$OUT"; then pass "$1"; else failed "$1" "curl exit $RC:" "$OUT"; fi
}
denied () { # WHAT  (curl: CURLE_LOGIN_DENIED)
  if [ "$RC" = 67 ]; then pass "$1"; else failed "$1" "curl exit $RC (want 67):" "$OUT"; fi
}

# Logs: remember where a log ended, read what came after.
logpos () { stat -c %s "$1" 2>/dev/null || echo 0; }
logsince () { tail -c "+$(($2 + 1))" "$1" 2>/dev/null; }
ere () { sed 's/[][\.*^$+?(){}|/]/\\&/g' <<<"$1"; }
# logged TEXT PREFIX PROG MESSAGE WHAT: TEXT has the line
# "PREFIXPROG[pid]: MESSAGE" (PREFIX is an ERE, e.g. multilog's stamp).
logged () {
  has "$1" "^$2$(ere "$3")\[[0-9]+\]: $(ere "$4")\$" "$5"
}
# No relay-ctrl program complained: warnings and fatals are for bugs here.
quiet () { # TEXT WHAT
  hasnt "$1" 'relay-ctrl-[a-z]+\[[0-9]+\]: (warning|fatal)|AddressSanitizer|runtime error' "$2"
}

# Processes whose working directory is under DIR (servers, supervise,
# multilog, the POP session in bob's home): none may outlive a test.
procs_in () { # DIR
  local p c
  for p in /proc/[0-9]*; do
    c=$(readlink "$p/cwd" 2>/dev/null) || continue
    case $c in "$1"|"$1"/*) echo "${p#/proc/} $(tr '\0' ' ' <"$p/cmdline" 2>/dev/null)" ;; esac
  done
}

# Servers a test starts in the background (pids in SERVERS), stopped
# by stop_servers and at exit.
SERVERS=()
stop_servers () {
  local p
  for p in "${SERVERS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${SERVERS[@]}"; do wait "$p" 2>/dev/null; done
  SERVERS=()
}
cleanup stop_servers

# serve pop|smtp LOG HOST-ARGS...: one listener (HOST-ARGS: tcpserver
# options, then the host) on a free port, left in PORT: the shipped run
# script examples/run/mailfront-pop3d/run or mailfront-smtpd/run,
# verbatim. The test sets only the variables the script reads at its top
# (ENVDIR, BIN, LISTEN, PORT, LOCALNAME, ...) in its environment; the POP
# side checks passwords with cvm-pwfile (CVM) instead of cvm-unix.
# SMTP_ENV: more VAR=value settings for mailfront-smtpd/run.
SMTP_ENV=()
serve () {
  local kind=$1 log=$2 try pid script envs
  shift 2
  envs=(ENVDIR="$ENVDIR" BIN="$BIN" LISTEN="$*" LOCALNAME=localhost)
  if [ "$kind" = smtp ]; then
    script=mailfront-smtpd
    envs+=(SMTPD_USER="$SMTPUSER" QMAILHOME="$QMAILHOME" QUEUEDIR="$QUEUEDIR" "${SMTP_ENV[@]}")
  else
    script=mailfront-pop3d
    envs+=(CVM=cvm-command:/usr/bin/cvm-pwfile CVM_PWFILE_PATH="$PWFILE")
  fi
  for try in 1 2 3; do
    freeport
    (cd "$T" && exec env -i PATH="$PATH_T" "${envs[@]}" PORT="$PORT" "$TOP/examples/run/$script/run") >>"$log" 2>&1 &
    pid=$!
    SERVERS+=("$pid")
    wait_listen "$PORT" "$pid" && return 0
  done
  failed "$kind server on $* started" "$(cat "$log")"
  exit 1
}

# example FILE: the shipped file examples/FILE with the installed paths
# replaced by the test's, and nothing else: /etc/relay-ctrl (the envdir)
# by $ENVDIR, /usr/local/bin/ by $BIN/.
example () {
  sed -e "s#/etc/relay-ctrl\\( \\|\$\\)#$ENVDIR\\1#g" -e "s#/usr/local/bin/#$BIN/#g" "$TOP/examples/$1"
}
