# Postfix with check_client_access socketmap:inet:...:drac (the lighter
# alternative to relay-ctrl-policy, doc/postfix.md): Debian's Postfix on
# loopback with examples/postfix/main.cf.socketmap, asking
# relay-ctrl-socketmap run by examples/run/relay-ctrl-socketmap/run.
# Postfix asks about the client's address, then its name and parent
# networks: those must be NOTFOUND, never TEMP or PERM.
source "$RC_TOP/test/lib.sh"
plan 19
source "$RC_TOP/test/e2e-lib.sh"
source "$RC_TOP/test/postfix-lib.sh"
E2E_PACKAGES="$E2E_PACKAGES postfix"
e2e_start
e2e_fixtures 90

serve pop "$T/pop.log" 127.0.0.1; POP4=$PORT
if [ -n "$HAVE_V6" ]; then serve pop "$T/pop.log" ::1; POP6=$PORT; fi
MAPLOG=$T/map.log
start_map () {
  local try
  for try in 1 2 3; do
    freeport; MAP=$PORT
    sed -e "s|/etc/relay-ctrl|$ENVDIR|; s|/usr/local/bin/|$BIN/|g; s| 8001 | $MAP |" \
      "$TOP/examples/run/relay-ctrl-socketmap/run" >"$T/map-run"
    chmod +x "$T/map-run"
    (cd "$T" && exec env -i PATH="$PATH_T" "$T/map-run") >>"$MAPLOG" 2>&1 &
    MAPPID=$!
    SERVERS+=("$MAPPID")
    wait_listen "$MAP" "$MAPPID" && return 0
  done
  failed "relay-ctrl-socketmap started" "$(cat "$MAPLOG")"
  exit 1
}
start_map

# --- the Postfix instance ------------------------------------------------
pf_instance
sed "s|:8001:|:$MAP:|" "$TOP/examples/postfix/main.cf.socketmap" >>"$PF/conf/main.cf"
{ echo "127.0.0.1:$SMTP4 inet n - n - - smtpd"; echo "$LISTEN6"; pf_services; } >"$PF/conf/master.cf"
pf_start "$SMTP4"
pass "postfix started with its own configuration directory"

# Postfix's own words for the two outcomes.
pf_refused () { # WHAT
  if [ "$RC" = 24 ] && grep -qE '^<\*\* +554 5\.7\.1 <x@example\.net>: Relay access denied' <<<"$OUT"
  then pass "$1"; else failed "$1" "swaks exit $RC, transcript:" "$OUT" "maillog:" "$(tail -5 "$PF/maillog")"; fi
}
pf_accepted () { # WHAT
  if [ "$RC" = 0 ] && grep -qE '^<- +250 2\.1\.5 Ok' <<<"$OUT" && grep -qE '^<- +250 2\.0\.0 Ok: queued as' <<<"$OUT"
  then pass "$1"; else failed "$1" "swaks exit $RC, transcript:" "$OUT" "maillog:" "$(tail -5 "$PF/maillog")"; fi
}


pf_refused () { # WHAT
  if [ "$RC" = 24 ] && grep -qE '^<\*\* +554 5\.7\.1 <x@example\.net>: Relay access denied' <<<"$OUT"
  then pass "$1"; else failed "$1" "swaks exit $RC, transcript:" "$OUT" "maillog:" "$(tail -5 "$PF/maillog")"; fi
}
pf_accepted () { # WHAT
  if [ "$RC" = 0 ] && grep -qE '^<- +250 2\.1\.5 Ok' <<<"$OUT" && grep -qE '^<- +250 2\.0\.0 Ok: queued as' <<<"$OUT"
  then pass "$1"; else failed "$1" "swaks exit $RC, transcript:" "$OUT" "maillog:" "$(tail -5 "$PF/maillog")"; fi
}

out=$(postmap -c "$PF/conf" -q 127.0.0.9 "socketmap:inet:127.0.0.1:$MAP:drac" 2>&1); rc=$?
is "$rc:$out" "1:" "postmap -q: an address without a login is not found"
smtp 127.0.0.1 "$SMTP4" x@example.net
pf_refused "socketmap: relaying refused before any login"
smtp 127.0.0.1 "$SMTP4" u@example.org
pf_accepted "socketmap: mail to its own domain accepted without a login"
pop 127.0.0.1 "$POP4" "$PASSWORD"
popped "POP3 login as bob from 127.0.0.1"
out=$(postmap -c "$PF/conf" -q 127.0.0.1 "socketmap:inet:127.0.0.1:$MAP:drac" 2>&1); rc=$?
is "$rc:$out" "0:OK" "postmap -q 127.0.0.1: OK"
m=$(logpos "$MAPLOG")
smtp 127.0.0.1 "$SMTP4" x@example.net
pf_accepted "socketmap: relaying accepted from 127.0.0.1 after the login"
logged "$(logsince "$MAPLOG" "$m")" "" relay-ctrl-socketmap "info: relaying for 127.0.0.1 (user bob)" "socketmap logs: relaying for 127.0.0.1 (user bob)"
m=$(logpos "$MAPLOG")
smtp 127.0.0.1 "$SMTP4" x@example.net --local-interface 127.0.0.2
pf_refused "socketmap: relaying refused from 127.0.0.2"
has "$(logsince "$MAPLOG" "$m")" "info: not found: unknown is not an IP address" "Postfix also asked about the client's name (unknown): NOTFOUND"
age "$SPOOL/127.0.0.1" 100
smtp 127.0.0.1 "$SMTP4" x@example.net
pf_refused "socketmap: relaying refused 100 s after the login (expired)"
pop 127.0.0.1 "$POP4" "$PASSWORD"
run RELAY_CTRL_DIR="$SPOOL" -- relay-ctrl-revoke 127.0.0.1
smtp 127.0.0.1 "$SMTP4" x@example.net
pf_refused "socketmap: relaying refused after relay-ctrl-revoke"
if [ -n "$HAVE_V6" ]; then
  smtp ::1 "$SMTP6" x@example.net -6
  pf_refused "socketmap IPv6: relaying refused from ::1 before any login"
  pop ::1 "$POP6" "$PASSWORD"
  popped "POP3 login as bob from ::1"
  smtp ::1 "$SMTP6" x@example.net -6
  pf_accepted "socketmap IPv6: relaying accepted from ::1 after the login (Postfix's key 0:0:...:1 or ::1)"
else
  failed "IPv6: no ::1 on loopback"
fi
hasnt "$(cat "$PF/maillog")" 'warning: .*socketmap|lookup error|Server configuration problem' "postfix logged no trouble with the socketmap (host names, networks: NOTFOUND)"
# The map server down: Postfix defers (4xx), it does not relay.
pop 127.0.0.1 "$POP4" "$PASSWORD"
# Postfix keeps its connections to the map: stop those servers too.
kids=$(cat /proc/"$MAPPID"/task/*/children 2>/dev/null)
kill "$MAPPID" $kids; wait "$MAPPID" 2>/dev/null
smtp 127.0.0.1 "$SMTP4" x@example.net
if [ "$RC" = 24 ] && grep -qE '^<\*\* +451 4\.3\.5 ' <<<"$OUT"; then pass "socketmap server down: 451 4.3.5 (try later), not relayed"
else failed "socketmap server down: 451, not relayed" "swaks exit $RC:" "$OUT"; fi
quiet "$(cat "$MAPLOG" "$T/pop.log")" "no warning from relay-ctrl"
pfstop
stop_servers
is "$(procs_in "$T")" "" "no process left running"
