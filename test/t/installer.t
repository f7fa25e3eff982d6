# The installer: what it puts where with which modes, that it replaces
# files by rename, what "installer check" reports; and FILES against git.
# Runs a copy of the top level (installer, conf-*, src/deps-exe, man/)
# whose build/ holds the programs under test, staged with DESTDIR.
. "$RC_TOP/test/lib.sh"

first () { sed -n '1{s/[[:space:]]*$//;p;}' "$1"; }
HOMEDIR=$(first "$TOP/conf-home")
SPOOLDIR=$(first "$TOP/conf-spool")
SPOOLTOP=$(dirname "$SPOOLDIR")
ETCDIR=$(first "$TOP/conf-etc")
PROGS=$(cd "$TOP/src/deps-exe" && ls)
S=$T/tree
R=$T/root
BINDIR=$R$HOMEDIR/bin
MANDIR=$R$HOMEDIR/share/man

mktree () {
  local f
  rm -rf "$S"
  mkdir -p "$S/src" "$S/build" "$S/man"
  cp "$TOP/installer" "$TOP"/conf-* "$S/"
  cp -R "$TOP/src/deps-exe" "$S/src/"
  for f in $PROGS; do cp "$BIN/$f" "$S/build/"; done
  for f in "$TOP"/man/*.[1-8]; do [ -f "$f" ] && cp "$f" "$S/man/"; done
  printf '.TH RC-INSTALLER-TEST 8\n' >"$S/man/rc-installer-test.8"
  printf '.TH RC-INSTALLER-TEST 7\n' >"$S/man/rc-installer-test.7"
}
inst () { run DESTDIR="$R" -- "$S/installer" "$@"; }
fresh () { rm -rf "$R"; inst; [ "$RC" = 0 ] || failed "fresh install" "rc $RC" "$ERR"; }
mode () { stat -c %a "$1"; }
temps () { find "$T" -name '.*.installer.*'; }
inodes () { local p; for p in $PROGS; do stat -c %i "$BINDIR/$p"; done; }
ROOT=; [ "$(id -u)" = 0 ] && ROOT=1

# --- usage and not built ---------------------------------------------------
mktree
for args in bogus -x "check extra" "--dry-run --bogus"; do
  # shellcheck disable=SC2086
  inst $args
  is "$RC" 100 "usage: installer $args exits 100"
  has "$ERR" '^installer: usage: ' "usage: installer $args says how to call it"
done
rm -rf "$S/build"
inst
is "$RC" 100 "not built: exits 100"
has "$ERR" 'run make first' "not built: says run make first"
notok "not built: nothing is created" test -e "$R"
inst check
is "$RC" 100 "not built: check exits 100 too"
mktree
rm "$S/build/relay-ctrl-age"
inst
is "$RC" 100 "one program not built: exits 100"
has "$ERR" 'build/relay-ctrl-age is missing: run make first' "one program not built: names it"
notok "one program not built: nothing is installed" test -e "$R"

mktree; printf 'usr/local\n' >"$S/conf-home"
inst
is "$RC" 100 "relative conf-home: exits 100"
has "$ERR" 'conf-home' "relative conf-home: names the file"
mktree; printf '/allow\n' >"$S/conf-spool"
inst
is "$RC" 100 "spool without a parent of its own: exits 100"

# --- dry run ----------------------------------------------------------------
mktree
for n in -n --dry-run; do
  inst $n
  is "$RC" 0 "$n: exits 0"
  has "$OUT" "^installer: would install $BINDIR/relay-ctrl-check\$" "$n: says what it would install"
  has "$OUT" "would create directory $R$SPOOLTOP " "$n: says it would create the spool"
  notok "$n: changes nothing" test -e "$R"
done

# --- install ----------------------------------------------------------------
inst
is "$RC" 0 "install: exits 0"
is "$ERR" "" "install: no warnings on a fresh system"
for p in $PROGS; do
  has "$OUT" "^installer: installed $BINDIR/$p\$" "install: reports $p"
  ok "install: $p identical to the built one" cmp -s "$S/build/$p" "$BINDIR/$p"
  is "$(mode "$BINDIR/$p")" 711 "install: $p mode 0711 (not readable: non-dumpable from exec)"
done
for m in "$S"/man/*.[1-8]; do
  n=${m##*/}
  ok "install: man page $n in man${n##*.}" cmp -s "$m" "$MANDIR/man${n##*.}/$n"
  is "$(mode "$MANDIR/man${n##*.}/$n")" 644 "install: man page $n mode 0644"
done
is "$(mode "$R$SPOOLTOP")" 700 "install: spool parent mode 0700"
is "$(mode "$R$SPOOLDIR")" 777 "install: spool mode 0777"
if [ -n "$ROOT" ]; then
  is "$(stat -c %u:%g "$R$SPOOLTOP")" 0:0 "install: spool parent owned by root"
else
  pass "install: spool parent ownership not checked # not root: chown skipped"
fi
is "$(cat "$R$ETCDIR/RELAY_CTRL_DIR")" "$SPOOLDIR" "install: RELAY_CTRL_DIR names the spool"
is "$(wc -l <"$R$ETCDIR/RELAY_CTRL_DIR")" 1 "install: RELAY_CTRL_DIR is one line"
is "$(cat "$R$ETCDIR/RELAY_CTRL_EXPIRY")" 900 "install: RELAY_CTRL_EXPIRY is 900"
is "$(mode "$R$ETCDIR/RELAY_CTRL_DIR") $(mode "$R$ETCDIR/RELAY_CTRL_EXPIRY")" "644 644" "install: settings mode 0644"
is "$(temps)" "" "install: no temporary files left"
run RELAY_CTRL_DIR="$R$SPOOLDIR" -- "$BINDIR/relay-ctrl-chdir" sh -c 'echo $RELAY_CTRL_DIR_FD'
has "$OUT" '^[0-9]+$' "install: installed relay-ctrl-chdir opens the installed spool"
is "$ERR" "" "install: relay-ctrl-chdir finds the spool shut to others"

inst check
is "$RC" 0 "check after install: exits 0"
is "$OUT" "installer: installation OK" "check after install: installation OK"

# --- reinstall ----------------------------------------------------------------
before=$(inodes)
echo 90 >"$R$ETCDIR/RELAY_CTRL_EXPIRY"
inst
is "$RC" 0 "reinstall: exits 0"
is "$ERR" "" "reinstall: no warnings"
is "$(cat "$R$ETCDIR/RELAY_CTRL_EXPIRY")" 90 "reinstall: edited RELAY_CTRL_EXPIRY kept"
has "$OUT" "kept existing $R$ETCDIR/RELAY_CTRL_EXPIRY" "reinstall: says it kept the setting"
has "$OUT" "kept existing directory $R$SPOOLDIR " "reinstall: says it kept the spool"
after=$(inodes)
is "$(paste -d' ' <(echo "$before") <(echo "$after") | awk '$1 == $2')" "" "reinstall: every program is a new inode (renamed, not rewritten)"
is "$(temps)" "" "reinstall: no temporary files left"
inst check
is "$OUT" "installer: installation OK" "check after reinstall with RELAY_CTRL_EXPIRY 90: OK"

# A program running while it is replaced keeps running its old image.
SLEEP=$(command -v sleep)
if cp "$SLEEP" "$S/build/relay-ctrl-zz-busy" 2>/dev/null && "$S/build/relay-ctrl-zz-busy" 0 2>/dev/null; then
  : >"$S/src/deps-exe/relay-ctrl-zz-busy"
  inst
  "$BINDIR/relay-ctrl-zz-busy" 1 &
  pid=$!
  for _ in $(seq 50); do
    case $(readlink "/proc/$pid/exe" 2>/dev/null) in *relay-ctrl-zz-busy*) break ;; esac
    sleep 0.02
  done
  # Stopped until the replacement is checked, however slow the machine:
  # the count of assertions stays the same.
  kill -STOP "$pid"
  printf 'new' >>"$S/build/relay-ctrl-zz-busy"
  inst
  is "$RC" 0 "busy: replacing a running program succeeds"
  is "$ERR" "" "busy: no complaint (no text file busy)"
  ok "busy: the new program is in place" cmp -s "$S/build/relay-ctrl-zz-busy" "$BINDIR/relay-ctrl-zz-busy"
  has "$(readlink "/proc/$pid/exe")" 'deleted' "busy: the running process still has the old file"
  kill -CONT "$pid"
  wait "$pid"
  is "$?" 0 "busy: the running process finishes normally"
  rm -f "$S/src/deps-exe/relay-ctrl-zz-busy" "$S/build/relay-ctrl-zz-busy" "$BINDIR/relay-ctrl-zz-busy"
else
  pass "busy: skipped # sleep cannot run under another name here"
fi

# --- check finds each kind of damage, in one line ---------------------------
broken () {
  inst check
  is "$RC" 1 "check exits 1 when $1"
  has "$OUT" "$2" "check names the problem when $1"
  is "$(grep -c . <<<"$OUT")" 1 "check prints one line when $1"
}
fresh; printf 'x' >>"$BINDIR/relay-ctrl-check"
broken "a program is corrupted" "^installer: $BINDIR/relay-ctrl-check differs from build/relay-ctrl-check\$"
fresh; chmod 0644 "$BINDIR/relay-ctrl-age"
broken "a program has mode 0644" "$BINDIR/relay-ctrl-age is mode 0644, not 0711"
fresh; chmod 0755 "$BINDIR/relay-ctrl-allow"
broken "a program is readable by others (0755)" "$BINDIR/relay-ctrl-allow is mode 0755, not 0711"
fresh; rm "$BINDIR/relay-ctrl-allow"
broken "a program is deleted" "$BINDIR/relay-ctrl-allow is missing"
fresh; rm "$MANDIR/man7/rc-installer-test.7"
broken "a man page is deleted" "man7/rc-installer-test.7 is missing"
fresh; chmod 0600 "$MANDIR/man8/rc-installer-test.8"
broken "a man page has mode 0600" "man8/rc-installer-test.8 is mode 0600, not 0644"
fresh; chmod 0755 "$R$SPOOLTOP"
broken "the spool parent is mode 0755" "$R$SPOOLTOP is mode 0755, not 0700"
fresh; chmod 0701 "$R$SPOOLTOP"
broken "the spool parent is searchable by others" "$R$SPOOLTOP is mode 0701"
fresh; chmod 1777 "$R$SPOOLDIR"
broken "the spool is mode 1777" "$R$SPOOLDIR is mode 1777, not 0777"
fresh; rmdir "$R$SPOOLDIR"
broken "the spool is missing" "$R$SPOOLDIR is missing"
fresh; echo 15min >"$R$ETCDIR/RELAY_CTRL_EXPIRY"
broken "RELAY_CTRL_EXPIRY is junk" "RELAY_CTRL_EXPIRY is \"15min\", not a positive number"
fresh; echo 0 >"$R$ETCDIR/RELAY_CTRL_EXPIRY"
broken "RELAY_CTRL_EXPIRY is zero" "RELAY_CTRL_EXPIRY is \"0\""
fresh; : >"$R$ETCDIR/RELAY_CTRL_EXPIRY"
broken "RELAY_CTRL_EXPIRY is empty (envdir unsets it)" "RELAY_CTRL_EXPIRY is \"\", not a positive number"
fresh; echo /tmp/elsewhere >"$R$ETCDIR/RELAY_CTRL_DIR"
broken "RELAY_CTRL_DIR names another directory" "RELAY_CTRL_DIR names /tmp/elsewhere, not the spool $SPOOLDIR"
fresh; rm "$R$ETCDIR/RELAY_CTRL_DIR"
broken "RELAY_CTRL_DIR is missing" "$R$ETCDIR/RELAY_CTRL_DIR is missing"
fresh; chmod 0666 "$R$ETCDIR/RELAY_CTRL_EXPIRY"
broken "a setting is world-writable" "RELAY_CTRL_EXPIRY is mode 0666"
fresh; : >"$BINDIR/.relay-ctrl-check.installer.4242"
broken "a temporary file was left behind" "$BINDIR/.relay-ctrl-check.installer.4242 is a leftover temporary file"
fresh; : >"$MANDIR/man8/.rc-installer-test.8.installer.99"
broken "a man page's temporary was left behind" "man8/.rc-installer-test.8.installer.99 is a leftover temporary file"
fresh; : >"$R$ETCDIR/.RELAY_CTRL_DIR.installer.7"
broken "a setting's temporary was left behind" "$R$ETCDIR/.RELAY_CTRL_DIR.installer.7 is a leftover temporary file"
if [ -n "$ROOT" ]; then
  fresh; chown 65534 "$R$SPOOLTOP"
  broken "the spool parent is not root's" "$R$SPOOLTOP is owned by uid 65534, not root"
fi

# --- existing directories and settings are left alone, with a warning -----------
rm -rf "$R"; mkdir -p "$R$SPOOLTOP"; chmod 0755 "$R$SPOOLTOP"
inst
is "$RC" 0 "open spool parent: install still exits 0"
has "$ERR" "^installer: warning: $R$SPOOLTOP is mode 0755, not 0700, .*left unchanged" "open spool parent: warns, saying it left it"
is "$(mode "$R$SPOOLTOP")" 755 "open spool parent: mode not changed"
is "$(mode "$R$SPOOLDIR")" 777 "open spool parent: spool still made"
rm -rf "$R"; mkdir -p "$R$SPOOLDIR"; chmod 0700 "$R$SPOOLTOP" "$R$SPOOLDIR"
inst
has "$ERR" "warning: $R$SPOOLDIR is mode 0700, not 0777, .*left unchanged" "closed spool: warns, saying it left it"
is "$(mode "$R$SPOOLDIR")" 700 "closed spool: mode not changed"
rm -rf "$R"; mkdir -p "$R$ETCDIR"; echo /var/qmail/relay >"$R$ETCDIR/RELAY_CTRL_DIR"
inst
is "$(cat "$R$ETCDIR/RELAY_CTRL_DIR")" /var/qmail/relay "other RELAY_CTRL_DIR: kept"
has "$ERR" "warning: $R$ETCDIR/RELAY_CTRL_DIR does not name the spool" "other RELAY_CTRL_DIR: warns"

# --- failures ----------------------------------------------------------------
fresh; rm "$BINDIR/relay-ctrl-check"; mkdir "$BINDIR/relay-ctrl-check"
inst
is "$RC" 111 "directory in a program's place: exits 111"
has "$ERR" "^installer: fatal: .*relay-ctrl-check: a directory is in the way" "directory in a program's place: says so"
is "$(temps)" "" "directory in a program's place: no temporary files left"
rm -rf "$R"; mkdir -p "$R$SPOOLTOP"; : >"$R$SPOOLDIR"
inst
is "$RC" 111 "file in the spool's place: exits 111"
has "$ERR" "$R$SPOOLDIR exists and is not a directory" "file in the spool's place: says so"

# --- conf-*: the first line counts; relative DESTDIR -------------------------------
printf '/opt/rc-test/\n\nprose\n' >"$S/conf-home"
printf '/srv/rc-test/allow/\nprose\n' >"$S/conf-spool"
printf '/etc/rc-test\nprose\n' >"$S/conf-etc"
rm -rf "$R"; inst
is "$RC" 0 "other conf-*: exits 0"
ok "other conf-*: program under conf-home" cmp -s "$S/build/relay-ctrl-check" "$R/opt/rc-test/bin/relay-ctrl-check"
ok "other conf-*: man page under conf-home" test -f "$R/opt/rc-test/share/man/man8/rc-installer-test.8"
is "$(mode "$R/srv/rc-test")-$(mode "$R/srv/rc-test/allow")" 700-777 "other conf-*: spool from conf-spool"
is "$(cat "$R/etc/rc-test/RELAY_CTRL_DIR")" /srv/rc-test/allow "other conf-*: RELAY_CTRL_DIR without the trailing slash"
inst check
is "$OUT" "installer: installation OK" "other conf-*: check OK"
mktree
cd "$T" || exit 111
run DESTDIR=rel -- "$S/installer"
cd "$TOP" || exit 111
is "$RC" 0 "relative DESTDIR: exits 0"
ok "relative DESTDIR: taken from the caller's directory" cmp -s "$S/build/relay-ctrl-check" "$T/rel$HOMEDIR/bin/relay-ctrl-check"

# --- --home and --no-spool: how debian/rules stages the package -----------------
mktree; rm -rf "$R"
inst --home=/usr/ --no-spool
is "$RC" 0 "--home=/usr/ --no-spool: exits 0"
ok "--home: programs in DIR/bin" cmp -s "$S/build/relay-ctrl-check" "$R/usr/bin/relay-ctrl-check"
ok "--home: man pages in DIR/share/man" cmp -s "$S/man/rc-installer-test.7" "$R/usr/share/man/man7/rc-installer-test.7"
notok "--home: nothing in conf-home" test -e "$R$HOMEDIR/bin"
notok "--no-spool: no spool, no spool parent" test -e "$R$SPOOLTOP"
is "$(cat "$R$ETCDIR/RELAY_CTRL_DIR")" "$SPOOLDIR" "--no-spool: RELAY_CTRL_DIR still names conf-spool's spool"
inst --home=/usr --no-spool check
is "$RC-$OUT" "0-installer: installation OK" "--home --no-spool check: OK without a spool"
inst --home=/usr check
is "$RC" 1 "--home check without --no-spool: the missing spool is a problem"
has "$OUT" "$R$SPOOLTOP is missing" "--home check without --no-spool: names the spool parent"
inst --home=usr
is "$RC" 100 "--home=usr (relative): exits 100"
has "$ERR" '--home must be an absolute path' "--home=usr: says why"
inst --home=
is "$RC" 100 "--home= (empty): usage, exits 100"

# --- staging as a normal user: no chown ----------------------------------------
if [ -n "$ROOT" ] && command -v setpriv >/dev/null; then
  mkdir "$T/staged"; chown 65534:65534 "$T/staged"
  as_nobody () { run -- setpriv --reuid=65534 --regid=65534 --clear-groups env DESTDIR="$T/staged" "$S/installer" "$@"; }
  as_nobody
  is "$RC" 0 "staging as nobody: exits 0"
  is "$(stat -c %u "$T/staged$SPOOLTOP")-$(mode "$T/staged$SPOOLTOP")" 65534-700 "staging as nobody: spool parent 0700, not chowned"
  as_nobody check
  is "$OUT" "installer: installation OK" "staging as nobody: check OK"
else
  skip_part 3 "staging as a normal user: not root (the runs above were), or no setpriv"
fi

# --- uninstall --------------------------------------------------------------
mktree; fresh
for a in "uninstall check" "check uninstall" "--purge" "check --purge"; do
  # shellcheck disable=SC2086
  inst $a
  is "$RC" 100 "usage: installer $a exits 100"
done
echo 60 >"$R$ETCDIR/RELAY_CTRL_EXPIRY"; : >"$R$SPOOLDIR/192.0.2.1"
inst -n uninstall
is "$RC" 0 "uninstall -n: exits 0"
has "$OUT" "^installer: would remove $BINDIR/relay-ctrl-check\$" "uninstall -n: says what it would remove"
ok "uninstall -n: removes nothing" test -f "$BINDIR/relay-ctrl-check"
rm -rf "$S/build"
inst uninstall
is "$RC" 0 "uninstall (nothing built): exits 0"
has "$OUT" "^installer: removed $BINDIR/relay-ctrl-check\$" "uninstall: reports each program"
has "$OUT" "^installer: removed $MANDIR/man8/relay-ctrl-check\.8\$" "uninstall: reports each man page"
has "$OUT" "^installer: kept the spool $R$SPOOLDIR and the settings $R$ETCDIR \(installer uninstall --purge removes them\)\$" "uninstall: says it keeps spool and settings"
is "$(find "$BINDIR" "$MANDIR" -type f 2>/dev/null)" "" "uninstall: no program or man page left"
is "$(cat "$R$ETCDIR/RELAY_CTRL_EXPIRY" 2>&1)" 60 "uninstall: settings kept"
ok "uninstall: spool entries kept" test -f "$R$SPOOLDIR/192.0.2.1"
inst uninstall
is "$RC" 0 "uninstall twice: exits 0"
inst uninstall --purge
is "$RC" 0 "uninstall --purge: exits 0"
has "$OUT" "^installer: removed $R$SPOOLDIR and everything in it\$" "uninstall --purge: reports the spool"
has "$OUT" "^installer: removed $R$ETCDIR and everything in it\$" "uninstall --purge: reports the settings"
notok "uninstall --purge: the spool's parent is gone" test -e "$R$SPOOLTOP"
notok "uninstall --purge: the settings are gone" test -e "$R$ETCDIR"
hasnt "$OUT" mandb "with DESTDIR: no mandb"

# --- a real install (no DESTDIR) updates man -k's index ----------------------
# A tree whose conf-* name places under $T, installed without DESTDIR.
if [ -z "$ROOT" ]; then
  failed "a real install, as root, to test mandb" "not root"
elif ! command -v mandb >/dev/null; then
  failed "mandb installed (Debian: man-db, in test/deps)"
else
  mktree
  echo "$T/real" >"$S/conf-home"; echo "$T/realspool/allow" >"$S/conf-spool"; echo "$T/realetc" >"$S/conf-etc"
  run -- "$S/installer"
  is "$RC" 0 "real install: exits 0"
  has "$OUT" "^installer: updated the man page index \(mandb $T/real/share/man\)\$" "real install: runs mandb"
  run -- env MANPATH="$T/real/share/man" man -k relay-ctrl
  has "$OUT" '^relay-ctrl-check \(8\) +- ' "man -k relay-ctrl finds relay-ctrl-check(8)"
  has "$OUT" '^relay-ctrl \(7\) +- ' "man -k relay-ctrl finds relay-ctrl(7)"
  run -- "$S/installer" uninstall --purge
  is "$RC" 0 "real uninstall --purge: exits 0"
  run -- env MANPATH="$T/real/share/man" man -k relay-ctrl-check
  hasnt "$OUT" '^relay-ctrl-check \(8\)' "after uninstall, man -k no longer finds relay-ctrl-check(8)"
  notok "real uninstall --purge: spool gone" test -e "$T/realspool"
fi

# --- FILES is the list of files in git ---------------------------------------
if command -v git >/dev/null && git -C "$TOP" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  ok "FILES exists" test -f "$TOP/FILES"
  listed=$(LC_ALL=C sort "$TOP/FILES" 2>/dev/null)
  # tracked plus not yet added (and not ignored): equal to git ls-files once committed
  ingit=$(git -C "$TOP" ls-files --cached --others --exclude-standard | LC_ALL=C sort -u)
  is "$(uniq -d <<<"$listed")" "" "FILES lists no path twice"
  fix="to rebuild it: git ls-files --cached --others --exclude-standard | LC_ALL=C sort >FILES"
  for way in "-23 every file in git is in FILES;missing from FILES:" "-13 every path in FILES is in git;in FILES, not in git:"; do
    what=${way#* }
    diff=$(LC_ALL=C comm ${way%% *} <(echo "$ingit") <(echo "$listed"))
    if [ -z "$diff" ]; then pass "${what%;*}"; else failed "${what%;*}" "${what#*;}" $diff "$fix"; fi
  done
else
  skip_part 4 "FILES against git: no git, or not a git checkout git will read"
fi
# Its count follows the tree (pages, examples, programs): checked at the end.
done_testing
