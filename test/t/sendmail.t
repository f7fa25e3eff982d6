# End to end with Debian's real sendmail 8.17 (unpacked by
# test/sendmail-extract, as a private daemon on loopback with its own
# configuration and queue): seed 003's DRAC rules with its
# "Kdrac btree" line replaced by examples/sendmail/drac.cf, answered by
# relay-ctrl-socketmap (examples/run/relay-ctrl-socketmap/run); then the
# sendmail.mc form (examples/sendmail/sendmail.mc.snippet). The POP side
# of e2e.t records the logins.
source "$RC_TOP/test/lib.sh"
plan 30
source "$RC_TOP/test/e2e-lib.sh"
E2E_PACKAGES="$E2E_PACKAGES m4"
e2e_start
e2e_fixtures 900

if ! SMROOT=$("$TOP/test/sendmail-extract" 2>"$T/extract.log"); then
  failed "Debian's sendmail unpacked (test/sendmail-extract)" "$(tail -n 5 "$T/extract.log")"
  exit 1
fi
SM=$SMROOT/usr/libexec/sendmail/sendmail
CFDIR=$SMROOT/usr/share/sendmail/cf
MSG='relaying needs a recent mail check: receive your mail \(POP3/IMAP\) first, then send within 15 minutes'

serve pop "$T/pop.log" 127.0.0.1; POP4=$PORT
if [ -n "$HAVE_V6" ]; then serve pop "$T/pop.log" ::1; POP6=$PORT; fi

# The socket map server, from the shipped run script, on a free port.
start_map () { # LOG ENVDIR
  local try
  for try in 1 2 3; do
    freeport; MAP=$PORT
    sed -e "s|/etc/relay-ctrl|$2|; s|/usr/local/bin/|$BIN/|g; s| 8001 | $MAP |" \
      "$TOP/examples/run/relay-ctrl-socketmap/run" >"$T/map-run"
    chmod +x "$T/map-run"
    (cd "$T" && exec env -i PATH="$PATH_T" "$T/map-run") >>"$1" 2>&1 &
    MAPPID=$!
    SERVERS+=("$MAPPID")
    wait_listen "$MAP" "$MAPPID" && return 0
  done
  failed "relay-ctrl-socketmap on port $MAP started" "$(cat "$1")"
  exit 1
}
MAPLOG=$T/map.log
start_map "$MAPLOG" "$ENVDIR"

# sendmail.cf: the m4 base (test/sendmail/base.mc), then either seed 003's
# way (the K line at the top, its rules in check_rcpt) or a snippet.
mkdir -p "$T/sm/queue"; chmod 700 "$T/sm/queue"
touch "$T/sm/statistics" "$T/sm/relay-domains" "$T/sm/hosts"
touch "$T/sm/local-host-names"
echo "hosts files" >"$T/sm/service.switch"
gencf () { # OUT SNIPPET-FILE
  freeport; SMTP4=$PORT; freeport; SMTP6=$PORT
  { [ -n "$2" ] && cat "$2"; } >"$T/snippet.m4"
  sed -e "s|@T@|$T|g; s|@CF@|$CFDIR|g; s|@SMTP4@|$SMTP4|; s|@SMTP6@|$SMTP6|" \
      -e "/@SNIPPET@/{r $T/snippet.m4" -e "d}" "$TOP/test/sendmail/base.mc" >"$T/base.mc"
  [ -n "$HAVE_V6" ] || sed -i '/Name=MTA6/d' "$T/base.mc"
  m4 "$T/base.mc" >"$1" 2>"$T/m4.err" || { failed "m4 generated $1" "$(cat "$T/m4.err")"; exit 1; }
}
# Seed 003's change: the K line after the version line; its rules, with
# the refusal that explains, replace check_rcpt.
gencf "$T/base.cf" ""
sed "s|inet:8001@|inet:$MAP@|" "$TOP/examples/sendmail/drac.cf" >"$T/kline.cf"
cat "$TOP/test/sendmail/check_rcpt.seed" "$TOP/examples/sendmail/refusal.cf" >"$T/rules.cf"
awk -v rules="$T/rules.cf" -v kline="$T/kline.cf" '
  /^V[0-9]+\// { print; while ((getline l < kline) > 0) print l; next }
  /^Scheck_rcpt$/ { while ((getline l < rules) > 0) print l; skip = 1; next }
  skip && /^R/ { next }
  { skip = 0; print }' "$T/base.cf" >"$T/seed.cf"
ok "seed 003's cf: one Kdrac line, a socket map" [ "$(grep -c '^Kdrac socket ' "$T/seed.cf")" = 1 ]

# sendmail insists on a qualified host name (else it sleeps a minute),
# and the sendmail.mc form's rules refuse with 450 a client whose PTR
# lookup fails for want of DNS: it runs with its own UTS and mount
# namespaces, named mx.example.org, with its own /etc/hosts.
printf '127.0.0.1 localhost\n::1 localhost\n127.0.0.2 c2.example.com\n127.0.0.3 c3.example.com\n' >"$T/sm/etc-hosts"
start_sendmail () { # CF
  local pid
  (cd "$T" && exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin unshare -u -m sh -c \
     'hostname mx.example.org && mount --make-rprivate / && mount --bind "$2" /etc/hosts && exec "$0" -C "$1" -bD' \
     "$SM" "$1" "$T/sm/etc-hosts") >>"$T/sendmail.log" 2>&1 &
  pid=$!
  SERVERS+=("$pid")
  wait_listen "$SMTP4" "$pid" || { failed "sendmail -C $1 listening on $SMTP4" "$(cat "$T/sendmail.log")"; exit 1; }
  if [ -n "$HAVE_V6" ]; then wait_listen "$SMTP6" "$pid" || { failed "sendmail listening on [::1]:$SMTP6" "$(cat "$T/sendmail.log")"; exit 1; }; fi
  SMPID=$pid
}
start_sendmail "$T/seed.cf"
SEED4=$SMTP4 SEED6=$SMTP6

sm_refused () { # WHAT
  if [ "$RC" = 24 ] && grep -qE "^<\*\* +550 5\.7\.1 <[^>]*>\.\.\. $MSG\$" <<<"$OUT"
  then pass "$1"; else failed "$1" "swaks exit $RC, transcript:" "$OUT"; fi
}
sm_accepted () { # WHAT
  if [ "$RC" = 0 ] && grep -qE '^<- +250 2\.1\.5 ' <<<"$OUT" && grep -qE '^<- +250 2\.0\.0 .* Message accepted for delivery' <<<"$OUT"
  then pass "$1"; else failed "$1" "swaks exit $RC, transcript:" "$OUT"; fi
}
queued () { find "$T/sm/queue" -name 'qf*' | wc -l; }

smtp 127.0.0.1 "$SEED4" carol@example.net
sm_refused "IPv4: relaying refused before a POP login, with the explaining text and 5.7.1"
smtp 127.0.0.1 "$SEED4" bob@example.org --local-interface 127.0.0.2
sm_accepted "mail for a local recipient accepted without a login (the seed's rules)"
pop 127.0.0.1 "$POP4" "$PASSWORD"
popped "POP login from 127.0.0.1"
smtp 127.0.0.1 "$SEED4" carol@example.net
sm_accepted "IPv4: relaying accepted right after the login"
n=$(queued)
smtp 127.0.0.1 "$SEED4" carol@example.net --local-interface 127.0.0.2
sm_refused "relaying refused from another address (127.0.0.2)"
is "$(queued)" "$n" "... and nothing queued"
age "$SPOOL/127.0.0.1" 1000
smtp 127.0.0.1 "$SEED4" carol@example.net
sm_refused "relaying refused after expiry (login 1000 s ago, RELAY_CTRL_EXPIRY 900)"
pop 127.0.0.1 "$POP4" "$PASSWORD"
smtp 127.0.0.1 "$SEED4" carol@example.net
sm_accepted "a new login: accepted again"
run RELAY_CTRL_DIR="$SPOOL" -- relay-ctrl-revoke 127.0.0.1
is "$RC" 0 "relay-ctrl-revoke 127.0.0.1"
smtp 127.0.0.1 "$SEED4" carol@example.net
sm_refused "relaying refused after relay-ctrl-revoke"

if [ -n "$HAVE_V6" ]; then
  smtp ::1 "$SEED6" carol@example.net
  sm_refused "IPv6: relaying refused before a POP login"
  pop ::1 "$POP6" "$PASSWORD"
  popped "POP login from ::1"
  smtp ::1 "$SEED6" carol@example.net
  sm_accepted "IPv6: relaying accepted right after the login"
  logged "$(cat "$MAPLOG")" "" relay-ctrl-socketmap "info: relaying for ::1 (user bob)" "IPv6: sendmail's key (ipv6:0:0:0:0:0:0:0:1, lowercased) found the entry for ::1"
else
  failed "IPv6 tests: no ::1 on loopback"
fi

# A DRAC-patched POP server's add, through relay-ctrl-drac (fixed port,
# no rpcbind here; drac.t tests rpcbind), relays through sendmail.
mkdir -p "$T/env-drac"; cp "$ENVDIR"/* "$T/env-drac/"
echo 127.0.0.1 >"$T/drac.allow"
echo "$T/drac.allow" >"$T/env-drac/RELAY_CTRL_DRAC_ALLOW"
freeport; DPORT=$PORT
echo "$DPORT" >"$T/env-drac/RELAY_CTRL_DRAC_PORT"
echo no >"$T/env-drac/RELAY_CTRL_DRAC_RPCBIND"
sed -e "s|/etc/relay-ctrl|$T/env-drac|; s|/usr/local/bin/|$BIN/|g" "$TOP/examples/run/relay-ctrl-drac/run" >"$T/drac-run"
chmod +x "$T/drac-run"
(cd "$T" && exec env -i PATH="$PATH_T" "$T/drac-run") >>"$T/drac.log" 2>&1 &
DRACPID=$!; SERVERS+=("$DRACPID")
for i in $(seq 50); do grep -q listening "$T/drac.log" && break; sleep 0.1; done
smtp 127.0.0.1 "$SEED4" carol@example.net --local-interface 127.0.0.5
sm_refused "DRAC: 127.0.0.5 refused before the add"
res=$(python3 -c '
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(5)
s.sendto(struct.pack(">IIIIIIIIII", 77, 0, 2, 900101, 1, 1, 0, 0, 0, 0) + socket.inet_aton("127.0.0.5"), ("127.0.0.1", int(sys.argv[1])))
print(struct.unpack(">7I", s.recv(100)[:28])[6])' "$DPORT" 2>&1)
is "$res" 0 "DRAC v1 add of 127.0.0.5 (as dracauth() sends it): success"
smtp 127.0.0.1 "$SEED4" carol@example.net --local-interface 127.0.0.5
sm_accepted "DRAC: the recorded login relays through sendmail"
kill "$DRACPID"; wait "$DRACPID" 2>/dev/null

# Failing closed. Fresh login first, so only the map decides.
pop 127.0.0.1 "$POP4" "$PASSWORD"
smtp 127.0.0.1 "$SEED4" carol@example.net
sm_accepted "fail closed: with the map server up, the fresh login relays"
kill "$MAPPID"; wait "$MAPPID" 2>/dev/null
smtp 127.0.0.1 "$SEED4" carol@example.net
sm_refused "fail closed: map server down: refused"
# TEMP: an empty spool and a dead Redis (relay-ctrl-socketmap says TEMP).
mkdir -p "$T/empty" "$T/env-temp"; chmod 777 "$T/empty"
cp "$ENVDIR"/* "$T/env-temp/"
echo "$T/empty" >"$T/env-temp/RELAY_CTRL_DIR"
echo "127.0.0.1:1" >"$T/env-temp/RELAY_CTRL_REDIS"
cp "$SPOOL/127.0.0.1" "$T/empty/"
# the same port as before: sendmail.cf names it
OLDMAP=$MAP
sed -e "s|/etc/relay-ctrl|$T/env-temp|; s|/usr/local/bin/|$BIN/|g; s| 8001 | $OLDMAP |" \
  "$TOP/examples/run/relay-ctrl-socketmap/run" >"$T/map-run"
rm -f "$T/empty/127.0.0.1"
(cd "$T" && exec env -i PATH="$PATH_T" "$T/map-run") >>"$T/map-temp.log" 2>&1 &
TEMPPID=$!; SERVERS+=("$TEMPPID")
if wait_listen "$OLDMAP" "$TEMPPID"; then
  smtp 127.0.0.1 "$SEED4" carol@example.net
  sm_refused "fail closed: map answering TEMP: refused"
  has "$(cat "$T/map-temp.log")" "warning: not relaying for 127\.0\.0\.1: Redis did not answer" "... the map server did answer TEMP"
else failed "TEMP map server started" "$(cat "$T/map-temp.log")"; fi
kill "$TEMPPID"; wait "$TEMPPID" 2>/dev/null
# Slow: something listens but never answers; sendmail gives up after -d5.
python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16); held = []
end = time.time() + 60
while time.time() < end:
    s.settimeout(1)
    try: held.append(s.accept()[0])
    except socket.timeout: pass
' "$OLDMAP" & SLOWPID=$!; SERVERS+=("$SLOWPID")
if wait_listen "$OLDMAP" "$SLOWPID"; then
  smtp 127.0.0.1 "$SEED4" carol@example.net --timeout 40
  if [ "$RC" = 24 ] && grep -qE '^<\*\* +451 4\.3\.0 socket_map_lookup\(drac\): read timeout' <<<"$OUT"
  then pass "fail closed: map server silent: 451 4.3.0 (try later) after the K line's -d5 timeout"
  else failed "fail closed: map server silent: 451 after -d5" "swaks exit $RC, transcript:" "$OUT"; fi
else failed "silent map server started"; fi
kill "$SLOWPID"; wait "$SLOWPID" 2>/dev/null
kill "$SMPID"; wait "$SMPID" 2>/dev/null

# The sendmail.mc form: FEATURE(`drac') with a socket map. Its rules
# (in Relay_ok) relay for 127.0.0.1 and ::1 anyway, so the client here
# is 127.0.0.2, and 127.0.0.3 the stranger.
start_map "$MAPLOG" "$ENVDIR"
sed "s|inet:8001@|inet:$MAP@|" "$TOP/examples/sendmail/sendmail.mc.snippet" >"$T/snippet-port.m4"
gencf "$T/mc.cf" "$T/snippet-port.m4"
ok "sendmail.mc form: m4 made a Kdrac socket line" grep -q "^Kdrac socket -d5 inet:$MAP@127\.0\.0\.1\$" "$T/mc.cf"
start_sendmail "$T/mc.cf"
smtp 127.0.0.1 "$SMTP4" carol@example.net --local-interface 127.0.0.2
sm_refused "sendmail.mc form: refused before a login from 127.0.0.2, with the explaining text"
pop 127.0.0.1 "$POP4" "$PASSWORD" --interface 127.0.0.2
popped "POP login from 127.0.0.2"
smtp 127.0.0.1 "$SMTP4" carol@example.net --local-interface 127.0.0.2
sm_accepted "sendmail.mc form: relaying accepted right after the login"
smtp 127.0.0.1 "$SMTP4" carol@example.net --local-interface 127.0.0.3
sm_refused "sendmail.mc form: refused from another address (127.0.0.3)"
kill "$MAPPID"; wait "$MAPPID" 2>/dev/null
smtp 127.0.0.1 "$SMTP4" carol@example.net --local-interface 127.0.0.2
sm_refused "sendmail.mc form: map server down: refused"
stop_servers
quiet "$(cat "$MAPLOG" "$T/pop.log" "$T/drac.log")" "no warning from relay-ctrl (socketmap, POP side, DRAC)"
