# Sourced by every test/t/*.t. Prints one "ok N - what" or
# "not ok N - what" line per assertion, with details after a failure.
set -u
BIN=${RC_BIN:?run through test/run}
TOP=${RC_TOP:?run through test/run}
T=$(mktemp -d /tmp/rctest.XXXXXX)
chmod 755 "$T"
N=0
CLEANUPS=()
on_exit () { local c; for c in "${CLEANUPS[@]}"; do eval "$c"; done; rm -rf "$T"; }
trap on_exit EXIT
cleanup () { CLEANUPS+=("$*"); }

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
