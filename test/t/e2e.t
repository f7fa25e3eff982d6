# End to end, with the real servers on loopback, chained as seed 004's
# site does: POP3 (pop3front-auth, cvm-pwfile, relay-ctrl-allow,
# pop3front-maildir) and SMTP (relay-ctrl-check, mailfront with the
# qmail-like plugins), each under envdir and relay-ctrl-chdir.
source "$RC_TOP/test/lib.sh"
plan 100
source "$RC_TOP/test/e2e-lib.sh"
e2e_start
e2e_fixtures 90



POPLOG=$T/pop.log SMTPLOG=$T/smtp.log
ALLOW='relay-ctrl-allow' CHECK='relay-ctrl-check'

# --- IPv4: listeners on 127.0.0.1 -------------------------------------
serve pop "$POPLOG" 127.0.0.1; POP4=$PORT
serve smtp "$SMTPLOG" 127.0.0.1; SMTP4=$PORT

m=$(logpos "$SMTPLOG")
smtp 127.0.0.1 "$SMTP4" x@example.net
refused "relaying to an outside domain refused before any login"
L=$(logsince "$SMTPLOG" "$m")
logged "$L" "" "$CHECK" "info: not relaying for 127.0.0.1: no login recorded" "check logs: no login recorded for 127.0.0.1"
has "$L" '^tcpserver: pid [0-9]+ from 127\.0\.0\.1$' "tcpserver on 127.0.0.1 gives a dotted quad"

m=$(logpos "$POPLOG")
pop 127.0.0.1 "$POP4" wrong
denied "POP3 login with a bad password refused"
L=$(logsince "$POPLOG" "$m")
has "$L" 'pop3front-auth\[[0-9]+\]: -ERR Authentication failed' "pop3front-auth refused it"
hasnt "$L" "$ALLOW" "relay-ctrl-allow did not run for the bad password"
notok "no spool entry after the bad password" test -e "$SPOOL/127.0.0.1"
smtp 127.0.0.1 "$SMTP4" x@example.net
refused "relaying still refused after the bad password"

m=$(logpos "$POPLOG")
pop 127.0.0.1 "$POP4" "$PASSWORD"
popped "POP3 login as bob from 127.0.0.1 lists his mail"
L=$(logsince "$POPLOG" "$m")
logged "$L" "" "$ALLOW" "info: recorded login from 127.0.0.1 (user bob)" "allow logs the login from 127.0.0.1"
has "$L" '^pop3front-maildir\[[0-9]+\]: LIST$' "pop3front-maildir ran after relay-ctrl-allow"
is "$(spool_stat 127.0.0.1)" "644 $MAILUID 9" "spool entry 127.0.0.1: mode 0644, owned by the mail user's uid"
spool_holds_bob 127.0.0.1 "spool entry 127.0.0.1 holds USER=bob"
is "$(ls -A "$SPOOL")" 127.0.0.1 "no temporary file left in the spool"

m=$(logpos "$SMTPLOG")
smtp 127.0.0.1 "$SMTP4" x@example.net
accepted "relaying accepted from 127.0.0.1 after the login, whole message sent" x@example.net
has "$(cat "$QUEUEDIR"/new/* 2>&1 | tr '\0' '\n')" '^x@example\.net$' "the queuedir backend wrote the message, for x@example.net, to QUEUEDIR/new"
L=$(logsince "$SMTPLOG" "$m")
logged "$L" "" "$CHECK" "info: relaying for 127.0.0.1 (user bob)" "check logs: relaying for 127.0.0.1"
has "$L" '^mailfront\[[0-9]+\]: RCPT TO:<x@example\.net>$' "mailfront took the outside recipient"

# The privilege model, looked at in live sessions: what the mail user's
# POP3 server and the SMTP server hold once our programs have exec'd.
# session_looks WHO PID UID
session_looks () {
  local fds
  is "$(awk '/^Uid:/ { print $2 }' "/proc/$2/status" 2>&1)" "$3" "live $1 session runs as uid $3"
  fds=$(for f in "/proc/$2/fd/"*; do readlink "$f"; done 2>&1)
  hasnt "$fds" "^$(ere "$SPOOLTOP")" "live $1 session holds no descriptor on the spool"
  hasnt "$(tr '\0' '\n' <"/proc/$2/environ" 2>&1)" '^RELAY_CTRL_DIR_FD=' "live $1 session has no RELAY_CTRL_DIR_FD"
}
m=$(logpos "$POPLOG")
if exec 7<>"/dev/tcp/127.0.0.1/$POP4" 2>/dev/null; then
  printf 'USER bob\r\nPASS %s\r\n' "$PASSWORD" >&7
  for i in 1 2 3; do read -r -t 5 line <&7; done
  is "${line%$'\r'}" "+OK " "live POP3 session: logged in"
  pid=$(logsince "$POPLOG" "$m" | sed -n 's/^tcpserver: pid \([0-9]*\) from .*/\1/p')
  is "$(readlink "/proc/$pid/exe")" /usr/sbin/pop3front-maildir "live POP3 session: relay-ctrl-allow became pop3front-maildir"
  session_looks POP3 "$pid" "$MAILUID"
  printf 'QUIT\r\n' >&7
  exec 7>&-
else
  failed "live POP3 session: connected"
fi
m=$(logpos "$SMTPLOG")
if exec 7<>"/dev/tcp/127.0.0.1/$SMTP4" 2>/dev/null; then
  read -r -t 5 line <&7
  has "$line" '^220 ' "live SMTP session: greeted"
  pid=$(logsince "$SMTPLOG" "$m" | sed -n 's/^tcpserver: pid \([0-9]*\) from .*/\1/p')
  is "$(readlink "/proc/$pid/exe")" /usr/sbin/mailfront "live SMTP session: relay-ctrl-check became mailfront"
  session_looks SMTP "$pid" "$SMTPUID"
  printf 'QUIT\r\n' >&7
  exec 7>&-
else
  failed "live SMTP session: connected"
fi

m=$(logpos "$SMTPLOG")
smtp 127.0.0.1 "$SMTP4" x@example.net --local-interface 127.0.0.2
refused "relaying refused from 127.0.0.2, which did not log in"
L=$(logsince "$SMTPLOG" "$m")
logged "$L" "" "$CHECK" "info: not relaying for 127.0.0.2: no login recorded" "check logs: not relaying for 127.0.0.2"

smtp 127.0.0.1 "$SMTP4" u@example.org --local-interface 127.0.0.2
accepted "mail to the local domain accepted without any login" u@example.org

# mailfront with the refusal that explains (doc/mailfront.md):
# mailfront-smtpd/run with RULES, the shipped rules (with this
# QMAILHOME) and relay-ctrl-mailrules.
sed "s|/etc/mailfront/|$QMAILHOME/|" "$TOP/examples/mailfront/refuse-relay.rules" >"$T/refuse-relay.rules"
# A copy: the SMTP user may not reach the checkout (under /root, say).
cp "$TOP/examples/mailfront/relay-ctrl-mailrules" "$T/relay-ctrl-mailrules" && chmod 755 "$T/relay-ctrl-mailrules"
SMTP_ENV=(RULES="$T/refuse-relay.rules" RULES_PROG="$T/relay-ctrl-mailrules")
serve smtp "$SMTPLOG" 127.0.0.1; SMTPX=$PORT
SMTP_ENV=()
smtp 127.0.0.1 "$SMTPX" x@example.net --local-interface 127.0.0.2
if [ "$RC" = 24 ] && grep -qE '^<\*\* +553 5\.7\.1 relaying needs a recent mail check: receive your mail \(POP3/IMAP\) first, then send within 15 minutes$' <<<"$OUT"
then pass "mailfront rules: the refused relay from 127.0.0.2 says what to do"; else failed "mailfront rules: the refused relay from 127.0.0.2 says what to do" "swaks exit $RC, transcript:" "$OUT"; fi
smtp 127.0.0.1 "$SMTPX" u@example.org --local-interface 127.0.0.2
accepted "mailfront rules: mail to the local domain accepted without any login" u@example.org
smtp 127.0.0.1 "$SMTPX" x@example.net
accepted "mailfront rules: relaying accepted from 127.0.0.1 after the login" x@example.net

age "$SPOOL/127.0.0.1" 80
smtp 127.0.0.1 "$SMTP4" x@example.net
accepted "relaying accepted 80 s after the login (RELAY_CTRL_EXPIRY=90)" x@example.net

age "$SPOOL/127.0.0.1" 100
m=$(logpos "$SMTPLOG")
smtp 127.0.0.1 "$SMTP4" x@example.net
refused "relaying refused 100 s after the login (RELAY_CTRL_EXPIRY=90)"
L=$(logsince "$SMTPLOG" "$m")
logged "$L" "" "$CHECK" "info: not relaying for 127.0.0.1: its login has expired" "check logs: login from 127.0.0.1 expired"
notok "the expired entry was removed" test -e "$SPOOL/127.0.0.1"

if [ -z "$HAVE_V6" ]; then
  skip_part 32 "IPv6 and wildcard listeners: no ::1 on this machine"
else
# --- IPv6: listeners on ::1 -------------------------------------------
serve pop "$POPLOG" ::1; POP6=$PORT
serve smtp "$SMTPLOG" ::1; SMTP6=$PORT

smtp ::1 "$SMTP6" x@example.net -6
refused "IPv6: relaying refused from ::1 before any login"

m=$(logpos "$POPLOG")
pop ::1 "$POP6" "$PASSWORD"
popped "IPv6: POP3 login as bob from ::1"
L=$(logsince "$POPLOG" "$m")
logged "$L" "" "$ALLOW" "info: recorded login from ::1 (user bob)" "allow logs the login from ::1"
is "$(spool_stat ::1)" "644 $MAILUID 9" "IPv6: spool entry ::1: mode 0644, owned by the mail user's uid"
spool_holds_bob ::1 "IPv6: spool entry ::1 holds USER=bob"

m=$(logpos "$SMTPLOG")
smtp ::1 "$SMTP6" x@example.net -6
accepted "IPv6: relaying accepted from ::1 after the login" x@example.net
L=$(logsince "$SMTPLOG" "$m")
logged "$L" "" "$CHECK" "info: relaying for ::1 (user bob)" "check logs: relaying for ::1"

# relay-ctrl-age from cron: the line of examples/cron.d/relay-ctrl, run
# as cron runs it (the user field, then the command under PATH=/usr/bin:/bin).
age "$SPOOL/::1" 100
CRON=$(example cron.d/relay-ctrl | grep -v '^#')
is "$(wc -l <<<"$CRON")" 1 "examples/cron.d/relay-ctrl: one cron line"
read -r c1 c2 c3 c4 c5 cuser ccmd <<<"$CRON"
is "$c1 $c2 $c3 $c4 $c5 $cuser" "* * * * * root" "the cron line: every minute, as root (the /etc/cron.d user field)"
run -- env -i PATH=/usr/bin:/bin $ccmd
is "$RC" 0 "the cron line's command exits 0 under cron's PATH"
is "$ERR$OUT" "" "the cron line's command says nothing (cron mails no one)"
notok "relay-ctrl-age removed the expired ::1 entry" test -e "$SPOOL/::1"
age "$SPOOL/::1" 100 2>/dev/null
run -- envdir "$ENVDIR" "$BIN/relay-ctrl-age" -v
quiet "$ERR" "relay-ctrl-age: no warning or sanitizer report"
smtp ::1 "$SMTP6" x@example.net -6
refused "IPv6: relaying refused from ::1 once its entry aged out"

# --- wildcard listeners: "0" and "-6 0" -------------------------------
# tcpserver 0 gives an IPv4 client TCPREMOTEIP=127.0.0.1; tcpserver -6 0
# gives it ::ffff:127.0.0.1. Whichever side sees which form, -allow and
# -check must both name the spool entry 127.0.0.1.
rm -f "$SPOOL"/*
serve pop "$POPLOG" -6 0; POPM=$PORT
serve pop "$POPLOG" 0; POPW=$PORT
serve smtp "$SMTPLOG" -6 0; SMTPM=$PORT
serve smtp "$SMTPLOG" 0; SMTPW=$PORT

m=$(logpos "$POPLOG")
pop 127.0.0.1 "$POPM" "$PASSWORD"
popped "POP3 login from 127.0.0.1 on a -6 0 listener"
L=$(logsince "$POPLOG" "$m")
has "$L" '^tcpserver: pid [0-9]+ from ::ffff:127\.0\.0\.1$' "tcpserver -6 0 gives the v4-mapped form"
logged "$L" "" "$ALLOW" "info: recorded login from 127.0.0.1 (user bob)" "allow logs the mapped client as 127.0.0.1"
is "$(ls -A "$SPOOL")" 127.0.0.1 "the spool entry is named 127.0.0.1, not ::ffff:127.0.0.1"

m=$(logpos "$SMTPLOG")
smtp 127.0.0.1 "$SMTPW" x@example.net
accepted "relaying accepted from 127.0.0.1 on a 0 listener" x@example.net
L=$(logsince "$SMTPLOG" "$m")
has "$L" '^tcpserver: pid [0-9]+ from 127\.0\.0\.1$' "tcpserver 0 gives the dotted quad"
logged "$L" "" "$CHECK" "info: relaying for 127.0.0.1 (user bob)" "check logs: relaying for 127.0.0.1 (0 listener)"

m=$(logpos "$SMTPLOG")
smtp 127.0.0.1 "$SMTPM" x@example.net
accepted "relaying accepted from 127.0.0.1 on a -6 0 listener" x@example.net
L=$(logsince "$SMTPLOG" "$m")
has "$L" '^tcpserver: pid [0-9]+ from ::ffff:127\.0\.0\.1$' "tcpserver -6 0 gives the mapped form to relay-ctrl-check"
logged "$L" "" "$CHECK" "info: relaying for 127.0.0.1 (user bob)" "check logs: relaying for 127.0.0.1 (-6 0 listener)"

smtp 127.0.0.1 "$SMTPM" x@example.net --local-interface 127.0.0.2
refused "relaying refused from 127.0.0.2 on a -6 0 listener"

m=$(logpos "$POPLOG")
pop 127.0.0.1 "$POPW" "$PASSWORD" --interface 127.0.0.2
popped "POP3 login from 127.0.0.2 on a 0 listener"
L=$(logsince "$POPLOG" "$m")
logged "$L" "" "$ALLOW" "info: recorded login from 127.0.0.2 (user bob)" "allow logs the login from 127.0.0.2"
m=$(logpos "$SMTPLOG")
smtp 127.0.0.1 "$SMTPM" x@example.net --local-interface 127.0.0.2
accepted "then relaying accepted from ::ffff:127.0.0.2 on a -6 0 listener" x@example.net
L=$(logsince "$SMTPLOG" "$m")
logged "$L" "" "$CHECK" "info: relaying for 127.0.0.2 (user bob)" "check logs: relaying for 127.0.0.2"

pop ::1 "$POPW" "$PASSWORD"
popped "POP3 login from ::1 on a 0 listener"
smtp ::1 "$SMTPM" x@example.net -6
accepted "then relaying accepted from ::1 on a -6 0 listener" x@example.net
is "$(ls -A "$SPOOL" | sort | tr '\n' ' ')" "127.0.0.1 127.0.0.2 ::1 " "spool: one entry per client, canonical names"
fi

# --- OP25B: submission on port 587 -------------------------------------
# examples/run/submission/run on its own port, 587 (only the test's
# paths set): relay-ctrl-check in front of it as on port 25, for clients
# whose network blocks outgoing port 25.
SUBLOG=$T/submission.log
if listening 587; then
  failed "port 587 free for the submission service" "$(grep -i ':024B ' /proc/net/tcp /proc/net/tcp6)"
else
  (cd "$T" && exec env -i PATH="$PATH_T" ENVDIR="$ENVDIR" BIN="$BIN" LISTEN=127.0.0.1 LOCALNAME=localhost \
     SMTPD_USER="$SMTPUSER" QMAILHOME="$QMAILHOME" QUEUEDIR="$QUEUEDIR" "$TOP/examples/run/submission/run") >>"$SUBLOG" 2>&1 &
  SERVERS+=("$!")
  if wait_listen 587 "$!"; then
    pass "examples/run/submission/run listens on port 587"
    rm -f "$SPOOL"/*
    smtp 127.0.0.1 587 x@example.net
    refused "587: relaying refused before any login"
    pop 127.0.0.1 "$POP4" "$PASSWORD"
    popped "POP3 login as bob, for the submission port"
    m=$(logpos "$SUBLOG")
    smtp 127.0.0.1 587 x@example.net
    accepted "587: relaying accepted after the POP3 login" x@example.net
    logged "$(logsince "$SUBLOG" "$m")" "" "$CHECK" "info: relaying for 127.0.0.1 (user bob)" "587: check logs relaying for 127.0.0.1 (user bob)"
    smtp 127.0.0.1 587 x@example.net --local-interface 127.0.0.2
    refused "587: relaying refused from 127.0.0.2, which did not log in"
  else
    failed "examples/run/submission/run listens on port 587" "$(cat "$SUBLOG")"
  fi
fi

# --- the qmail run scripts, with stand-ins for qmail's programs ---------
# examples/run/qmail-smtpd/run and qmail-pop3d/run as shipped (settings
# from the environment), with QMAIL a directory whose bin/ holds small
# stand-ins built from mailfront: qmail-smtpd, and qmail-popup and
# qmail-pop3d, which, like qmail's, run the rest of their arguments.
FQ=$T/fakeqmail
mkdir -p "$FQ/bin" "$FQ/control"
echo localhost >"$FQ/control/me"
printf '#!/bin/sh\nexec mailfront smtp queuedir check-fqdn counters relayclient qmail-validate\n' >"$FQ/bin/qmail-smtpd"
printf '#!/bin/sh\nshift 2\nexec pop3front-auth cvm-command:/usr/bin/cvm-pwfile "$@"\n' >"$FQ/bin/qmail-popup"
printf '#!/bin/sh\nexec pop3front-maildir "$@"\n' >"$FQ/bin/qmail-pop3d"
chmod 755 "$FQ/bin/"*
QLOG=$T/qmail.log
# AddressSanitizer reserves far more address space than qmail's usual
# softlimit allows: the sanitizer build lifts it (softlimit's "=").
MEMORY=20000000
ldd "$BIN/relay-ctrl-check" 2>/dev/null | grep -q libasan && MEMORY==
qservice () { # SCRIPT VAR=VALUE...: on a free port, 127.0.0.1
  local script=$1 try pid
  shift
  for try in 1 2 3; do
    freeport
    (cd "$T" && exec env -i PATH="$PATH_T" ENVDIR="$ENVDIR" BIN="$BIN" QMAIL="$FQ" MEMORY="$MEMORY" LISTEN=127.0.0.1 PORT="$PORT" "$@" \
       "$TOP/examples/run/$script/run") >>"$QLOG" 2>&1 &
    pid=$!
    SERVERS+=("$pid")
    wait_listen "$PORT" "$pid" && return 0
  done
  failed "examples/run/$script/run started" "$(cat "$QLOG")"
  exit 1
}
qservice qmail-pop3d CHECKPASSWORD=/bin/true CVM_PWFILE_PATH="$PWFILE"; QPOP=$PORT
qservice qmail-smtpd SMTPD_USER="$SMTPUSER" QMAILHOME="$QMAILHOME" QUEUEDIR="$QUEUEDIR"; QSMTP=$PORT
pass "examples/run/qmail-pop3d/run and qmail-smtpd/run listen"
rm -rf "$SPOOL"/*
smtp 127.0.0.1 "$QSMTP" x@example.net
refused "qmail-smtpd/run: relaying refused before any login"
pop 127.0.0.1 "$QPOP" "$PASSWORD"
popped "qmail-pop3d/run: POP3 login as bob"
spool_holds_bob 127.0.0.1 "qmail-pop3d/run: relay-ctrl-allow recorded USER=bob"
m=$(logpos "$QLOG")
smtp 127.0.0.1 "$QSMTP" x@example.net
accepted "qmail-smtpd/run: relaying accepted after the login" x@example.net
logged "$(logsince "$QLOG" "$m")" "" "$CHECK" "info: relaying for 127.0.0.1 (user bob)" "qmail-smtpd/run: check logs relaying for 127.0.0.1 (user bob)"
has "$(cat "$QLOG")" '^tcpserver: status: ' "qmail run scripts: tcpserver logs to the service's log (exec 2>&1)"

# --- the run scripts fail closed ----------------------------------------
# A missing user, program or file stops the service with one clear line
# (exit 100, supervise retries), never runs it as root or half set up.
closed () { # WHAT PATTERN SCRIPT VAR=VALUE...
  local what=$1 pat=$2 script=$3
  shift 3
  run -- ENVDIR="$ENVDIR" BIN="$BIN" LISTEN=127.0.0.1 PORT=1 QMAILHOME="$QMAILHOME" QUEUEDIR="$QUEUEDIR" \
    SMTPD_USER="$SMTPUSER" "$@" "$TOP/examples/run/$script/run"
  if [ "$RC" = 100 ] && [ -z "$ERR" ] && grep -qE "^$script/run: fatal: $pat: not starting\$" <<<"$OUT"
  then pass "$script/run: $what"; else failed "$script/run: $what" "exit $RC, stdout: $OUT" "stderr: $ERR"; fi
}
for s in mailfront-smtpd submission qmail-smtpd; do
  closed "a missing user stops it" "no user rctest-nosuchuser \(or it is root\)" $s SMTPD_USER=rctest-nosuchuser QMAIL="$T"
  closed "root as the user stops it" "no user root \(or it is root\)" $s SMTPD_USER=root QMAIL="$T"
done
closed "a missing rcpthosts stops it" "no $(ere "$T")/nowhere/control/rcpthosts .*" mailfront-smtpd QMAILHOME="$T/nowhere"
closed "a missing queue stops it" "no $(ere "$T")/nowhere/new or .*" mailfront-smtpd QUEUEDIR="$T/nowhere"
closed "a missing relay-ctrl-check stops it" "no /nowhere/relay-ctrl-check" mailfront-smtpd BIN=/nowhere
closed "a missing RULES file stops it" "no $(ere "$T")/nowhere\.rules or no .*" mailfront-smtpd RULES="$T/nowhere.rules"
closed "a missing qmail-smtpd stops it" "no /nowhere/bin/qmail-smtpd" qmail-smtpd QMAIL=/nowhere
closed "no cvm-unix socket stops it" "no socket /nowhere/socket \\(is the cvm-unix service up\\?\\)" mailfront-pop3d CVM=cvm-local:/nowhere/socket
closed "a missing qmail-popup stops it" "no /nowhere/bin/qmail-popup" qmail-pop3d QMAIL=/nowhere
closed "a missing user stops it" "no user rctest-nosuchuser \(or it is root\)" relay-ctrl-policy POLICY_USER=rctest-nosuchuser
closed "no key setting stops it" "no $(ere "$T")/nowhere/RELAY_CTRL_DIR" relay-ctrl-udp ENVDIR="$T/nowhere"

quiet "$(cat "$POPLOG" "$SMTPLOG" "$QLOG" "$SUBLOG")" "no warning, fatal or sanitizer report in the server logs"
stop_servers
is "$(procs_in "$T")" "" "no process left running after the servers stopped"
