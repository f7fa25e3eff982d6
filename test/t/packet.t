# The UDP packet format: HMAC-SHA256 against RFC 4231, and the test
# vectors of doc/packet-format.md, by our C code and by an independent
# Python implementation (test/udp/packet.py).
. "$RC_TOP/test/lib.sh"
plan 22

out=$("$BIN/test/rc-hmac-unit"); rc=$?
while read -r line; do case $line in ok*) pass "HMAC-SHA256: ${line#ok }";; FAIL*) failed "HMAC-SHA256: ${line#FAIL }";; esac; done <<<"$out"
is "$rc" 0 "rc-hmac-unit exits 0"
out=$("$BIN/test/rc-packet-unit"); rc=$?
while read -r line; do case $line in ok*) pass "packet ${line#ok }";; FAIL*) failed "packet ${line#FAIL }";; esac; done <<<"$out"
is "$rc" 0 "rc-packet-unit exits 0"

# The vectors in the document are the ones the unit driver checks.
python3 -c "open('$T/vk','wb').write(bytes(range(32)))"
doc=$(tr -d ' \n' < "$TOP/doc/packet-format.md")
v1=$(python3 "$TOP/test/udp/packet.py" hex "$T/vk" 1700000000.123456789 192.0.2.1 --to 192.0.2.25:811 USER=joe DOMAIN=example.org)
v2=$(python3 "$TOP/test/udp/packet.py" hex "$T/vk" 1700000000.5 2001:db8::1 --to [2001:db8::25]:811 USER=ann)
ok "vector 1 from the Python implementation is in the document" grep -q "$v1" <<<"$doc"
ok "vector 2 from the Python implementation is in the document" grep -q "$v2" <<<"$doc"
ok "vector 1 is what the C unit checks" grep -q "$v1" "$TOP/test/unit/rc-packet-unit.c"
ok "vector 2 is what the C unit checks" grep -q "$v2" "$TOP/test/unit/rc-packet-unit.c"
