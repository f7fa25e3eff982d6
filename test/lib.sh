# Sourced by every test/t/*.t. Prints one "ok N - what" or
# "not ok N - what" line per assertion, with details after a failure.
set -u
BIN=${RC_BIN:?run through test/run}
TOP=${RC_TOP:?run through test/run}
T=$(mktemp -d /tmp/rctest.XXXXXX)
chmod 755 "$T"
N=0
CLEANUPS=()
on_exit () {
  local c
  for c in "${CLEANUPS[@]}"; do eval "$c"; done; rm -rf "$T"
  [ -z "$PLAN" ] || [ "$N" = "$PLAN" ] || echo "# ${0##*/}: planned $PLAN assertions, made $N"
}
trap on_exit EXIT
cleanup () { CLEANUPS+=("$*"); }

# plan N: this file makes N assertions (skipped ones included); test/run
# fails it when it makes another number, as after an early stop.
PLAN=
plan () { PLAN=$1; echo "1..$1"; }
# done_testing: for a file whose count follows the tree (a loop over the
# man pages, say), the plan at its end: stopping before it fails too.
done_testing () { PLAN=$N; echo "1..$N"; }
# skip_part N REASON: the next N assertions cannot be made here: one
# skip (under CI=true a failure), and N "ok K # skip" lines for the plan.
skip_part () { local n=$1 i; shift; echo "# SKIP $*"; for ((i = 0; i < n; i++)); do N=$((N + 1)); echo "ok $N # skip"; done; }

pass () { N=$((N + 1)); echo "ok $N - $1"; }
# skip_all REASON: this file cannot run here; test/run counts one skip
# (and under CI=true fails the run with REASON).
skip_all () { echo "# SKIP ${0##*/}: $1"; exit 0; }
failed () { N=$((N + 1)); echo "not ok $N - $1"; shift; local l; for l in "$@"; do echo "#   $l"; done; }

# is GOT WANT WHAT
is () { if [ "$1" = "$2" ]; then pass "$3"; else failed "$3" "got:  $(printf %q "$1")" "want: $(printf %q "$2")"; fi; }
# has TEXT PATTERN WHAT   (grep -E pattern on TEXT)
has () { if grep -qE -- "$2" <<<"$1"; then pass "$3"; else failed "$3" "no /$2/ in:" "$1"; fi; }
hasnt () { if grep -qE -- "$2" <<<"$1"; then failed "$3" "unwanted /$2/ in:" "$1"; else pass "$3"; fi; }
# ok WHAT COMMAND...   (passes if COMMAND succeeds)
ok () { local what=$1; shift; if "$@"; then pass "$what"; else failed "$what" "failed: $*"; fi; }
notok () { local what=$1; shift; if "$@"; then failed "$what" "succeeded: $*"; else pass "$what"; fi; }

# run [VAR=value...] -- PROG [ARG...]: PROG under env -i with only the
# given variables and a PATH that finds our programs first. Sets OUT,
# ERR and RC.
PATH_T="$BIN:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
run () {
  local envs=()
  while [ "$1" != -- ]; do envs+=("$1"); shift; done
  shift
  env -i PATH="$PATH_T" "${envs[@]}" "$@" >"$T/.out" 2>"$T/.err" </dev/null
  RC=$?
  OUT=$(cat "$T/.out"); ERR=$(cat "$T/.err")
}

# A spool as the installer makes it: parent 0700 root, spool 0777.
mkspool () {
  SPOOLTOP=$T/spool
  SPOOL=$SPOOLTOP/allow
  rm -rf "$SPOOLTOP"
  mkdir -p "$SPOOL"
  chmod 0700 "$SPOOLTOP"
  chmod 0777 "$SPOOL"
}

# newspool NAME: another such spool, $T/NAME/allow.
newspool () { mkdir -p "$T/$1/allow"; chmod 0700 "$T/$1"; chmod 0777 "$T/$1/allow"; }

# age FILE SECONDS: set FILE's mtime SECONDS in the past (negative: future).
age () { touch -h -d "@$(( $(date +%s) - $2 ))" "$1"; }
mtime () { stat -c %Y "$1"; }

# mkuser VAR: a new system user with its own group, removed at exit;
# its name goes into VAR. Retries while another useradd holds the lock.
mkuser () {
  local n=rct$$${1,,} try
  for try in 1 2 3 4 5 6 7 8 9 10; do
    useradd --system --user-group --no-create-home --home-dir / --shell /usr/sbin/nologin "$n" 2>"$T/.useradd" && break
    sleep 0.5
  done
  if ! id -u "$n" >/dev/null 2>&1; then failed "create test user $n" "$(cat "$T/.useradd")"; return 1; fi
  cleanup "userdel $n 2>/dev/null"
  printf -v "$1" %s "$n"
}

# Spool entries: spool_put NAME [CONTENT] (a printf format; mode 0644),
# spool_put_aged NAME SECONDS [CONTENT] (its mtime SECONDS ago),
# spool_stat NAME ("mode uid size"), spool_holds_bob NAME WHAT (passes
# if NAME holds exactly USER=bob\0).
spool_put () { printf "${2-}" > "$SPOOL/$1"; chmod 644 "$SPOOL/$1"; }
spool_put_aged () { spool_put "$1" "${3-}"; age "$SPOOL/$1" "$2"; }
spool_stat () { stat -c '%a %u %s' "$SPOOL/$1" 2>&1; }
spool_holds_bob () {
  if cmp -s "$SPOOL/$1" <(printf 'USER=bob\0'); then pass "$2"; else failed "$2" "content: $(od -c "$SPOOL/$1" 2>&1)"; fi
}
# allow_ran [VAR=value...]: relay-ctrl-allow in front of a program that
# prints "ran". check_rel [VAR=value...]: relay-ctrl-check in front of
# one printing RELAYCLIENT (or "unset"), then its environment; REL is the
# first line.
allow_ran () { run "$@" -- relay-ctrl-allow sh -c 'echo ran'; }
check_rel () { run "$@" -- relay-ctrl-check sh -c 'echo "${RELAYCLIENT-unset}"; env'; REL=$(sed -n 1p <<<"$OUT"); }

now_ms () { echo $(( $(date +%s%N) / 1000000 )); }
# count_lines TEXT (0 for none); file_lines FILE (0 if it is missing)
count_lines () { [ -z "$1" ] && echo 0 || wc -l <<<"$1"; }
file_lines () { if [ -e "$1" ]; then wc -l <"$1"; else echo 0; fi; }
# wait_log FILE PATTERN [SECONDS]: until a line of FILE matches the
# extended regular expression (3 s at most by default).
wait_log () { local i; for ((i = 0; i < ${3:-3} * 50; i++)); do grep -qE -- "$2" "$1" 2>/dev/null && return 0; sleep 0.02; done; return 1; }
