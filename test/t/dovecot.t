# Dovecot 2.3 (Debian's dovecot-pop3d and dovecot-imapd) as the login
# side: relay-ctrl-allow as a post-login script, run by script-login in a
# root service behind envdir and relay-ctrl-chdir, so the spool keeps its
# 0700 root parent. A private Dovecot instance on loopback (own config,
# base_dir, state_dir and log under $T, high ports), the SMTP side as in
# e2e.t. The relay-ctrl part is examples/dovecot/99-relay-ctrl.conf, the
# file doc/dovecot.md shows, with the test's paths (example).
source "$RC_TOP/test/lib.sh"
plan 40
source "$RC_TOP/test/e2e-lib.sh"
e2e_start
if ! "$TOP/test/deps" dovecot-pop3d dovecot-imapd >"$T/.deps" 2>&1; then
  failed "packages dovecot-pop3d and dovecot-imapd" "$(cat "$T/.deps")"
  exit 1
fi
e2e_fixtures 90



# --- the Dovecot instance ---------------------------------------------
DC=$T/dovecot
DCLOG=$T/dovecot.log
mkdir -p "$DC"
# passwd-file: user:password:uid:gid:gecos:home:shell
echo "bob:{PLAIN}$PASSWORD:$MAILUID:$MAILUID::$T/home/bob::" >"$DC/users"
chown root:dovecot "$DC/users"
chmod 640 "$DC/users"
freeport; POP=$PORT
freeport; IMAP=$PORT
LISTEN=127.0.0.1
[ -n "$HAVE_V6" ] && LISTEN="127.0.0.1, ::1"
# Dovecot caps each service's address space (default_vsz_limit, 256M);
# AddressSanitizer needs far more, so the sanitizer build lifts the cap.
VSZ=
ldd "$BIN/relay-ctrl-allow" 2>/dev/null | grep -q libasan && VSZ="default_vsz_limit = 0"
cat >"$DC/dovecot.conf" <<EOF
instance_name = relay-ctrl-test-$$
base_dir = $DC/run
state_dir = $DC/state
log_path = $DCLOG
protocols = pop3 imap
listen = $LISTEN
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
mail_location = maildir:~/Maildir
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $DC/users
}
userdb {
  driver = passwd-file
  args = username_format=%u $DC/users
}
service pop3-login {
  inet_listener pop3 {
    port = $POP
  }
  inet_listener pop3s {
    port = 0
  }
}
service imap-login {
  inet_listener imap {
    port = $IMAP
  }
  inet_listener imaps {
    port = 0
  }
}

$VSZ
$(example dovecot/99-relay-ctrl.conf)
EOF
mkdir -p "$DC/state"

DOVECOT=
stop_dovecot () {
  local i
  [ -n "$DOVECOT" ] || return 0
  kill "$DOVECOT" 2>/dev/null
  for ((i = 0; i < 100; i++)); do kill -0 "$DOVECOT" 2>/dev/null || break; sleep 0.05; done
  wait "$DOVECOT" 2>/dev/null
  DOVECOT=
}
cleanup stop_dovecot

run -- doveconf -n -c "$DC/dovecot.conf"
ok "doveconf accepts the configuration" test "$RC" = 0 -a -z "$ERR"
[ "$RC" = 0 ] || { echo "#   $ERR"; exit 1; }

env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin dovecot -F -c "$DC/dovecot.conf" >>"$DCLOG" 2>&1 &
DOVECOT=$!
if wait_listen "$POP" "$DOVECOT" && wait_listen "$IMAP" "$DOVECOT"; then
  pass "private Dovecot listening on 127.0.0.1 ports $POP (POP3) and $IMAP (IMAP)"
else
  failed "private Dovecot started" "$(cat "$DCLOG")"
  exit 1
fi

SMTPLOG=$T/smtp.log
serve smtp "$SMTPLOG" 127.0.0.1; SMTP4=$PORT
ALLOW=relay-ctrl-allow CHECK=relay-ctrl-check
# imap HOST PORT PASSWORD [curl args]: logs in as bob, lists his folders.
imap () {
  local host=$1 port=$2 pass=$3
  shift 3
  case $host in *:*) host="[$host]" ;; esac
  OUT=$("${CLIENT_ENV[@]}" curl -sS -g --max-time 10 -u "bob:$pass" "$@" "imap://$host:$port/" 2>&1)
  RC=$?
}
listed () { # WHAT  (IMAP login accepted, INBOX listed)
  if [ "$RC" = 0 ] && grep -qE '^\* LIST .* "?INBOX"?' <<<"$OUT"; then pass "$1"; else failed "$1" "curl exit $RC:" "$OUT"; fi
}
# Dovecot writes what a post-login script prints on stderr to its log.
dclogged () { # TEXT MESSAGE WHAT
  has "$1" "$(ere "$ALLOW")(\[[0-9]+\])?: $(ere "$2")\$" "$3"
}

# --- failed logins ----------------------------------------------------
# From their own address: Dovecot slows down later logins from an address
# with failures (its auth penalty).
smtp 127.0.0.1 "$SMTP4" x@example.net
refused "relaying refused before any login"

m=$(logpos "$DCLOG")
pop 127.0.0.1 "$POP" wrong --interface 127.0.0.4
denied "POP3 login with a bad password refused by Dovecot"
imap 127.0.0.1 "$IMAP" wrong --interface 127.0.0.4
denied "IMAP login with a bad password refused by Dovecot"
sleep 0.2
L=$(logsince "$DCLOG" "$m")
has "$L" 'pop3-login: .*auth failed.*rip=127\.0\.0\.4' "Dovecot logged the failed POP3 login"
has "$L" 'imap-login: .*auth failed.*rip=127\.0\.0\.4' "Dovecot logged the failed IMAP login"
hasnt "$L" "$ALLOW" "relay-ctrl-allow did not run for the bad passwords"
is "$(ls -A "$SPOOL")" "" "spool still empty after the bad passwords"
smtp 127.0.0.1 "$SMTP4" x@example.net --local-interface 127.0.0.4
refused "relaying still refused from 127.0.0.4 after its bad passwords"

# --- POP3 -------------------------------------------------------------
m=$(logpos "$DCLOG")
pop 127.0.0.1 "$POP" "$PASSWORD"
popped "POP3 login as bob through Dovecot lists his mail"
L=$(logsince "$DCLOG" "$m")
dclogged "$L" "info: recorded login from 127.0.0.1 (user bob)" "allow, as Dovecot's post-login script, logs the login from 127.0.0.1"
is "$(spool_stat 127.0.0.1)" "644 0 9" "spool entry 127.0.0.1: mode 0644, written by root (the post-login service's user)"
spool_holds_bob 127.0.0.1 "spool entry holds USER=bob (Dovecot's USER)"
is "$(ls -A "$SPOOL")" 127.0.0.1 "no temporary file left in the spool"
is "$(stat -c '%a %U' "$SPOOLTOP")" "700 root" "the spool's parent is still 0700 root"

m=$(logpos "$SMTPLOG")
smtp 127.0.0.1 "$SMTP4" x@example.net
accepted "relaying accepted from 127.0.0.1 after the Dovecot POP3 login" x@example.net
L=$(logsince "$SMTPLOG" "$m")
logged "$L" "" "$CHECK" "info: relaying for 127.0.0.1 (user bob)" "check logs: relaying for 127.0.0.1"
smtp 127.0.0.1 "$SMTP4" x@example.net --local-interface 127.0.0.2
refused "relaying refused from 127.0.0.2, which did not log in"

# --- IMAP, from another address ---------------------------------------
smtp 127.0.0.1 "$SMTP4" x@example.net --local-interface 127.0.0.3
refused "relaying refused from 127.0.0.3 before its IMAP login"
m=$(logpos "$DCLOG")
imap 127.0.0.1 "$IMAP" "$PASSWORD" --interface 127.0.0.3
listed "IMAP login as bob from 127.0.0.3 through Dovecot lists INBOX"
L=$(logsince "$DCLOG" "$m")
dclogged "$L" "info: recorded login from 127.0.0.3 (user bob)" "allow logs the IMAP login from 127.0.0.3"
spool_holds_bob 127.0.0.3 "spool entry 127.0.0.3 holds USER=bob"
smtp 127.0.0.1 "$SMTP4" x@example.net --local-interface 127.0.0.3
accepted "relaying accepted from 127.0.0.3 after the Dovecot IMAP login" x@example.net
smtp 127.0.0.1 "$SMTP4" x@example.net --local-interface 127.0.0.2
refused "relaying still refused from 127.0.0.2"

# A re-login refreshes an aged entry.
age "$SPOOL/127.0.0.3" 100
smtp 127.0.0.1 "$SMTP4" x@example.net --local-interface 127.0.0.3
refused "relaying refused from 127.0.0.3 once its login is 100 s old (expiry 90)"
imap 127.0.0.1 "$IMAP" "$PASSWORD" --interface 127.0.0.3
listed "IMAP login again from 127.0.0.3"
smtp 127.0.0.1 "$SMTP4" x@example.net --local-interface 127.0.0.3
accepted "relaying accepted again from 127.0.0.3 after the new IMAP login" x@example.net

# --- IPv6 -------------------------------------------------------------
if [ -z "$HAVE_V6" ]; then
  skip_part 6 "IPv6: no ::1 on this machine"
else
  serve smtp "$SMTPLOG" ::1; SMTP6=$PORT
  smtp ::1 "$SMTP6" x@example.net -6
  refused "IPv6: relaying refused from ::1 before any login"
  m=$(logpos "$DCLOG")
  imap ::1 "$IMAP" "$PASSWORD"
  listed "IPv6: IMAP login as bob from ::1"
  pop ::1 "$POP" "$PASSWORD"
  popped "IPv6: POP3 login as bob from ::1"
  L=$(logsince "$DCLOG" "$m")
  dclogged "$L" "info: recorded login from ::1 (user bob)" "allow logs the login from ::1"
  spool_holds_bob ::1 "IPv6: spool entry ::1 holds USER=bob"
  smtp ::1 "$SMTP6" x@example.net -6
  accepted "IPv6: relaying accepted from ::1 after the Dovecot logins" x@example.net
fi

quiet "$(cat "$DCLOG" "$SMTPLOG")" "no relay-ctrl warning, fatal or sanitizer report in the logs"
# Dovecot labels every line a post-login script writes to stderr
# "Error:", relay-ctrl-allow's info lines included.
hasnt "$(grep -vE 'relay-ctrl-postlogin: Error: relay-ctrl-allow\[[0-9]+\]: info: ' "$DCLOG")" '(Error|Fatal|Panic):' \
  "no error in Dovecot's log but relay-ctrl-allow's info lines"
has "$(cat "$DCLOG")" '^.* relay-ctrl-postlogin: Error: relay-ctrl-allow\[[0-9]+\]: info: recorded login from 127\.0\.0\.1 \(user bob\)$' \
  "Dovecot logs them as relay-ctrl-postlogin: Error: relay-ctrl-allow[pid]: info: ..."
master=$DOVECOT
stop_dovecot
stop_servers
notok "the Dovecot master has exited" kill -0 "$master" 2>/dev/null
is "$(pgrep -a -f -- "$DC/" || true)" "" "no Dovecot process of this instance left"
is "$(procs_in "$T")" "" "no process left running under the test directory"
