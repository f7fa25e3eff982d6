# Spool file records: what relay-ctrl-check imports and what it refuses.
. "$RC_TOP/test/lib.sh"
plan 28

parse () { printf "$1" | env -i ${2:+RELAY_CTRL_IMPORT="$2"} "$BIN/test/rc-records-unit"; }

is "$(parse 'USER=joe\0DOMAIN=example.org\0')" "USER=joe
DOMAIN=example.org
rejected 0: -" "USER and DOMAIN imported"
is "$(parse '')" "rejected 0: -" "empty file: nothing, nothing rejected"
is "$(parse 'USER=joe')" "rejected 1: unterminated record" "file with no NUL: nothing imported"
is "$(parse 'USER=joe\0DOMAIN=x')" "USER=joe
rejected 1: unterminated record" "unterminated tail dropped, the rest kept"
is "$(parse 'RELAYCLIENT=@evil\0USER=joe\0')" "USER=joe
rejected 1: name not importable" "RELAYCLIENT never imported"
is "$(parse 'PATH=/tmp\0LD_PRELOAD=/tmp/x.so\0IFS=x\0TCPREMOTEIP=1.2.3.4\0')" "rejected 4: name not importable" "PATH, LD_PRELOAD, IFS, TCP* never imported"
for name in RELAYCLIENT PATH IFS LD_PRELOAD LD_LIBRARY_PATH TCPREMOTEIP TCPLOCALIP RELAY_CTRL_DIR HOME SHELL ENV BASH_ENV QMAILQUEUE; do
  is "$(parse "$name=x\0" "$name")" "rejected 1: name not importable" "$name refused even when listed in RELAY_CTRL_IMPORT"
done
is "$(parse 'FOO=bar\0')" "rejected 1: name not importable" "other names refused by default"
is "$(parse 'FOO=bar\0BAZ=1\0QUX=2\0' 'FOO, BAZ')" "FOO=bar
BAZ=1
rejected 1: name not importable" "RELAY_CTRL_IMPORT adds names (comma or space separated)"
is "$(parse 'USER=a\tb\0')" "rejected 1: control characters in value" "control characters in a value refused"
is "$(parse 'USER=a\nb\0')" "rejected 1: control characters in value" "newline in a value refused"
is "$(parse 'garbage\0=x\0 USER=x\0USER=ok\0')" "USER=ok
rejected 3: malformed record" "malformed records refused"
is "$(parse '\0\0\0USER=joe\0\0')" "USER=joe
rejected 0: -" "empty records skipped"
is "$(parse 'USER=\0')" "USER=
rejected 0: -" "empty value imported"
long=$(printf 'x%.0s' {1..5000})
is "$(parse "USER=$long\\0" | tail -n 1)" "rejected 1: too many records" "a record that does not fit is refused"
is "$(parse 'USER=jo\xe9\0')" "$(printf 'USER=jo\xe9')
rejected 0: -" "8-bit values kept as they are"
