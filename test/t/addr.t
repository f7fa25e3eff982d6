# Address canonicalisation: the spool file name for every textual form.
. "$RC_TOP/test/lib.sh"
plan 81

canon () { printf '%s' "$1" | "$BIN/test/rc-addr-unit"; }
while read -r input want; do
  is "$(canon "$input")" "$want" "canonical form of $input"
done <<'EOF2'
1.2.3.4 1.2.3.4
127.0.0.1 127.0.0.1
0.0.0.0 0.0.0.0
255.255.255.255 255.255.255.255
256.1.1.1 -
1.2.3 -
1.2.3.4.5 -
01.2.3.4 -
1.2.3.4. -
::1 ::1
:: ::
2001:DB8::1 2001:db8::1
2001:db8:0:0:0:0:2:1 2001:db8::2:1
2001:0db8:0000:0000:0000:0000:0000:0001 2001:db8::1
2001:db8:0:1:1:1:1:1 2001:db8:0:1:1:1:1:1
1:0:0:2:0:0:0:3 1:0:0:2::3
2001:db8:0:0:1:0:0:1 2001:db8::1:0:0:1
1:2:3:4:5:6:7:: 1:2:3:4:5:6:7:0
::ffff:1.2.3.4 1.2.3.4
::FFFF:10.0.0.1 10.0.0.1
0:0:0:0:0:ffff:1.2.3.4 1.2.3.4
::ffff:0102:0304 1.2.3.4
::ffff:127.0.0.1 127.0.0.1
::ffff:256.0.0.1 -
fe80::1%eth0 fe80::1%eth0
FE80::1%lo fe80::1%lo
fe80::1%2 fe80::1%2
fe80::1% -
fe80::1%eth/0 -
fe80::1%../x -
fe80::1%abcdefghijklmnop -
::ffff:1.2.3.4%eth0 -
1.2.3.4%eth0 -
1:2:3:4:5:6:7:8:9 -
1::2::3 -
12345::1 -
g::1 -
:::1 -
1.2.3.4/../x -
1.2.3.4/../../etc -
../x -
.. -
. -
/etc/passwd -
.tmp.1.2.3 -
localhost -
EOF2

is "$(printf '\n' | "$BIN/test/rc-addr-unit")" - "empty input refused"
is "$(canon ' 1.2.3.4')" - "leading space refused"
is "$(canon '1.2.3.4 ')" - "trailing space refused"
is "$(printf '1.2.3.4\0junk' | "$BIN/test/rc-addr-unit")" - "embedded NUL refused"
is "$(printf '1.2.3.4\0' | "$BIN/test/rc-addr-unit")" - "trailing NUL refused"
is "$(canon "$(printf '1%.0s' {1..200})")" - "overlong input refused"
is "$(canon "::ffff:$(printf '0%.0s' {1..200})1.2.3.4")" - "overlong IPv6 refused"
is "$(printf '1.2.3.4\n::1\nnope\n' | "$BIN/test/rc-addr-unit" | tr '\n' ' ')" "1.2.3.4 ::1 - " "several inputs in one run"

# host[:port] (issue 12): one parser, rc_hostport_scan, for
# RELAY_CTRL_REMOTES (relay-ctrl-send) and RELAY_CTRL_REDIS (Redis);
# the union of what both pages document.
hostport () { printf '%s' "$1" | "$BIN/test/rc-addr-unit" -p 6379; }
while read -r input want; do
  is "$(hostport "$input" | tr ' ' _)" "$want" "host:port $input"
done <<'EOF2'
192.0.2.1 4_192.0.2.1_6379
192.0.2.1:811 4_192.0.2.1_811
192.0.2.1:65535 4_192.0.2.1_65535
2001:db8::1 6_2001:db8::1_6379
[2001:db8::1] 6_2001:db8::1_6379
[2001:db8::1]:811 6_2001:db8::1_811
::1 6_::1_6379
[::ffff:192.0.2.1]:7 4_192.0.2.1_7
::ffff:192.0.2.1 4_192.0.2.1_6379
192.0.2.1:0 -
192.0.2.1:65536 -
192.0.2.1: -
192.0.2.1:80x -
192.0.2.1:+80 -
[2001:db8::1 -
[2001:db8::1]x -
[2001:db8::1]: -
[2001:db8::1]:0 -
[192.0.2.1] -
[] -
localhost -
localhost:6379 -
256.0.0.1 -
fe80::1%lo -
EOF2
is "$(printf '\n' | "$BIN/test/rc-addr-unit" -p 1)" - "host:port: empty refused"
is "$(printf '192.0.2.1\0:80' | "$BIN/test/rc-addr-unit" -p 1)" - "host:port: embedded NUL refused"
is "$(hostport "$(printf '1%.0s' {1..200})")" - "host:port: overlong refused"
