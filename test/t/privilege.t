# The privilege model: the spool's parent is 0700 root; programs running
# as other users reach the spool only through relay-ctrl-chdir's fd.
. "$RC_TOP/test/lib.sh"
plan 16
mkspool
is "$(stat -c %a:%U "$SPOOLTOP")" "700:root" "spool parent 0700 root"

run -- setuidgid nobody sh -c "ls '$SPOOL'"
notok "nobody cannot reach the spool by its path" test "$RC" = 0

# POP side: root opens the spool, then the login drops to the mail user.
run RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP=192.0.2.1 USER=nobody -- relay-ctrl-chdir setuidgid nobody relay-ctrl-allow sh -c 'id -un'
is "$OUT" nobody "the POP server runs as the mail user"
ok "entry recorded through the fd by the mail user" test -f "$SPOOL/192.0.2.1"
is "$(stat -c %U:%a "$SPOOL/192.0.2.1")" "nobody:644" "entry owned by the mail user, mode 0644"
is "$ERR" "" "no warning"
run RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP=192.0.2.2 -- setuidgid nobody relay-ctrl-allow sh -c 'echo ran'
is "$OUT" ran "without relay-ctrl-chdir the mail user cannot record, but the POP server runs"
has "$ERR" "warning: not recording login from 192\.0\.2\.2: unable to open spool $SPOOL: Permission denied" "and says why"
ok "nothing recorded by path" test ! -e "$SPOOL/192.0.2.2"

# A different mail user logs in later from the same address (NAT).
run RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP=192.0.2.1 USER=daemon -- relay-ctrl-chdir setuidgid daemon relay-ctrl-allow true
is "$(stat -c %U "$SPOOL/192.0.2.1")" daemon "another user's login replaces the entry (spool not sticky)"

# SMTP side: tcpserver -u drops to qmaild-like user; relay-ctrl-check reads through the fd.
run RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP=192.0.2.1 -- relay-ctrl-chdir setuidgid nobody relay-ctrl-check sh -c 'echo "${RELAYCLIENT-unset} $USER"'
is "$OUT" " daemon" "relay-ctrl-check as an unprivileged user: relays and imports USER"
age "$SPOOL/192.0.2.1" 5000
run RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP=192.0.2.1 -- relay-ctrl-chdir setuidgid nobody relay-ctrl-check sh -c 'echo "${RELAYCLIENT-unset}"'
is "$OUT" unset "expired: refused"
ok "and removed by the unprivileged checker" test ! -e "$SPOOL/192.0.2.1"
run RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP=192.0.2.1 -- setuidgid nobody relay-ctrl-check sh -c 'echo "${RELAYCLIENT-unset}"'
is "$OUT" unset "without relay-ctrl-chdir the SMTP user cannot read the spool: refused"

# The mail user's POP server holds no way into the spool.
run RELAY_CTRL_DIR="$SPOOL" TCPREMOTEIP=192.0.2.3 -- relay-ctrl-chdir setuidgid nobody relay-ctrl-allow sh -c 'for f in /proc/$$/fd/*; do readlink "$f"; done; echo "fd=${RELAY_CTRL_DIR_FD-unset}"'
hasnt "$OUT" "$SPOOL" "no descriptor on the spool left in the POP server"
has "$OUT" "fd=unset" "no RELAY_CTRL_DIR_FD in the POP server's environment"
