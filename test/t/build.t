# The build notices its inputs: a changed conf-* setting (conf-redis's
# "auto" result included) or header rebuilds what depends on it, and
# nothing else is rebuilt when nothing changed. Runs make in a copy of
# the source tree; tests no binary of BUILD.
source "$RC_TOP/test/lib.sh"
plan 23
W=$T/tree
mkdir -p "$W"
cp -R "$TOP/Makefile" "$TOP"/conf-* "$TOP/src" "$TOP/test" "$W/" || { failed "copy the source tree"; exit 1; }
P=build/relay-ctrl-query
mk () { make -C "$W" -s "$@" >"$T/make.log" 2>&1; }
upto () { make -C "$W" -q "$P" >/dev/null 2>&1; }

if mk "$P"; then pass "make $P in a copy of the tree"
else failed "make $P in a copy of the tree" "$(cat "$T/make.log")"; exit 1; fi
ok "nothing changed: make -q says $P is up to date" upto

echo no >"$W/conf-redis.new" && sed 1d "$W/conf-redis" >>"$W/conf-redis.new" && mv "$W/conf-redis.new" "$W/conf-redis"
notok "conf-redis set to no: $P is out of date" upto
mk "$P"
env -i RELAY_CTRL_REDIS=127.0.0.1:1 "$W/$P" 192.0.2.1 >/dev/null 2>"$T/q.err"
has "$(cat "$T/q.err")" "this build has no Redis support" "conf-redis no: the rebuilt program has no Redis"
ok "then up to date again" upto

sed -i 's/^cc -O2 /cc -O1 /' "$W/conf-cc"
notok "conf-cc changed: $P is out of date" upto
mk "$P"
ok "rebuilt with the new flags: up to date again" upto

touch "$W/src/rc_store.h"
if grep -q 'rc_say\.h' "$W/src/relay-ctrl-query.c" && grep -q 'rc_store\.h' "$W/src/rc_say.h"; then
  notok "src/rc_store.h touched: $P (which includes it through rc_say.h) is out of date" upto
else
  failed "relay-ctrl-query.c includes rc_store.h through rc_say.h (this test's premise)"
fi
mk "$P"
touch "$W/src/relay-ctrl-chdir.c"
ok "a source $P does not use touched: still up to date" upto
echo 'x' >>"$W/conf-lib"   # prose lines after the first do not count
ok "conf-lib's prose changed, first line not: still up to date" upto

# The library: every src/rc_*.c is a member, so a new one needs no edit
# of the Makefile, and the link lists name libraries, not objects.
hasnt "$(cat "$TOP"/src/deps-exe/* "$TOP"/fuzz/deps/*)" '\.o([[:space:]]|$)' "src/deps-exe and fuzz/deps list libraries, no .o file"
has "$(cat "$TOP"/src/deps-exe/*)" '^-lrelay-ctrl' "src/deps-exe names -lrelay-ctrl"
printf '#include "rc.h"\nint rc_zz (void) { return 42 ; }\n' >"$W/src/rc_zz.c"
printf 'int rc_zz (void) ;\nint main (void) { return rc_zz() == 42 ? 0 : 1 ; }\n' >"$W/src/relay-ctrl-zz.c"
echo -lrelay-ctrl >"$W/src/deps-exe/relay-ctrl-zz"
if mk build/relay-ctrl-zz; then pass "a new src/rc_zz.c and program: built, Makefile untouched"
else failed "a new src/rc_zz.c and program: built, Makefile untouched" "$(cat "$T/make.log")"; fi
ok "the new program links rc_zz from the library and runs" "$W/build/relay-ctrl-zz"
has "$(ar t "$W/build/librelay-ctrl.a" 2>&1)" '^rc_zz\.o$' "rc_zz.o is in build/librelay-ctrl.a"
rm "$W/src/rc_zz.c" "$W/src/relay-ctrl-zz.c" "$W/src/deps-exe/relay-ctrl-zz"
mk "$P"
hasnt "$(ar t "$W/build/librelay-ctrl.a" 2>&1)" '^rc_zz\.o$' "src/rc_zz.c removed: rc_zz.o left the library"
ok "and $P is up to date" upto

# test/run holds each file to its plan: an early stop fails it, even
# with every assertion so far passed; planned skips count as made.
mkdir -p "$T/tr"
printf '. "$RC_TOP/test/lib.sh"\nplan 3\npass a\npass b\nexit 0\npass c\n' >"$T/tr/early.t"
printf '. "$RC_TOP/test/lib.sh"\nplan 3\npass a\nskip_part 2 "no ::1 here"\n' >"$T/tr/skip.t"
printf '. "$RC_TOP/test/lib.sh"\npass a\n' >"$T/tr/noplan.t"
printf '. "$RC_TOP/test/lib.sh"\npass a\nexit 0\ndone_testing\n' >"$T/tr/early-dt.t"
printf '. "$RC_TOP/test/lib.sh"\npass a\npass b\ndone_testing\n' >"$T/tr/dt.t"
"$TOP/test/run" "$RC_BUILD" "$T"/tr/{early,skip,noplan,early-dt,dt}.t >"$T/tr.out" 2>&1
TR=$(cat "$T/tr.out")
has "$TR" 'early\.t +2 passed, 1 failed' "test/run: a file stopping before its plan fails"
has "$TR" 'skip\.t +1 passed, 0 failed, 1 skipped' "test/run: skip_part's assertions count for the plan"
has "$TR" 'noplan\.t +1 passed, 1 failed' "test/run: a file without a plan fails"
has "$TR" 'early-dt\.t +1 passed, 1 failed' "test/run: stopping before done_testing fails"
has "$TR" 'dt\.t +2 passed, 0 failed, 0 skipped' "test/run: done_testing at the end passes"
has "$TR" '^7 passed, 3 failed, 1 skipped$' "test/run: the last line stays N passed, N failed, N skipped"
