# End to end with Debian's Postfix on loopback: its own configuration
# directory and queue, check_policy_service before
# reject_unauth_destination, asking relay-ctrl-policy (under tcpserver,
# and under Postfix's spawn service); the POP side of e2e.t records
# logins (pop3front-auth, cvm-pwfile, relay-ctrl-allow).
source "$RC_TOP/test/lib.sh"
plan 40
source "$RC_TOP/test/e2e-lib.sh"
source "$RC_TOP/test/postfix-lib.sh"
# test/deps installs postfix unconfigured, so no system mail server starts.
E2E_PACKAGES="$E2E_PACKAGES postfix"
e2e_start
e2e_fixtures 90


POPLOG=$T/pop.log POLLOG=$T/policy.log
serve pop "$POPLOG" 127.0.0.1; POP4=$PORT
if [ -n "$HAVE_V6" ]; then serve pop "$POPLOG" ::1; POP6=$PORT; fi
# The policy server: examples/run/relay-ctrl-policy/run on its own
# address and port, 127.0.0.1:10027, as examples/postfix/main.cf.snippet
# asks it; the test sets only its paths and user.
POLICY=10027
if listening "$POLICY"; then failed "port $POLICY free for relay-ctrl-policy"; exit 1; fi
start_policy () {
  (cd "$T" && exec env -i PATH="$PATH_T" ENVDIR="$ENVDIR" BIN="$BIN" POLICY_USER="$SMTPUSER" \
     "$TOP/examples/run/relay-ctrl-policy/run") >>"$POLLOG" 2>&1 &
  POLPID=$!
  SERVERS+=("$POLPID")
  if wait_listen "$POLICY" "$POLPID"; then pass "examples/run/relay-ctrl-policy/run listens on 127.0.0.1:$POLICY"
  else failed "examples/run/relay-ctrl-policy/run listens on 127.0.0.1:$POLICY" "$(cat "$POLLOG")"; exit 1; fi
}
start_policy

# A spool that the spawn service's unprivileged user reaches by path.
OPEN=$T/open
mkdir -m 755 "$OPEN"

# --- the Postfix instance ------------------------------------------------
pf_instance
freeport; SMTPS=$PORT
cat >>"$PF/conf/main.cf" <<CF
$(example postfix/main.cf.snippet)
spawn_relay_restrictions = check_policy_service unix:private/relay-ctrl, reject_unauth_destination
CF
# examples/postfix/reject-footer.cf, its table's path moved to the tree's
# examples/postfix/relay-ctrl-footer.regexp.
FOOTER=$TOP/examples/postfix/relay-ctrl-footer.regexp
sed "s|/etc/postfix/|$TOP/examples/postfix/|" "$TOP/examples/postfix/reject-footer.cf" >>"$PF/conf/main.cf"
{
  echo "127.0.0.1:$SMTP4 inet n - n - - smtpd"
  echo "127.0.0.1:$SMTPS inet n - n - - smtpd -o smtpd_relay_restrictions=\$spawn_relay_restrictions"
  echo "$LISTEN6"
  echo "relay-ctrl unix - n n - 0 spawn user=nobody argv=/usr/bin/env RELAY_CTRL_DIR=$OPEN RELAY_CTRL_LOG_IPS=1 $BIN/relay-ctrl-policy"
  pf_services
} >"$PF/conf/master.cf"
pf_start "$SMTP4" "$SMTPS"
pass "postfix started with its own configuration directory"

ok "main.cf's footer map is the shipped relay-ctrl-footer.regexp" grep -qxF "smtpd_reject_footer_maps = regexp:$FOOTER" "$PF/conf/main.cf"
# The text relay-ctrl-footer.regexp adds (after its \c) is what a
# refused client reads after Postfix's own words.
FOOTER_TEXT=$(sed -n 's/^\/.*Relay access denied\/ \\c//p' "$FOOTER")
is "$FOOTER_TEXT" "; relaying needs a recent mail check: receive your mail (POP3/IMAP) first, then send within 15 minutes" \
  "relay-ctrl-footer.regexp: the text for a refused relay"

# Postfix's own words for the two outcomes.
pf_refused () { # WHAT
  if [ "$RC" = 24 ] && grep -E '^<\*\* +554 5\.7\.1 <x@example\.net>: Relay access denied' <<<"$OUT" | grep -qF "Relay access denied$FOOTER_TEXT"
  then pass "$1"; else failed "$1" "swaks exit $RC, transcript:" "$OUT" "maillog:" "$(tail -5 "$PF/maillog")"; fi
}
pf_accepted () { # WHAT
  if [ "$RC" = 0 ] && grep -qE '^<- +250 2\.1\.5 Ok' <<<"$OUT" && grep -qE '^<- +250 2\.0\.0 Ok: queued as' <<<"$OUT"
  then pass "$1"; else failed "$1" "swaks exit $RC, transcript:" "$OUT" "maillog:" "$(tail -5 "$PF/maillog")"; fi
}

# --- through tcpserver ---------------------------------------------------
m=$(logpos "$POLLOG")
smtp 127.0.0.1 "$SMTP4" x@example.net
pf_refused "postfix: relaying refused before any login"
logged "$(logsince "$POLLOG" "$m")" "" relay-ctrl-policy "info: not relaying for 127.0.0.1: no login recorded" "policy logs: no login recorded"

smtp 127.0.0.1 "$SMTP4" u@example.org
pf_accepted "postfix: mail to its own domain accepted without a login"

pop 127.0.0.1 "$POP4" wrong
denied "POP3 login with a bad password refused"
smtp 127.0.0.1 "$SMTP4" x@example.net
pf_refused "postfix: relaying still refused after the bad password"

pop 127.0.0.1 "$POP4" "$PASSWORD"
popped "POP3 login as bob from 127.0.0.1"
ok "the login is in the spool" test -f "$SPOOL/127.0.0.1"

m=$(logpos "$POLLOG")
smtp 127.0.0.1 "$SMTP4" x@example.net
pf_accepted "postfix: relaying accepted from 127.0.0.1 after the login"
logged "$(logsince "$POLLOG" "$m")" "" relay-ctrl-policy "info: relaying for 127.0.0.1 (user bob)" "policy logs: relaying for 127.0.0.1 (user bob)"
has "$(cat "$PF/maillog")" 'postfix/discard\[[0-9]+\]: [0-9A-F]+: to=<x@example\.net>, .*status=sent' "postfix queued and delivered it (discard)"

m=$(logpos "$POLLOG")
smtp 127.0.0.1 "$SMTP4" x@example.net --local-interface 127.0.0.2
pf_refused "postfix: relaying refused from 127.0.0.2, which did not log in"
logged "$(logsince "$POLLOG" "$m")" "" relay-ctrl-policy "info: not relaying for 127.0.0.2: no login recorded" "policy logs: not relaying for 127.0.0.2"

run RELAY_CTRL_DIR="$SPOOL" -- relay-ctrl-query -u 127.0.0.1
is "$RC:$OUT" "0:bob" "relay-ctrl-query agrees: 127.0.0.1 is bob's"

age "$SPOOL/127.0.0.1" 80
smtp 127.0.0.1 "$SMTP4" x@example.net
pf_accepted "postfix: relaying accepted 80 s after the login (RELAY_CTRL_EXPIRY=90)"
age "$SPOOL/127.0.0.1" 100
m=$(logpos "$POLLOG")
smtp 127.0.0.1 "$SMTP4" x@example.net
pf_refused "postfix: relaying refused 100 s after the login (expired)"
logged "$(logsince "$POLLOG" "$m")" "" relay-ctrl-policy "info: not relaying for 127.0.0.1: its login has expired" "policy logs: expired"

# A changed setting, applied as doc/postfix.md says: restart the policy
# service (as svc -t does: its tcpserver ends, a new one starts), then
# "postfix reload", so that smtpd reconnects to the new one.
echo 200 >"$ENVDIR/RELAY_CTRL_EXPIRY"
kill "$POLPID"; wait "$POLPID" 2>/dev/null
start_policy
postfix -c "$PF/conf" reload >/dev/null 2>&1
ok "postfix reload" test "$?" = 0
for ((i = 0; i < 50; i++)); do smtp 127.0.0.1 "$SMTP4" x@example.net; [ "$RC" = 0 ] && break; sleep 0.1; done
pf_accepted "postfix: after the restart and postfix reload, RELAY_CTRL_EXPIRY=200 applies (100 s old: accepted)"
echo 90 >"$ENVDIR/RELAY_CTRL_EXPIRY"
kill "$POLPID"; wait "$POLPID" 2>/dev/null
start_policy
postfix -c "$PF/conf" reload >/dev/null 2>&1
for ((i = 0; i < 50; i++)); do smtp 127.0.0.1 "$SMTP4" x@example.net; [ "$RC" != 0 ] && break; sleep 0.1; done
pf_refused "postfix: and back to RELAY_CTRL_EXPIRY=90 the same way (refused)"

pop 127.0.0.1 "$POP4" "$PASSWORD"
popped "POP3 login again"
smtp 127.0.0.1 "$SMTP4" x@example.net
pf_accepted "postfix: relaying accepted again"
run RELAY_CTRL_DIR="$SPOOL" -- relay-ctrl-revoke -u bob
is "$RC" 0 "relay-ctrl-revoke -u bob"
smtp 127.0.0.1 "$SMTP4" x@example.net
pf_refused "postfix: relaying refused right after the revoke"

if [ -n "$HAVE_V6" ]; then
  smtp ::1 "$SMTP6" x@example.net -6
  pf_refused "postfix IPv6: relaying refused from ::1 before any login"
  pop ::1 "$POP6" "$PASSWORD"
  popped "POP3 login as bob from ::1"
  m=$(logpos "$POLLOG")
  smtp ::1 "$SMTP6" x@example.net -6
  pf_accepted "postfix IPv6: relaying accepted from ::1 after the login"
  logged "$(logsince "$POLLOG" "$m")" "" relay-ctrl-policy "info: relaying for ::1 (user bob)" "policy logs: relaying for ::1"
else
  skip_part 4 "IPv6: no ::1 on this machine"
fi

# --- through Postfix's spawn service -------------------------------------
# spawn(8) runs it as nobody, on a spool nobody reaches by path, with
# stderr on the Postfix connection too (see policy.t for that).
smtp 127.0.0.1 "$SMTPS" x@example.net
pf_refused "postfix spawn: relaying refused without an entry"
printf 'USER=carol\0' >"$OPEN/127.0.0.1"
smtp 127.0.0.1 "$SMTPS" x@example.net
pf_accepted "postfix spawn: relaying accepted with a fresh entry"
smtp 127.0.0.1 "$SMTPS" x@example.net --local-interface 127.0.0.2
pf_refused "postfix spawn: relaying refused from 127.0.0.2"
age "$OPEN/127.0.0.1" 1000
smtp 127.0.0.1 "$SMTPS" x@example.net
pf_refused "postfix spawn: relaying refused once the entry expired"
hasnt "$(cat "$PF/maillog")" 'warning: .*(policy|relay-ctrl)|malformed|Server configuration problem' "postfix logged no trouble with the policy service"

quiet "$(cat "$POPLOG" "$POLLOG")" "no warning, fatal or sanitizer report in the relay-ctrl logs"
pfstop
stop_servers
is "$(procs_in "$T")" "" "no process left running after postfix and the servers stopped"
