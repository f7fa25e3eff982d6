# Load through the real services on loopback (as e2e.t chains them):
# 40 concurrent POP3 logins from 127.0.0.1-40, then 200 SMTP RCPT
# attempts, 20 at a time, from those addresses and from 20 that never
# logged in. No client error, every login recorded and honoured, every
# other address refused. Figures are printed, never asserted.
source "$RC_TOP/test/lib.sh"
plan 17
source "$RC_TOP/test/e2e-lib.sh"
e2e_start
e2e_fixtures 900
# 40 sessions at once on one Maildir: pop3front-maildir moves new/ into
# cur/ at login, and a session scanning during another's move can list
# nothing. Keep the message in cur/ so the mailbox is the same for all.
mv "$T/home/bob/Maildir/new/1700000000.1.e2e" "$T/home/bob/Maildir/cur/1700000000.1.e2e:2,"
POPLOG=$T/pop.log SMTPLOG=$T/smtp.log
NPOP=40 NSMTP=200 CONC=20
now () { echo "$EPOCHREALTIME"; }
rate () { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { d = b - a; printf "%.1f/s (%d in %.2f s)", n / d, n, d }'; }

serve pop "$POPLOG" -c 100 127.0.0.1; POPP=$PORT
serve smtp "$SMTPLOG" -c 100 127.0.0.1; SMTPP=$PORT

# --- POP3: all logins at once ----------------------------------------
mkdir -p "$T/pop"
t0=$(now)
pids=()
for ((i = 1; i <= NPOP; i++)); do
  ( pop 127.0.0.1 "$POPP" "$PASSWORD" --interface "127.0.0.$i"
    printf '%s\n' "$OUT" >"$T/pop/$i.out"; echo "$RC" >"$T/pop/$i.rc" ) &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
t1=$(now)
bad=
for ((i = 1; i <= NPOP; i++)); do
  if [ "$(cat "$T/pop/$i.rc" 2>/dev/null)" != 0 ] || ! grep -qE '^1 [0-9]+' "$T/pop/$i.out"; then
    bad+="127.0.0.$i: curl exit $(cat "$T/pop/$i.rc" 2>/dev/null) $(head -c 200 "$T/pop/$i.out" 2>/dev/null); "
  fi
done
is "$bad" "" "$NPOP concurrent POP3 logins from 127.0.0.1-$NPOP: every one listed bob's mail"
echo "# POP3 logins: $(rate "$NPOP" "$t0" "$t1"), $NPOP at once"
want=$(for ((i = 1; i <= NPOP; i++)); do echo "127.0.0.$i"; done | sort | tr '\n' ' ')
is "$(ls -A "$SPOOL" | sort | tr '\n' ' ')" "$want" "one spool entry per login, no temporary file left"
bad=
for ((i = 1; i <= NPOP; i++)); do cmp -s "$SPOOL/127.0.0.$i" <(printf 'USER=bob\0') || bad+="127.0.0.$i "; done
is "$bad" "" "every entry holds USER=bob"
is "$(grep -cE 'relay-ctrl-allow\[[0-9]+\]: info: recorded login from 127\.0\.0\.[0-9]+ \(user bob\)$' "$POPLOG")" "$NPOP" "relay-ctrl-allow logged $NPOP logins"

# --- SMTP: 200 RCPT attempts, 20 at a time ---------------------------
# 160 from the 40 addresses that logged in (4 each), 40 from 127.0.1.1-20
# (2 each), interleaved.
froms=()
for ((r = 0; r < 4; r++)); do
  for ((i = 1; i <= NPOP; i++)); do
    froms+=("127.0.0.$i")
    if [ $((i % 4)) = 0 ]; then froms+=("127.0.1.$(( (r * 10 + i / 4 - 1) % 20 + 1 ))"); fi
  done
done
is "${#froms[@]}" "$NSMTP" "$NSMTP SMTP connections planned"
t0=$(now)
"${CLIENT_ENV[@]}" python3 "$TOP/test/load/smtprcpt.py" 127.0.0.1 "$SMTPP" "$CONC" x@example.net "${froms[@]}" >"$T/smtp.out" 2>"$T/smtp.err"
RC=$?
t1=$(now)
is "$RC:$(cat "$T/smtp.err")" "0:" "the SMTP client ran"
echo "# SMTP connections: $(rate "$NSMTP" "$t0" "$t1"), $CONC at once"
is "$(grep -c ' error' "$T/smtp.out")" 0 "no SMTP client error (connect, banner, EHLO, MAIL, RCPT, QUIT)"
is "$(awk '$1 ~ /^127\.0\.0\./ && $2 != "250"' "$T/smtp.out")" "" "every address that logged in relays (RCPT 250), all 160 times"
is "$(awk '$1 ~ /^127\.0\.0\./ && $2 == "250"' "$T/smtp.out" | wc -l)" 160 "160 relayed"
is "$(awk '$1 ~ /^127\.0\.1\./ && $2 != "550"' "$T/smtp.out")" "" "every address that never logged in is refused (RCPT 550), all 40 times"
is "$(awk '$1 ~ /^127\.0\.1\./ && $2 == "550"' "$T/smtp.out" | wc -l)" 40 "40 refused"
is "$(grep -cE 'relay-ctrl-check\[[0-9]+\]: info: relaying for 127\.0\.0\.[0-9]+ \(user bob\)$' "$SMTPLOG")" 160 "relay-ctrl-check logged 160 relayed connections"
is "$(grep -cE 'relay-ctrl-check\[[0-9]+\]: info: not relaying for 127\.0\.1\.[0-9]+: no login recorded$' "$SMTPLOG")" 40 "and 40 refused ones"
is "$(ls -A "$SPOOL" | wc -l)" "$NPOP" "the spool still holds the $NPOP entries"

quiet "$(cat "$POPLOG" "$SMTPLOG")" "no warning, fatal or sanitizer report in the server logs"
hasnt "$(cat "$POPLOG" "$SMTPLOG")" 'tcpserver: (fatal|warning)|end [0-9]+ status [1-9]' "no server or session failed"
stop_servers
is "$(procs_in "$T")" "" "no process left running after the servers stopped"
