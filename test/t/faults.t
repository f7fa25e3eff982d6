# Faults: the spool on a full file system, the spool removed or shut
# while the services run, and a huge number of stale temporary files
# (faults-clock.t steps the clock). Each time: mail is still
# served, no fresh login is lost, and the log says what happened.
source "$RC_TOP/test/lib.sh"
plan 55
source "$RC_TOP/test/e2e-lib.sh"
e2e_start
e2e_fixtures 900
POPLOG=$T/pop.log SMTPLOG=$T/smtp.log
ALLOW=relay-ctrl-allow CHECK=relay-ctrl-check

MOUNTS=()
unmount_all () { local m; stop_servers; for m in "${MOUNTS[@]}"; do umount "$m" 2>/dev/null || umount -l "$m"; done; }
cleanup unmount_all

# servers DIR: both services with the spool DIR (parent 0700, as the
# installer makes it). Ports in POPP and SMTPP.
servers () {
  SPOOL=$1
  echo "$SPOOL" >"$ENVDIR/RELAY_CTRL_DIR"
  serve pop "$POPLOG" 127.0.0.1; POPP=$PORT
  serve smtp "$SMTPLOG" 127.0.0.1; SMTPP=$PORT
}
spool_make_at () { mkdir -p "$1/allow"; chmod 0700 "$1"; chmod 0777 "$1/allow"; }
# login FROM WHAT / relay FROM WHAT / norelay FROM WHAT / localmail FROM WHAT,
# each leaving the log lines of its session in L.
login () { local m; m=$(logpos "$POPLOG"); pop 127.0.0.1 "$POPP" "$PASSWORD" --interface "$1"; popped "$2"; L=$(logsince "$POPLOG" "$m"); }
relay () { local m; m=$(logpos "$SMTPLOG"); smtp 127.0.0.1 "$SMTPP" x@example.net --local-interface "$1"; accepted "$2" x@example.net; L=$(logsince "$SMTPLOG" "$m"); }
norelay () { local m; m=$(logpos "$SMTPLOG"); smtp 127.0.0.1 "$SMTPP" x@example.net --local-interface "$1"; refused "$2"; L=$(logsince "$SMTPLOG" "$m"); }
localmail () { smtp 127.0.0.1 "$SMTPP" u@example.org --local-interface "$1"; accepted "$2" u@example.org; }
notmp () { is "$(ls -A "$SPOOL" | grep '^\.' | head -n 3)" "" "$1"; }

# --- 1. The spool on a full file system ---------------------------------
FULL=$T/full
mkdir -p "$FULL"
if ! mount -t tmpfs -o size=64k,nr_inodes=64,mode=0700 tmpfs "$FULL" 2>"$T/.mount"; then
  skip_part 24 "full file system: cannot mount a 64 KiB tmpfs here (needs CAP_SYS_ADMIN): $(cat "$T/.mount")"
else
MOUNTS+=("$FULL")
spool_make_at "$FULL"
servers "$FULL/allow"
login 127.0.0.1 "full fs: before it fills, login from 127.0.0.1"
logged "$L" "" "$ALLOW" "info: recorded login from 127.0.0.1 (user bob)" "full fs: 127.0.0.1 recorded"
: >"$SPOOL/127.0.0.3"; chmod 644 "$SPOOL/127.0.0.3"; age "$SPOOL/127.0.0.3" 5000

# Blocks: every page of the tmpfs taken by a file outside the spool.
dd if=/dev/zero of="$FULL/filler" bs=4096 2>/dev/null
is "$(df --output=avail "$FULL" | tail -n 1 | tr -d ' ')" 0 "full fs: no block left"
login 127.0.0.2 "full fs (blocks): POP login from 127.0.0.2 still lists the mail"
logged "$L" "" "$ALLOW" "warning: not recording login from 127.0.0.2: unable to write its spool entry: No space left on device" "full fs (blocks): allow logs why 127.0.0.2 was not recorded"
notmp "full fs (blocks): no temporary file left behind"
norelay 127.0.0.2 "full fs (blocks): 127.0.0.2, unrecorded, not relayed"
localmail 127.0.0.2 "full fs (blocks): mail to the local domain still accepted"
relay 127.0.0.1 "full fs (blocks): 127.0.0.1, recorded before, still relayed"
logged "$L" "" "$CHECK" "info: relaying for 127.0.0.1 (user bob)" "full fs (blocks): check logs relaying for 127.0.0.1"
login 127.0.0.1 "full fs (blocks): 127.0.0.1 logs in again, POP still serves"
logged "$L" "" "$ALLOW" "warning: not recording login from 127.0.0.1: unable to write its spool entry: No space left on device" "full fs (blocks): failed rewrite logged"
if cmp -s "$SPOOL/127.0.0.1" <(printf 'USER=bob\0'); then pass "full fs (blocks): the failed rewrite left the fresh entry whole"
else failed "full fs (blocks): the failed rewrite left the fresh entry whole" "$(od -c "$SPOOL/127.0.0.1" 2>&1)"; fi
relay 127.0.0.1 "full fs (blocks): 127.0.0.1 still relayed after the failed rewrite"

# Inodes: the blocks freed, every inode taken.
rm -f "$FULL/filler"
for i in $(seq 64); do { : >"$FULL/inode.$i"; } 2>/dev/null || break; done
login 127.0.0.2 "full fs (inodes): POP login from 127.0.0.2 still lists the mail"
logged "$L" "" "$ALLOW" "warning: not recording login from 127.0.0.2: unable to write its spool entry: No space left on device" "full fs (inodes): allow logs why"
notmp "full fs (inodes): no temporary file left behind"
relay 127.0.0.1 "full fs (inodes): 127.0.0.1 still relayed"
run RELAY_CTRL_DIR="$SPOOL" -- relay-ctrl-age -v
is "$RC" 0 "full fs (inodes): relay-ctrl-age runs, exit 0"
logged "$ERR" "" relay-ctrl-age "info: removed 127.0.0.3: expired" "full fs (inodes): relay-ctrl-age removes and logs the expired entry"
ok "full fs (inodes): relay-ctrl-age kept the fresh 127.0.0.1" test -e "$SPOOL/127.0.0.1"

# Space again: logins are recorded at once, no restart needed.
rm -f "$FULL"/inode.*
login 127.0.0.2 "full fs freed: login from 127.0.0.2"
logged "$L" "" "$ALLOW" "info: recorded login from 127.0.0.2 (user bob)" "full fs freed: 127.0.0.2 recorded"
relay 127.0.0.2 "full fs freed: 127.0.0.2 relayed"
stop_servers
umount "$FULL" && MOUNTS=()
fi

# --- 2. The spool removed while the services run --------------------------
spool_make_at "$T/gone"
servers "$T/gone/allow"
login 127.0.0.1 "spool removed: before, login from 127.0.0.1"
relay 127.0.0.1 "spool removed: before, 127.0.0.1 relayed"
rm -rf "$T/gone/allow"
norelay 127.0.0.1 "spool removed: relaying refused (its entry went with the spool)"
logged "$L" "" "$CHECK" "info: not relaying for 127.0.0.1: no login recorded" "spool removed: check logs that no login is recorded"
localmail 127.0.0.1 "spool removed: mail to the local domain still accepted"
login 127.0.0.1 "spool removed: POP login still lists the mail"
logged "$L" "" "$ALLOW" "warning: not recording login from 127.0.0.1: the spool directory was removed; recreate it and restart the service" "spool removed: allow logs why nothing was recorded, and what to do"
spool_make_at "$T/gone"
login 127.0.0.1 "spool recreated: POP login still lists the mail"
if grep -q 'info: recorded login from 127.0.0.1' <<<"$L"; then echo "# note: after the spool was recreated, the running services used the new one"
else echo "# note: after the spool was recreated, the running services still write into the removed directory they hold (relay-ctrl-chdir's fd) until restarted: $(grep "$ALLOW" <<<"$L")"; fi
stop_servers
servers "$T/gone/allow"
login 127.0.0.1 "spool recreated, services restarted: login from 127.0.0.1"
logged "$L" "" "$ALLOW" "info: recorded login from 127.0.0.1 (user bob)" "spool recreated, services restarted: login recorded"
relay 127.0.0.1 "spool recreated, services restarted: 127.0.0.1 relayed"

# --- 3. The spool shut while the services run -----------------------------
chmod 000 "$SPOOL"
login 127.0.0.2 "spool mode 000: POP login still lists the mail"
logged "$L" "" "$ALLOW" "warning: not recording login from 127.0.0.2: unable to write its spool entry: Permission denied" "spool mode 000: allow logs why"
norelay 127.0.0.1 "spool mode 000: relaying refused"
logged "$L" "" "$CHECK" "warning: not relaying for 127.0.0.1: unable to read its spool entry: Permission denied" "spool mode 000: check logs why"
localmail 127.0.0.1 "spool mode 000: mail to the local domain still accepted"
chmod 0777 "$SPOOL"
relay 127.0.0.1 "spool mode restored: 127.0.0.1, recorded before, relayed again without a restart"
chmod 0 "$T/gone"
login 127.0.0.2 "spool's parent mode 000: login from 127.0.0.2 (the services hold the spool open)"
logged "$L" "" "$ALLOW" "info: recorded login from 127.0.0.2 (user bob)" "spool's parent mode 000: login recorded"
relay 127.0.0.2 "spool's parent mode 000: 127.0.0.2 relayed"
chmod 0700 "$T/gone"
chmod 0333 "$SPOOL"
login 127.0.0.3 "spool mode 0333 (not listable): login from 127.0.0.3"
relay 127.0.0.3 "spool mode 0333: 127.0.0.3 relayed (nothing lists the spool but relay-ctrl-age, as root)"
chmod 0777 "$SPOOL"
stop_servers

# --- 4. A huge number of stale temporary files ---------------------------
mkspool
NTMP=${RC_FAULT_TMPFILES:-20000}
old=$(( $(date +%s) - 5000 ))
(cd "$SPOOL" && seq 1 "$NTMP" | sed 's/^/.tmp.99999.1700000000./' | xargs touch -d "@$old")
(cd "$SPOOL" && seq 1 100 | sed 's/^/.old.99998.1700000000./' | xargs touch -d "@$old")
: >"$SPOOL/.tmp.99997.1.1"  # a write in progress
for i in $(seq 1 20); do printf 'USER=u%s\0' "$i" >"$SPOOL/192.0.2.$i"; done
for i in $(seq 21 30); do : >"$SPOOL/192.0.2.$i"; age "$SPOOL/192.0.2.$i" 5000; done
chmod 644 "$SPOOL"/*
run RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP=192.0.2.7 -- relay-ctrl-check sh -c 'echo "${RELAYCLIENT-unset} $USER"'
is "$OUT" " u7" "$NTMP stale temporary files: check relays a fresh login"
s=$SECONDS
env -i PATH="$PATH_T" RELAY_CTRL_DIR="$SPOOL" "$BIN/relay-ctrl-age" -v >"$T/age.out" 2>"$T/age.err" &
agepid=$!
checks=0 bad=0
while kill -0 "$agepid" 2>/dev/null && [ "$checks" -lt 50 ]; do
  i=$(( checks % 20 + 1 ))
  r=$(env -i PATH="$PATH_T" RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP="192.0.2.$i" relay-ctrl-check sh -c 'echo "${RELAYCLIENT-unset} $USER"' 2>&1)
  [ "$r" = " u$i" ] || bad=$((bad + 1))
  checks=$((checks + 1))
done
wait "$agepid"; rc=$?
is "$rc" 0 "$NTMP stale temporary files: relay-ctrl-age exit 0 ($((SECONDS - s)) s)"
is "$bad" 0 "$NTMP stale temporary files: all $checks checks run meanwhile relayed their fresh logins"
is "$(ls -A "$SPOOL" | grep -c '^\.tmp\.99999\.')" 0 "$NTMP stale temporary files: all removed"
is "$(ls -A "$SPOOL" | grep -c '^\.old\.')" 0 "stale .old. files: all removed"
ok "a fresh temporary file (a write in progress) kept" test -e "$SPOOL/.tmp.99997.1.1"
is "$(ls -A "$SPOOL" | grep -c '^192\.0\.2\.')" 20 "the 20 fresh entries kept, the 10 expired removed"
is "$(grep -c ': temporary file$' "$T/age.err")" $((NTMP + 100)) "relay-ctrl-age -v logs each temporary file removed"
has "$(tail -n 1 "$T/age.err")" "info: scanned $((NTMP + 131)) entries: removed $((NTMP + 110)), kept 21, ignored 0\$" "relay-ctrl-age -v sums it up"
