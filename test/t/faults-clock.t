# Faults: the clock stepped backwards and forwards under our programs.
# Runs against a dynamically linked build without AddressSanitizer only
# (libfaketime reaches neither static nor ASan binaries); test/all runs
# it against build alone.
source "$RC_TOP/test/lib.sh"
plan 23
# faketime (libfaketime, through its wrapper, which also removes the
# shared memory the library makes) steps the clock our programs read;
# NO_FAKE_STAT=1 leaves the files' mtimes as the kernel stamped them, as a
# real step does. Entries made "after" a step are stamped with the
# stepped clock by hand (age), as the kernel would.
mkspool
spool_login_aged () { printf 'USER=%s\0' "$1" >"$SPOOL/$1"; chmod 644 "$SPOOL/$1"; age "$SPOOL/$1" "$2"; }
# stepped OFFSET [VAR=value...] -- PROG...: PROG with the clock at OFFSET.
stepped () {
  local off=$1 envs=()
  shift
  while [ "$1" != -- ]; do envs+=("$1"); shift; done
  shift
  run NO_FAKE_STAT=1 "${envs[@]}" -- faketime -f "$off" "$@"
}
check_at () { # OFFSET ADDR
  stepped "$1" RELAY_CTRL_DIR="$SPOOL" RELAY_CTRL_LOG_IPS=1 TCPREMOTEIP="$2" -- relay-ctrl-check sh -c 'echo "${RELAYCLIENT-unset} ${USER-}"'
}
if ! command -v faketime >/dev/null; then
  failed "clock steps: faketime installed (test/deps faketime libfaketime)"
elif ldd "$BIN/relay-ctrl-check" 2>&1 | grep -q 'not a dynamic executable'; then
  skip_all "$BIN/relay-ctrl-check is statically linked, libfaketime cannot reach it"
elif ldd "$BIN/relay-ctrl-check" | grep -q libasan; then
  skip_all "AddressSanitizer and libfaketime deadlock at start-up; the normal build runs this"
else
  # Two clock reads, so a second may tick between them.
  before=$(date +%s); stepped -1h -- date +%s; after=$(date +%s)
  if [ "$OUT" -ge $((before - 3600)) ] 2>/dev/null && [ "$OUT" -le $((after - 3600)) ]; then
    pass "clock steps: libfaketime steps the clock an hour back"
  else failed "clock steps: libfaketime steps the clock an hour back" "before $before, stepped $OUT, after $after"; fi

  # Backwards by 20 s: within the 30 s tolerance, nothing changes.
  spool_login_aged 192.0.2.1 0
  check_at -20 192.0.2.1
  is "$OUT" " 192.0.2.1" "clock 20 s back: a login of just before the step still relays"
  # Backwards by an hour: the logins of before the step are in the future.
  spool_login_aged 192.0.2.2 0; spool_login_aged 192.0.2.3 60
  spool_login_aged 192.0.2.4 3590  # a login 10 s after the step, by the stepped clock
  spool_login_aged 192.0.2.5 3630  # 30 s in the stepped clock's future: the tolerance
  check_at -1h 192.0.2.2
  is "$RC:$OUT" "0:unset " "clock an hour back: a login of before the step (now in the future) refused, SMTP still runs"
  has "$ERR" 'warning: not relaying for 192\.0\.2\.2: its spool entry is dated in the future' "clock an hour back: check logs why"
  ok "clock an hour back: check leaves the future entry to relay-ctrl-age" test -e "$SPOOL/192.0.2.2"
  check_at -1h 192.0.2.4
  is "$OUT" " 192.0.2.4" "clock an hour back: a login after the step relays"
  check_at -1h 192.0.2.5
  is "$OUT" " 192.0.2.5" "clock an hour back: an entry 30 s ahead of it still relays"
  stepped -1h RELAY_CTRL_DIR="$SPOOL" -- relay-ctrl-age -v
  is "$RC" 0 "clock an hour back: relay-ctrl-age exit 0"
  has "$ERR" 'info: removed 192\.0\.2\.2: dated in the future' "clock an hour back: relay-ctrl-age removes and logs a future entry"
  is "$(ls -A "$SPOOL" | sort | tr '\n' ' ')" "192.0.2.4 192.0.2.5 " "clock an hour back: entries dated more than 30 s ahead aged out, the fresh ones kept"
  stepped -1h RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP=192.0.2.6 USER=six -- relay-ctrl-allow sh -c 'echo served'
  if [ "$RC:$OUT" = 0:served ]; then pass "clock an hour back: relay-ctrl-allow records and the POP server runs"
  else failed "clock an hour back: relay-ctrl-allow records and the POP server runs" "exit $RC, out: $OUT" "err: $ERR"; fi
  is "$(cat "$SPOOL/192.0.2.6" | tr '\0' ' ')" "USER=six " "clock an hour back: the new entry is whole"
  is "$(ls -A "$SPOOL" | grep -c '^\.')" 0 "clock an hour back: no temporary file left"

  # Forwards by an hour: the logins of before the step have expired.
  mkspool
  spool_login_aged 192.0.2.1 0; spool_login_aged 192.0.2.2 -3590
  spool_login_aged 192.0.2.3 0
  check_at +1h 192.0.2.1
  is "$OUT" "unset " "clock an hour forward: a login of before the step is an hour old, refused"
  has "$ERR" 'info: not relaying for 192\.0\.2\.1: its login has expired' "clock an hour forward: check logs why"
  ok "clock an hour forward: check removed the expired entry" test ! -e "$SPOOL/192.0.2.1"
  check_at +1h 192.0.2.2
  is "$OUT" " 192.0.2.2" "clock an hour forward: a login after the step relays"
  check_at +60 192.0.2.3
  is "$OUT" " 192.0.2.3" "clock a minute forward: a login of before the step still relays (expiry 900)"
  stepped +1h RELAY_CTRL_DIR="$SPOOL" -- relay-ctrl-age -v
  has "$ERR" 'info: removed 192\.0\.2\.3: expired' "clock an hour forward: relay-ctrl-age removes and logs the expired entry"
  is "$(ls -A "$SPOOL" | tr '\n' ' ')" "192.0.2.2 " "clock an hour forward: the fresh entry kept"
  # And back again: what was logged in during the hour ahead is now in
  # the future, refused and aged out.
  check_at +0 192.0.2.2
  is "$OUT" "unset " "clock back from an hour ahead: the entry it made is refused"
  has "$ERR" 'dated in the future' "clock back from an hour ahead: check logs why"
  run RELAY_CTRL_DIR="$SPOOL" -- relay-ctrl-age -v
  has "$ERR" 'info: removed 192\.0\.2\.2: dated in the future' "clock back from an hour ahead: relay-ctrl-age removes it"
fi

