# Debian's Courier (courier-pop 1.0.16, courier-imap 5.0.13) as the
# login side, unpacked by test/courier-extract (they conflict with
# Dovecot), with Debian's courier-authdaemon checking a real system
# user's password through PAM. The services are the shipped run scripts
# examples/run/courier-pop3d/run and courier-imapd/run with the wrappers
# examples/courier/courierpop3d and imapd (paths set to the test's),
# the SMTP side as in e2e.t. POP3 and IMAP logins authorize relaying; a
# bad password authorizes nothing; Courier's AUTHENTICATED becomes the
# entry's USER; IPv6.
source "$RC_TOP/test/lib.sh"
plan 26
source "$RC_TOP/test/e2e-lib.sh"
e2e_start
if ! COURIER=$("$TOP/test/courier-extract" 2>"$T/.cx"); then
  failed "Debian's Courier unpacked by test/courier-extract" "$(cat "$T/.cx")"
  exit 1
fi
pass "Debian's Courier unpacked in $COURIER"
e2e_fixtures 90

# --- a system user, as Courier's PAM login wants -----------------------
CU=rctest-courier CP=courier-pw-42
# imapd's IDLE support starts gamin's gam_server as the user, and it
# outlives the session; stop it before the user is removed.
stop_gam () { local p; for p in $(procs_in "$T" | awk '$2 ~ /gam_server$/ { print $1 }'); do kill "$p" 2>/dev/null; done; }
cleanup stop_gam
cleanup "sleep 0.2; userdel $CU 2>/dev/null"
if ! id "$CU" >/dev/null 2>&1; then
  useradd --system --home-dir "$T/home/courier" --shell /bin/sh "$CU" || { failed "useradd $CU"; exit 1; }
else
  usermod --home "$T/home/courier" "$CU" || { failed "usermod --home for the left-over user $CU"; exit 1; }
fi
echo "$CU:$CP" | chpasswd || { failed "chpasswd $CU"; exit 1; }
CH=$T/home/courier
mkdir -p "$CH/Maildir/new" "$CH/Maildir/cur" "$CH/Maildir/tmp"
printf 'From: postmaster@example.org\nTo: %s@example.org\nSubject: hi\n\nhello\n' "$CU" >"$CH/Maildir/cur/1700000000.1.courier:2,"
chown -R "$CU:" "$CH"

# --- Courier's authentication daemon -------------------------------------
AUTHD=
if ! grep -q '^authmodulelist=.*authpam' /etc/courier/authdaemonrc; then
  failed "/etc/courier/authdaemonrc uses authpam" "$(grep '^authmodulelist' /etc/courier/authdaemonrc)"
  exit 1
fi
authd_up () { local p; p=$(cat /run/courier/authdaemon/pid 2>/dev/null) && [ -n "$p" ] && [ -d "/proc/$p" ] && [ -S /run/courier/authdaemon/socket ]; }
if ! authd_up; then
  mkdir -p /run/courier/authdaemon
  env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin /usr/sbin/authdaemond start >"$T/authd.log" 2>&1
  AUTHD=1
  cleanup 'env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin /usr/sbin/authdaemond stop >/dev/null 2>&1'
  for ((i = 0; i < 100; i++)); do [ -S /run/courier/authdaemon/socket ] && break; sleep 0.05; done
fi
ok "Courier's authdaemond is up (/run/courier/authdaemon/socket)" test -S /run/courier/authdaemon/socket
for ((i = 0; i < 40; i++)); do run -- /usr/sbin/authtest "$CU" "$CP"; [ "$RC" = 0 ] && break; sleep 0.1; done
if [ "$RC" = 0 ]; then pass "authtest: authdaemond accepts $CU's password through PAM"
else failed "authtest: authdaemond accepts $CU's password through PAM" "exit $RC: $OUT $ERR" "$(cat "$T/authd.log" 2>/dev/null)"; fi

# --- the wrappers and the services -----------------------------------------
mkdir -p "$T/lib"
for w in courierpop3d imapd; do
  sed -e "s#/usr/local/bin/#$BIN/#g" -e "s#/usr/lib/courier/#$COURIER/usr/lib/courier/#g" \
    -e "s#/usr/bin/imapd#$COURIER/usr/bin/imapd#g" "$TOP/examples/courier/$w" >"$T/lib/$w"
  chmod 755 "$T/lib/$w"
done
CLOG=$T/courier.log
# service SCRIPT WRAPPER: the run script on a free port (every address).
service () {
  local try pid
  for try in 1 2 3; do
    freeport
    (cd "$T" && exec env -i PATH="$PATH_T" ENVDIR="$ENVDIR" BIN="$BIN" COURIER="$COURIER" WRAPPER="$T/lib/$2" \
       PORT="$PORT" "$TOP/examples/run/$1/run") >>"$CLOG" 2>&1 &
    pid=$!
    SERVERS+=("$pid")
    wait_listen "$PORT" "$pid" && return 0
  done
  failed "examples/run/$1/run started" "$(cat "$CLOG")"
  exit 1
}
service courier-pop3d courierpop3d; POP=$PORT
service courier-imapd imapd; IMAP=$PORT
pass "examples/run/courier-pop3d/run and courier-imapd/run listen on ports $POP and $IMAP"
serve smtp "$T/smtp.log" 0; SMTP=$PORT

cpop () { # HOST PASSWORD [curl args]
  local host=$1 pass=$2; shift 2
  case $host in *:*) host="[$host]" ;; esac
  OUT=$("${CLIENT_ENV[@]}" curl -sS -g --max-time 10 -u "$CU:$pass" "$@" "pop3://$host:$POP/" 2>&1); RC=$?
}
cimap () { # HOST PASSWORD [curl args]
  local host=$1 pass=$2; shift 2
  case $host in *:*) host="[$host]" ;; esac
  OUT=$("${CLIENT_ENV[@]}" curl -sS -g --max-time 10 -u "$CU:$pass" "$@" "imap://$host:$IMAP/" 2>&1); RC=$?
}
entry_is () { # NAME WHAT
  if cmp -s "$SPOOL/$1" <(printf 'USER=%s\0' "$CU"); then pass "$2"; else failed "$2" "$(od -c "$SPOOL/$1" 2>&1)"; fi
}

smtp 127.0.0.1 "$SMTP" x@example.net
refused "relaying refused before any login"

# POP3
cpop 127.0.0.1 wrong
denied "POP3: a bad password is refused by Courier"
notok "POP3: a bad password records nothing" test -e "$SPOOL/127.0.0.1"
m=$(logpos "$CLOG")
cpop 127.0.0.1 "$CP"
if [ "$RC" = 0 ] && grep -qE '^1 [0-9]+' <<<"$OUT"; then pass "POP3: login as $CU lists the mailbox"; else failed "POP3: login as $CU lists the mailbox" "curl exit $RC: $OUT" "$(cat "$CLOG")"; fi
logged "$(logsince "$CLOG" "$m")" "" relay-ctrl-allow "info: recorded login from 127.0.0.1 (user $CU)" "POP3: allow logs the login with the user"
entry_is 127.0.0.1 "POP3: the entry holds USER=$CU (from Courier's AUTHENTICATED)"
is "$(stat -c %u "$SPOOL/127.0.0.1" 2>&1)" "$(id -u "$CU")" "POP3: the entry was written as the user who logged in"
smtp 127.0.0.1 "$SMTP" x@example.net
accepted "POP3: then relaying accepted from 127.0.0.1" x@example.net
smtp 127.0.0.1 "$SMTP" x@example.net --local-interface 127.0.0.2
refused "POP3: relaying still refused from 127.0.0.2"
run RELAY_CTRL_DIR="$SPOOL" -- relay-ctrl-revoke -u "$CU"
is "$RC" 0 "relay-ctrl-revoke -u $CU finds the Courier login"
smtp 127.0.0.1 "$SMTP" x@example.net
refused "after relay-ctrl-revoke -u, relaying refused again"

# IMAP
cimap 127.0.0.4 wrong --interface 127.0.0.4
denied "IMAP: a bad password is refused by Courier"
notok "IMAP: a bad password records nothing" test -e "$SPOOL/127.0.0.4"
m=$(logpos "$CLOG")
cimap 127.0.0.1 "$CP" --interface 127.0.0.3
if [ "$RC" = 0 ] && grep -q 'INBOX' <<<"$OUT"; then pass "IMAP: login as $CU from 127.0.0.3 lists INBOX"; else failed "IMAP: login as $CU lists INBOX" "curl exit $RC: $OUT" "$(cat "$CLOG")"; fi
logged "$(logsince "$CLOG" "$m")" "" relay-ctrl-allow "info: recorded login from 127.0.0.3 (user $CU)" "IMAP: allow logs the login with the user"
entry_is 127.0.0.3 "IMAP: the entry holds USER=$CU"
smtp 127.0.0.1 "$SMTP" x@example.net --local-interface 127.0.0.3
accepted "IMAP: then relaying accepted from 127.0.0.3" x@example.net

# IPv6
if [ -z "$HAVE_V6" ]; then
  failed "IPv6: ::1 on this machine"
else
  cpop ::1 "$CP"
  if [ "$RC" = 0 ]; then pass "IPv6: POP3 login from ::1"; else failed "IPv6: POP3 login from ::1" "curl exit $RC: $OUT"; fi
  entry_is ::1 "IPv6: the entry ::1 holds USER=$CU"
  smtp ::1 "$SMTP" x@example.net -6
  accepted "IPv6: then relaying accepted from ::1" x@example.net
fi

quiet "$(cat "$CLOG" "$T/smtp.log")" "no warning, fatal or sanitizer report in the logs"
stop_servers
stop_gam
for ((i = 0; i < 40; i++)); do [ -z "$(procs_in "$T")" ] && break; sleep 0.05; done
is "$(procs_in "$T")" "" "no process left running"
