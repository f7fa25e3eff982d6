# The Debian package: dpkg-buildpackage -us -uc -b from a copy of the
# tree, lintian, the package against ./installer's list, then install
# into a fresh Debian 12 root (tools/fresh-debian --make-root), its
# files, modes and owners, relay-ctrl-age run as the cron line says, an
# upgrade over itself while a POP3 and an SMTP service from the
# package's example run scripts serve logins, remove, purge; and the
# systemd units with systemd-analyze (systemd itself does not run).
# RC_FRESH_DEBIAN names another tools/fresh-debian (same interface).
. "$RC_TOP/test/lib.sh"
. "$RC_TOP/test/e2e-lib.sh"

PKG_PACKAGES="dpkg-dev debhelper lintian dpkg-repack systemd debootstrap git"
# Copied into the root, repacked from this machine (the test has no
# network): the run scripts' servers and what they need.
ROOT_PACKAGES="daemontools ucspi-tcp-ipv6 mailfront cvm libbg2 libcvm1 liblua5.1-0"
FRESH=${RC_FRESH_DEBIAN:-$TOP/tools/fresh-debian}

if [ "$(id -u)" != 0 ]; then
  failed "package.t runs as root" "dpkg in a chroot, mounts and POP logins need root"
  exit 1
fi
if ! "$TOP/test/deps" -n $PKG_PACKAGES $E2E_PACKAGES >"$T/.deps" 2>&1; then
  failed "packages for package.t installed" "$(cat "$T/.deps")" "install them: test/deps $PKG_PACKAGES $E2E_PACKAGES"
  exit 1
fi
if [ ! -x "$FRESH" ]; then
  failed "tools/fresh-debian is there to make a fresh Debian 12 root" "no $FRESH"
  exit 1
fi
e2e_start

# --- build ---------------------------------------------------------------------
# A copy of the tree as git sees it (committed or not, never ignored
# files), so the build's outputs land in $T, not in the checkout.
SRC=$T/src/relay-ctrl
mkdir -p "$SRC"
(cd "$TOP" && git ls-files --cached --others --exclude-standard -z | xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
  tar --null -cf - -T -) | tar -C "$SRC" -xf -
VERSION=$(dpkg-parsechangelog -l "$SRC/debian/changelog" -S Version)
ARCH=$(dpkg --print-architecture)
DEB=$T/src/relay-ctrl_${VERSION}_${ARCH}.deb
(cd "$SRC" && exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/nonexistent LC_ALL=C.UTF-8 \
  timeout 600 dpkg-buildpackage -us -uc -b) >"$T/build.log" 2>&1 </dev/null
RC=$?
if [ "$RC" != 0 ] || [ ! -f "$DEB" ]; then
  failed "dpkg-buildpackage -us -uc -b builds relay-ctrl_${VERSION}_${ARCH}.deb" "exit $RC" "$(tail -n 30 "$T/build.log")"
  exit 1
fi
pass "dpkg-buildpackage -us -uc -b builds relay-ctrl_${VERSION}_${ARCH}.deb"
hasnt "$(cat "$T/build.log")" 'https?://|wget|curl ' "the build fetches nothing"

LINT=$(timeout 600 lintian --no-tag-display-limit "$T/src/relay-ctrl_${VERSION}_${ARCH}.changes" 2>&1)
RC=$?
is "$RC" 0 "lintian ran and reports no error"
hasnt "$LINT" '^[EW]: ' "lintian: no error, no warning"

# The package holds what ./installer installs, under /usr: no second list.
CONTENTS=$(dpkg-deb -c "$DEB")
paths () { awk '{ p = $6; sub(/^\./, "", p); print p }' <<<"$CONTENTS"; }
STAGE=$T/stage
run DESTDIR="$STAGE" -- "$SRC/installer" --home=/usr --no-spool
is "$RC" 0 "./installer --home=/usr --no-spool stages the same build"
want=$(cd "$STAGE" && find . -type f | sed 's/^\.//; s|^\(/usr/share/man/.*\)$|\1.gz|' | LC_ALL=C sort)
got=$(paths | grep -E '^(/usr/bin/|/usr/share/man/|/etc/relay-ctrl/)' | grep -v '/$' | LC_ALL=C sort)
is "$got" "$want" "programs, man pages and settings: exactly the installer's files"
is "$(grep -c '^/usr/bin/relay-ctrl-' <<<"$want")" "$(ls "$SRC/src/deps-exe" | wc -l)" "every program of src/deps-exe is in /usr/bin"
for f in /etc/cron.d/relay-ctrl /usr/share/doc/relay-ctrl/copyright /usr/share/doc/relay-ctrl/README.Debian.gz \
  /lib/systemd/system/relay-ctrl-age.timer /lib/systemd/system/relay-ctrl-age.service \
  /lib/systemd/system/relay-ctrl-udp.service /lib/systemd/system/relay-ctrl-policy.socket \
  '/lib/systemd/system/relay-ctrl-policy@.service'; do
  has "$(paths)" "^$(ere "$f")\$" "the package has $f"
done
has "$(paths)" '^/usr/share/doc/relay-ctrl/README(\.gz)?$' "the package has the README"
missing=''
for f in "$SRC"/doc/*.md; do
  grep -qxE "/usr/share/doc/relay-ctrl/$(ere "${f##*/}")(\.gz)?" <<<"$(paths)" || missing="$missing ${f##*/}"
done
is "$missing" "" "every guide of doc/ is in /usr/share/doc/relay-ctrl"
EXAMPLES=$(cd "$SRC" && find examples -type f 2>/dev/null | LC_ALL=C sort)
missing=''
for f in $EXAMPLES; do
  grep -qxE "/usr/share/doc/relay-ctrl/$(ere "$f")(\.gz)?" <<<"$(paths)" || missing="$missing $f"
done
is "$missing" "" "every file of examples/ ($(wc -w <<<"$EXAMPLES")) is in /usr/share/doc/relay-ctrl/examples"
has "$(dpkg-deb -f "$DEB" Depends)" '^daemontools, libc6 \(>= [0-9.]+\), libtirpc3 \(>= [0-9.]+\)$' "depends on daemontools (envdir), libc6 and libtirpc3 (relay-ctrl-drac) only"

# --- the systemd units ---------------------------------------------------------
X=$T/x
dpkg-deb -x "$DEB" "$X"
UNITS=("$X"/lib/systemd/system/relay-ctrl-*)
VERIFY=$(systemd-analyze verify --man=no "${UNITS[@]}" 2>&1)
RC=$?
is "$RC-$VERIFY" "0-" "systemd-analyze verify: the units are clean"
for u in relay-ctrl-age.service relay-ctrl-udp.service relay-ctrl-policy@.service; do
  sec=$(cd "$X/lib/systemd/system" && systemd-analyze security --offline=yes --no-pager "./$u" 2>&1)
  level=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\) .*/\1/p' <<<"$sec")
  echo "# systemd-analyze security $u: ${level:-?}"
  if [ -n "$level" ] && awk -v l="$level" 'BEGIN { exit !(l <= 2.0) }'; then
    pass "systemd-analyze security $u: exposure $level, at most 2.0"
  else
    failed "systemd-analyze security $u: exposure at most 2.0" "$sec"
  fi
done
has "$(cat "$X/lib/systemd/system/relay-ctrl-age.service")" '^ReadWritePaths=/var/spool/relay-ctrl$' "age.service may write the spool, nothing else"
for u in relay-ctrl-age.service relay-ctrl-udp.service relay-ctrl-policy@.service; do
  has "$(grep '^ExecStart=' "$X/lib/systemd/system/$u")" '^ExecStart=/usr/bin/envdir /etc/relay-ctrl ' "$u runs behind envdir /etc/relay-ctrl"
done
for u in relay-ctrl-udp.service relay-ctrl-policy@.service; do
  has "$(grep '^ExecStart=' "$X/lib/systemd/system/$u")" ' relay-ctrl-chdir ' "$u runs behind relay-ctrl-chdir"
done

# --- a fresh Debian 12 root ----------------------------------------------------
# Outside $T, and removed only once nothing is mounted in it: /proc and
# a /dev of our own (a tmpfs with the usual nodes, never the host's).
R=$(mktemp -d /var/tmp/rc-package.XXXXXX)
chmod 755 "$R"
unroot () {
  local p m
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/root" 2>/dev/null)" = "$R" ] && kill -9 "${p#/proc/}" 2>/dev/null
  done
  sleep 0.2
  grep -F " $R/" /proc/self/mounts | awk '{ print $2 }' | sort -r |
    while read -r m; do umount "$m" 2>/dev/null || umount -l "$m"; done
  if grep -qF " $R/" /proc/self/mounts; then echo "# left $R: still mounted"; else rm -rf "$R"; fi
}
cleanup unroot
if ! timeout 600 "$FRESH" --make-root "$R" >"$T/fresh.log" 2>&1; then
  failed "$FRESH --make-root makes a fresh root" "$(tail -n 20 "$T/fresh.log")"
  exit 1
fi
ok "a fresh Debian 12 root from tools/fresh-debian --make-root" test -x "$R/usr/bin/dpkg"
mount -t proc proc "$R/proc" && mount -t tmpfs -o mode=0755,nosuid tmpfs "$R/dev" || { failed "mount proc and dev in the root"; exit 1; }
for n in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
  IFS=: read -r name ma mi <<<"$n"
  mknod -m 0666 "$R/dev/$name" c "$ma" "$mi"
done
ln -s /proc/self/fd "$R/dev/fd"; ln -s fd/0 "$R/dev/stdin"; ln -s fd/1 "$R/dev/stdout"; ln -s fd/2 "$R/dev/stderr"
mkdir -p "$R/dev/pts" "$R/dev/shm"
# in_root CMD...: CMD in the root, with a clean environment, output in OUT
in_root () {
  OUT=$(timeout 300 chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C DEBIAN_FRONTEND=noninteractive "$@" 2>&1 </dev/null)
  RC=$?
}
mkdir -p "$T/debs"
(cd "$T/debs" && timeout 300 dpkg-repack $ROOT_PACKAGES) >"$T/repack.log" 2>&1
mkdir -p "$R/tmp/debs" && cp "$T"/debs/*.deb "$R/tmp/debs/" 2>/dev/null
in_root sh -c 'dpkg -i /tmp/debs/*.deb'
if [ "$RC" != 0 ]; then
  failed "the servers' packages install in the root ($ROOT_PACKAGES)" "$(cat "$T/repack.log")" "$OUT"
  exit 1
fi
pass "the servers' packages install in the root"
cp "$DEB" "$R/tmp/relay-ctrl.deb"

# --- install -------------------------------------------------------------------
in_root dpkg -i /tmp/relay-ctrl.deb
is "$RC" 0 "dpkg -i relay-ctrl: exits 0"
[ "$RC" = 0 ] || { echo "$OUT" | sed 's/^/#   /'; exit 1; }
in_root dpkg-query -W -f '${db:Status-Status} ${Version}' relay-ctrl
is "$OUT" "installed $VERSION" "dpkg: relay-ctrl $VERSION installed"
bad=''
while read -r perms owner _ _ _ path _; do
  p=${path#.}; p=${p%/}; [ -n "$p" ] || continue
  got=$(stat -L -c '%A %U/%G' "$R$p" 2>&1) || { bad="$bad; $p missing"; continue; }
  [ "$got" = "$perms $owner" ] || bad="$bad; $p is $got, not $perms $owner"
done <<<"$CONTENTS"
is "${bad#; }" "" "every file of the package is in the root with its mode and owner ($(wc -l <<<"$CONTENTS") entries)"
bad=''
for p in $(paths | grep -E '^/usr/bin/.'); do
  cmp -s "$X$p" "$R$p" || bad="$bad $p"
done
is "${bad# }" "" "the programs in the root are the package's"
SPOOLDIR=$(sed -n 1p "$SRC/conf-spool")
is "$(stat -c '%a %U/%G' "$R${SPOOLDIR%/*}")" "700 root/root" "postinst made ${SPOOLDIR%/*}: 0700 root"
is "$(stat -c '%a %U/%G' "$R$SPOOLDIR")" "777 root/root" "postinst made $SPOOLDIR: 0777"
is "$(cat "$R/etc/relay-ctrl/RELAY_CTRL_DIR")-$(cat "$R/etc/relay-ctrl/RELAY_CTRL_EXPIRY")" "$SPOOLDIR-900" "settings: RELAY_CTRL_DIR names that spool, RELAY_CTRL_EXPIRY 900"
in_root dpkg-query -W -f '${Conffiles}' relay-ctrl
is "$(awk '{ print $1 }' <<<"$OUT" | grep . | LC_ALL=C sort | tr '\n' ' ')" "/etc/cron.d/relay-ctrl /etc/relay-ctrl/RELAY_CTRL_DIR /etc/relay-ctrl/RELAY_CTRL_EXPIRY " "conffiles: the cron line and the two settings"
ok "relay-ctrl-age.timer is enabled" test -L "$R/etc/systemd/system/timers.target.wants/relay-ctrl-age.timer"
notok "relay-ctrl-udp.service is not enabled" test -e "$R/etc/systemd/system/multi-user.target.wants/relay-ctrl-udp.service"
notok "relay-ctrl-policy.socket is not enabled" test -e "$R/etc/systemd/system/sockets.target.wants/relay-ctrl-policy.socket"

# --- relay-ctrl-age as the cron line says ----------------------------------------
CRON=$R/etc/cron.d/relay-ctrl
jobs=$(grep -vE '^[[:space:]]*(#|$)|^[A-Za-z_]+=' "$CRON")
is "$(wc -l <<<"$jobs")" 1 "the cron file has one job"
read -r m h dom mon dow user cmd <<<"$jobs"
is "$m $h $dom $mon $dow $user" "* * * * * root" "it runs every minute, as root"
has "$cmd" '/usr/bin/envdir /etc/relay-ctrl /usr/bin/relay-ctrl-age$' "full paths: /usr/bin/envdir /etc/relay-ctrl /usr/bin/relay-ctrl-age"
is "$(sed -n 's/^PATH=//p' "$CRON")" "/usr/bin:/bin" "cron's PATH, /usr/bin:/bin"
cronjob () { OUT=$(timeout 60 chroot "$R" /usr/bin/env -i SHELL=/bin/sh PATH=/usr/bin:/bin HOME=/root LOGNAME=root /bin/sh -c "$cmd" 2>&1 </dev/null); RC=$?; }
: >"$R$SPOOLDIR/192.0.2.1"; age "$R$SPOOLDIR/192.0.2.1" 1000
: >"$R$SPOOLDIR/192.0.2.2"; age "$R$SPOOLDIR/192.0.2.2" 10
cronjob
is "$RC-$OUT" "0-" "the cron job: exits 0, silent (no mail every minute)"
notok "the cron job removed the expired entry" test -e "$R$SPOOLDIR/192.0.2.1"
ok "the cron job kept the fresh entry" test -e "$R$SPOOLDIR/192.0.2.2"

# The units' command lines, run in the root as systemd would start them
# (its default PATH; the sandboxing itself needs a running systemd).
SYSTEMD_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# execstart UNIT: its ExecStart= words in EXEC (no quoting in ours)
execstart () { read -ra EXEC <<<"$(sed -n 's/^ExecStart=//p' "$R/lib/systemd/system/$1")"; }
: >"$R$SPOOLDIR/192.0.2.1"; age "$R$SPOOLDIR/192.0.2.1" 1000
execstart relay-ctrl-age.service
OUT=$(timeout 60 chroot "$R" /usr/bin/env -i PATH="$SYSTEMD_PATH" "${EXEC[@]}" 2>&1 </dev/null)
is "$?-$OUT" "0-" "relay-ctrl-age.service's command: exits 0, silent"
notok "relay-ctrl-age.service's command removed the expired entry" test -e "$R$SPOOLDIR/192.0.2.1"
ok "relay-ctrl-age.service's command kept the fresh entry" test -e "$R$SPOOLDIR/192.0.2.2"
# relay-ctrl-policy@.service: the connection is its stdin and stdout.
execstart relay-ctrl-policy@.service
OUT=$(printf 'request=smtpd_access_policy\nclient_address=192.0.2.2\n\nrequest=smtpd_access_policy\nclient_address=192.0.2.9\n\n' |
  timeout 60 chroot "$R" /usr/bin/env -i PATH="$SYSTEMD_PATH" RELAY_CTRL_LOG_IPS=1 "${EXEC[@]}" 2>"$T/policy.err")
is "$?" 0 "relay-ctrl-policy@.service's command: exits 0 at the end of the connection"
is "$OUT" "$(printf 'action=OK\n\naction=DUNNO')" "relay-ctrl-policy@.service's command: OK for a login, DUNNO for none"
logged "$(cat "$T/policy.err")" "" relay-ctrl-policy "info: relaying for 192.0.2.2" "relay-ctrl-policy@.service's command logs each decision"
quiet "$(cat "$T/policy.err")" "relay-ctrl-policy@.service's command: no warning (it reached the spool as nobody through relay-ctrl-chdir)"
# relay-ctrl-udp.service, with the receiver's settings of
# doc/multi-host.md in /etc/relay-ctrl-udp; a login sent from the root.
freeport; UDPPORT=$PORT
mkdir -p "$R/etc/relay-ctrl-udp"
head -c 32 /dev/urandom >"$R/etc/rc-test-key"; chmod 600 "$R/etc/rc-test-key"
echo /etc/rc-test-key >"$R/etc/relay-ctrl-udp/RELAY_CTRL_KEY"
echo 127.0.0.1 >"$R/etc/relay-ctrl-udp/RELAY_CTRL_BIND"
echo "$UDPPORT" >"$R/etc/relay-ctrl-udp/RELAY_CTRL_PORT"
execstart relay-ctrl-udp.service
(exec chroot "$R" /usr/bin/env -i PATH="$SYSTEMD_PATH" "${EXEC[@]}") >"$T/udp.log" 2>&1 </dev/null &
UDPPID=$!
cleanup "kill $UDPPID 2>/dev/null; wait $UDPPID 2>/dev/null"
waitfile () { local i; for ((i = 0; i < 100; i++)); do [ -e "$1" ] && return 0; sleep 0.05; done; return 1; }
waitgrep () { local i; for ((i = 0; i < 100; i++)); do grep -q -- "$2" "$1" && return 0; sleep 0.05; done; return 1; }
ok "relay-ctrl-udp.service's command: the receiver listens" waitgrep "$T/udp.log" "listening on 127.0.0.1 port $UDPPORT"
in_root TCPREMOTEIP=192.0.2.7 USER=joe RELAY_CTRL_KEY=/etc/rc-test-key RELAY_CTRL_REMOTES="127.0.0.1:$UDPPORT" relay-ctrl-send true
ok "relay-ctrl-udp.service's command: a login sent by relay-ctrl-send lands in the spool" waitfile "$R$SPOOLDIR/192.0.2.7"
kill "$UDPPID" 2>/dev/null; wait "$UDPPID" 2>/dev/null
quiet "$(cat "$T/udp.log")" "relay-ctrl-udp.service's command: no warning"
rm -rf "$R/etc/relay-ctrl-udp" "$R/etc/rc-test-key" "$R$SPOOLDIR/192.0.2.7"
rm -f "$R$SPOOLDIR/192.0.2.2"

# --- a POP3 and an SMTP service from the package's run scripts --------------------
EX=/usr/share/doc/relay-ctrl/examples/run
if [ -f "$R$EX/mailfront-pop3d/run" ] && [ -f "$R$EX/mailfront-smtpd/run" ]; then
  RUNDIR=$EX
  echo "# POP3 and SMTP: the package's $EX/mailfront-{pop3d,smtpd}/run"
else
  # Not in the package (examples/ lacks them): the same chains, with the
  # same settings, written here.
  RUNDIR=/etc/rc-test/run
  mkdir -p "$R$RUNDIR/mailfront-pop3d" "$R$RUNDIR/mailfront-smtpd"
  cat >"$R$RUNDIR/mailfront-pop3d/run" <<'EOF'
#!/bin/sh
exec 2>&1
exec envdir "$ENVDIR" "$BIN/relay-ctrl-chdir" \
  tcpserver -v -R -H -l "$LOCALNAME" $LISTEN "$PORT" \
  pop3front-auth "$CVM" "$BIN/relay-ctrl-allow" pop3front-maildir "$MAILDIR"
EOF
  cat >"$R$RUNDIR/mailfront-smtpd/run" <<'EOF'
#!/bin/sh
exec 2>&1
uid=$(id -u "$SMTPD_USER") && gid=$(id -g "$SMTPD_USER") || exit 100
export QMAILHOME QUEUEDIR
exec envdir "$ENVDIR" "$BIN/relay-ctrl-chdir" \
  tcpserver -v -R -H -l "$LOCALNAME" -u "$uid" -g "$gid" $LISTEN "$PORT" \
  "$BIN/relay-ctrl-check" mailfront smtp queuedir check-fqdn counters relayclient qmail-validate
EOF
  echo "# POP3 and SMTP: no mailfront run scripts in the package's examples; the same chains written by the test"
fi
# Started as daemontools-run's svscanboot would, PATH with /usr/sbin
# (mailfront's programs). bob (uid 65534) with one message, a password file, the SMTP side's
# local domain and queue; SMTP runs as Debian's "mail".
mkdir -p "$R/etc/rc-test/qmail/control" "$R/home/bob/Maildir/new" "$R/home/bob/Maildir/cur" "$R/home/bob/Maildir/tmp" \
  "$R/var/spool/rc-test-queue/new" "$R/var/spool/rc-test-queue/tmp"
echo "bob:$PASSWORD:$MAILUID:$MAILUID:Bob:/home/bob:/bin/sh" >"$R/etc/rc-test/pwfile"
chmod 600 "$R/etc/rc-test/pwfile"
printf 'From: postmaster@example.org\nTo: bob@example.org\nSubject: welcome\n\nhello bob\n' \
  >"$R/home/bob/Maildir/cur/1700000000.1.package:2,"
chown -R "$MAILUID:$MAILUID" "$R/home/bob"
echo example.org >"$R/etc/rc-test/qmail/control/rcpthosts"
chroot "$R" chown -R mail:mail /var/spool/rc-test-queue
echo 1 >"$R/etc/relay-ctrl/RELAY_CTRL_LOG_IPS"
freeport; POP=$PORT
freeport; SMTP=$PORT
service_in_root () { # NAME LOG VAR=value...
  local name=$1 log=$2 pid
  shift 2
  (cd "$R" && exec chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin ENVDIR=/etc/relay-ctrl BIN=/usr/bin \
     LISTEN=127.0.0.1 LOCALNAME=localhost "$@" /bin/sh "$RUNDIR/$name/run") >>"$log" 2>&1 </dev/null &
  pid=$!
  SERVERS+=("$pid")
  wait_listen "$PORT" "$pid" || { failed "$name/run serves on 127.0.0.1 port $PORT" "$(cat "$log")"; exit 1; }
  pass "$name/run serves on 127.0.0.1 port $PORT"
}
PORT=$POP service_in_root mailfront-pop3d "$T/pop.log" PORT="$POP" CVM=cvm-command:/usr/bin/cvm-pwfile \
  CVM_PWFILE_PATH=/etc/rc-test/pwfile MAILDIR=Maildir
PORT=$SMTP service_in_root mailfront-smtpd "$T/smtp.log" PORT="$SMTP" SMTPD_USER=mail \
  QMAILHOME=/etc/rc-test/qmail QUEUEDIR=/var/spool/rc-test-queue

smtp 127.0.0.1 "$SMTP" x@example.net
refused "before any login, relaying is refused"
pop 127.0.0.1 "$POP" "$PASSWORD"
popped "bob logs in by POP3"
ok "the login is in the package's spool" test -f "$R$SPOOLDIR/127.0.0.1"
smtp 127.0.0.1 "$SMTP" x@example.net
relayed () { [ "$RC" = 0 ] && grep -qE '^<- +250 ' <<<"$OUT" && ! grep -qE '^<\*\* ' <<<"$OUT"; }
if relayed; then pass "after the login, the same client relays"; else failed "after the login, the same client relays" "swaks exit $RC" "$OUT"; fi

# --- upgrade over itself while both serve ------------------------------------------
# Each round: a POP3 login, then a relayed message; all must succeed
# while dpkg replaces the programs three times.
LOOP=$T/loop.log
: >"$LOOP"
(
  while [ ! -e "$T/stop" ]; do
    pop 127.0.0.1 "$POP" "$PASSWORD"
    if [ "$RC" = 0 ] && grep -qE '^1 [0-9]+' <<<"$OUT"; then echo "pop ok"; else echo "pop FAILED curl $RC: $(tr '\n' ' ' <<<"$OUT")"; fi
    smtp 127.0.0.1 "$SMTP" x@example.net
    if relayed; then echo "smtp ok"; else echo "smtp FAILED swaks $RC: $(tr '\n' ' ' <<<"$OUT")"; fi
  done >>"$LOOP"
) &
LOOPPID=$!
cleanup "touch '$T/stop'; kill $LOOPPID 2>/dev/null; wait $LOOPPID 2>/dev/null"
lines () { wc -l <"$LOOP"; }
waitlines () { local i; for ((i = 0; i < 600; i++)); do [ "$(lines)" -ge "$1" ] && return 0; kill -0 "$LOOPPID" 2>/dev/null || return 1; sleep 0.05; done; return 1; }
waitlines 2
before=$(lines)
inode=$(stat -c %i "$R/usr/bin/relay-ctrl-check")
upgrades=0
for i in 1 2 3; do
  in_root dpkg -i /tmp/relay-ctrl.deb
  [ "$RC" = 0 ] && upgrades=$((upgrades + 1)) || echo "$OUT" | sed 's/^/#   /'
done
during=$(( $(lines) - before ))
is "$upgrades" 3 "dpkg -i over the installed package, three times: exits 0"
has "$OUT" "over \\($VERSION\\)" "dpkg unpacked $VERSION over $VERSION"
waitlines $(( $(lines) + 2 ))
touch "$T/stop"
wait "$LOOPPID" 2>/dev/null
echo "# $during connections ended while dpkg ran, $(lines) in all"
is "$(grep -v ' ok$' "$LOOP")" "" "no failed POP3 login or SMTP relay during the upgrades ($(lines) connections)"
ok "at least 4 connections were made around the upgrades" test "$(lines)" -ge 4
isnt_inode () { [ "$(stat -c %i "$R/usr/bin/relay-ctrl-check")" != "$inode" ]; }
ok "the programs were replaced (new inode) while serving" isnt_inode
in_root dpkg-query -W -f '${db:Status-Status}' relay-ctrl
is "$OUT" installed "still installed after the upgrades"
quiet "$(cat "$T/pop.log" "$T/smtp.log")" "no relay-ctrl warning in the services' logs"
stop_servers

# --- remove: programs gone, settings and spool kept ----------------------------------
: >"$R$SPOOLDIR/192.0.2.3"
in_root dpkg -r relay-ctrl
is "$RC" 0 "dpkg -r relay-ctrl: exits 0"
in_root dpkg-query -W -f '${db:Status-Status}' relay-ctrl
is "$OUT" config-files "removed: only its conffiles remain"
left=''
for p in $(paths | grep -vE '^/etc/|/$'); do [ -e "$R$p" ] && left="$left $p"; done
is "${left# }" "" "removed: every program, man page, unit and doc is gone"
for f in /etc/relay-ctrl/RELAY_CTRL_DIR /etc/relay-ctrl/RELAY_CTRL_EXPIRY /etc/relay-ctrl/RELAY_CTRL_LOG_IPS "$SPOOLDIR/192.0.2.3"; do
  ok "removed: $f is kept" test -f "$R$f"
done
is "$(stat -c %a "$R${SPOOLDIR%/*}")-$(stat -c %a "$R$SPOOLDIR")" "700-777" "removed: the spool keeps its modes"
cronjob
is "$OUT" "" "removed: the cron job does nothing and says nothing"

rm -rf "$R/tmp/relay-ctrl.deb" "$R/tmp/debs"

# --- purge: nothing left ------------------------------------------------------------
in_root dpkg -P relay-ctrl
is "$RC" 0 "dpkg -P relay-ctrl: exits 0"
in_root dpkg-query -W -f '${db:Status-Status}' relay-ctrl
has "$RC $OUT" '^1 dpkg-query: no packages found matching relay-ctrl$' "purged: dpkg knows it no more"
notok "purged: no spool" test -e "$R$SPOOLDIR"
notok "purged: no spool parent" test -e "$R${SPOOLDIR%/*}"
notok "purged: no /etc/relay-ctrl (with the setting added after installing)" test -e "$R/etc/relay-ctrl"
notok "purged: no /etc/cron.d/relay-ctrl" test -e "$CRON"
left=$(cd "$R" && find . -xdev \( -path ./proc -o -path ./dev \) -prune -o -name '*relay-ctrl*' -print)
is "$left" "" "purged: no file named relay-ctrl anywhere in the root"
# Its count follows the tree (pages, examples, programs): checked at the end.
done_testing
