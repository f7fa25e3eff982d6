# relay-ctrl-chdir: opens the spool, passes it down as RELAY_CTRL_DIR_FD.
. "$RC_TOP/test/lib.sh"
plan 28
mkspool

run -- relay-ctrl-chdir
is "$RC" 100 "no program: exit 100"
has "$ERR" '^relay-ctrl-chdir\[[0-9]+\]: fatal: usage: relay-ctrl-chdir prog' "usage line"

run RELAY_CTRL_DIR="$SPOOL" -- relay-ctrl-chdir sh -c 'echo "$RELAY_CTRL_DIR_FD"; readlink "/proc/$$/fd/$RELAY_CTRL_DIR_FD"'
is "$RC" 0 "runs the program, exit 0"
fd=$(sed -n 1p <<<"$OUT")
is "$(sed -n 2p <<<"$OUT")" "$SPOOL" "RELAY_CTRL_DIR_FD is open on the spool in the program"
ok "the descriptor is parked high ($fd)" test "$fd" -ge 100
is "$ERR" "" "a spool with a 0700 parent: no warning"

run RELAY_CTRL_DIR="$SPOOL" -- sh -c 'ulimit -n 64; exec relay-ctrl-chdir sh -c "echo \$RELAY_CTRL_DIR_FD"'
is "$OUT" 63 "the descriptor stays below a low RLIMIT_NOFILE"

run RELAY_CTRL_DIR="$SPOOL" RELAY_CTRL_DIR_FD=7 -- relay-ctrl-chdir sh -c 'echo "$RELAY_CTRL_DIR_FD"'
ok "an inherited RELAY_CTRL_DIR_FD is replaced" test "$OUT" != 7

run RELAY_CTRL_DIR="$SPOOL" -- relay-ctrl-chdir sh -c 'exit 42'
is "$RC" 42 "exit status of the program"
run RELAY_CTRL_DIR="$SPOOL" -- relay-ctrl-chdir /nonexistent/prog
is "$RC" 127 "program not found: 127"
has "$ERR" 'relay-ctrl-chdir\[[0-9]+\]: fatal: unable to exec /nonexistent/prog: ' "exec failure logged"
printf 'x' > "$T/notexec"; chmod 644 "$T/notexec"
run RELAY_CTRL_DIR="$SPOOL" -- relay-ctrl-chdir "$T/notexec"
is "$RC" 126 "program not executable: 126"

# Never break mail: a bad spool is logged and the server still runs.
run RELAY_CTRL_DIR_FD=5 -- relay-ctrl-chdir sh -c 'echo "${RELAY_CTRL_DIR_FD-unset}"'
is "$RC:$OUT" "0:unset" "RELAY_CTRL_DIR unset: program runs, RELAY_CTRL_DIR_FD unset"
has "$ERR" 'relay-ctrl-chdir\[[0-9]+\]: warning: no relaying will be allowed: RELAY_CTRL_DIR is not set' "RELAY_CTRL_DIR unset: warning"
run RELAY_CTRL_DIR=/etc/passwd -- relay-ctrl-chdir sh -c 'echo "${RELAY_CTRL_DIR_FD-unset}"'
is "$RC:$OUT" "0:unset" "spool not a directory: program runs without the fd"
has "$ERR" 'warning: no relaying will be allowed: spool /etc/passwd is not a directory' "spool not a directory: refused with a clear message"
run RELAY_CTRL_DIR="$T/missing" -- relay-ctrl-chdir sh -c 'echo ran'
is "$RC:$OUT" "0:ran" "missing spool: program runs"
has "$ERR" "warning: no relaying will be allowed: unable to open spool $T/missing: No such file" "missing spool: warning"

# Exposure: who else can reach the spool by its path.
mkdir -p "$T/open/allow"; chmod 755 "$T/open"; chmod 777 "$T/open/allow"
run RELAY_CTRL_DIR="$T/open/allow" -- relay-ctrl-chdir true
has "$ERR" "warning: spool $T/open/allow is writable by other local users through its path, so any of them can grant relaying: make its parent directory mode 0700" "world-writable reachable spool: warning"
is "$RC" 0 "exposure warning is not fatal"
chmod 755 "$T/open/allow"
run RELAY_CTRL_DIR="$T/open/allow" -- relay-ctrl-chdir true
has "$ERR" "warning: spool $T/open/allow is readable by other local users" "readable reachable spool: warning"
chmod 750 "$T/open"; chmod 777 "$T/open/allow"
run RELAY_CTRL_DIR="$T/open/allow" -- relay-ctrl-chdir true
hasnt "$ERR" "warning" "a parent shut to others (0750 with group root): no warning"
chmod 700 "$T/open/allow"; chmod 755 "$T/open"
run RELAY_CTRL_DIR="$T/open/allow" -- relay-ctrl-chdir true
hasnt "$ERR" "warning" "a spool shut to others itself: no warning"

# A typo in RELAY_CTRL_DIR: the programs below, as the mail user under the
# 0700 parent, name the missing directory rather than "Permission denied".
mkspool
run RELAY_CTRL_DIR="$SPOOLTOP/allw" TCPREMOTEIP=192.0.2.9 -- relay-ctrl-chdir setuidgid nobody relay-ctrl-allow
has "$ERR" "relay-ctrl-chdir\\[[0-9]+\\]: warning: no relaying will be allowed: unable to open spool $SPOOLTOP/allw: No such file or directory" "missing spool: chdir says so"
has "$ERR" "relay-ctrl-allow\\[[0-9]+\\]: warning: not recording login from 192\\.0\\.2\\.9: relay-ctrl-chdir was unable to open spool $SPOOLTOP/allw: No such file or directory" "missing spool: allow below it names it too (ENOENT)"
hasnt "$ERR" "Permission denied" "missing spool: no Permission denied"
run RELAY_CTRL_DIR="$SPOOLTOP/allw" TCPREMOTEIP=192.0.2.9 -- relay-ctrl-chdir setuidgid nobody relay-ctrl-check env
has "$ERR" "relay-ctrl-check\\[[0-9]+\\]: warning: not relaying for 192\\.0\\.2\\.9: relay-ctrl-chdir was unable to open spool $SPOOLTOP/allw: No such file or directory" "missing spool: check names it (ENOENT)"
run RELAY_CTRL_DIR="$SPOOL" RELAY_CTRL_DIR_ERRNO=2 -- relay-ctrl-chdir env
hasnt "$OUT" "^RELAY_CTRL_DIR_ERRNO=" "a good spool: chdir unsets RELAY_CTRL_DIR_ERRNO"
