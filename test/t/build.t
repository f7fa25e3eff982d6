# The build notices its inputs: a changed conf-* setting (conf-redis's
# "auto" result included) or header rebuilds what depends on it, and
# nothing else is rebuilt when nothing changed. Runs make in a copy of
# the source tree; tests no binary of BUILD.
source "$RC_TOP/test/lib.sh"
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
