# Fuzzing, bounded for CI: builds the libFuzzer harnesses (make fuzz),
# replays every seed and every saved crash input (fuzz/corpus/NAME,
# fuzz/regressions/NAME), then fuzzes each harness from its seeds for
# RC_FUZZ_SECONDS (default 10), all at once. A crash or a broken
# invariant fails the test; its input is kept in build-fuzz/crashes/.
. "$RC_TOP/test/lib.sh"

# The harnesses are built apart, in build-fuzz, with clang, whatever
# BUILD is: test/all runs this file once, against build.
if ! command -v clang >/dev/null; then
  failed "clang installed (test/deps clang libclang-rt-14-dev)"
  exit 1
fi
if make -s -C "$TOP" fuzz >"$T/make.log" 2>&1; then pass "make fuzz builds the harnesses"
else failed "make fuzz builds the harnesses" "$(cat "$T/make.log")"; exit 1; fi

SECS=${RC_FUZZ_SECONDS:-10}
CRASHES=$TOP/build-fuzz/crashes
HARNESSES=$(cd "$TOP/fuzz/deps" && ls)
for f in $HARNESSES; do
  inputs=()
  for i in "$TOP/fuzz/corpus/$f"/* "$TOP/fuzz/regressions/$f"/*; do [ -f "$i" ] && inputs+=("$i"); done
  if TMPDIR=$T "$TOP/build-fuzz/$f" "${inputs[@]}" >"$T/$f.replay" 2>&1; then
    pass "$f: the ${#inputs[@]} seeds and saved crash inputs run clean"
  else
    failed "$f: the ${#inputs[@]} seeds and saved crash inputs run clean" "$(grep -E 'invariant|ERROR|SUMMARY|Running:' "$T/$f.replay" | tail -n 8)"
  fi
done

pids=()
for f in $HARNESSES; do
  mkdir -p "$T/corpus/$f" "$CRASHES"
  cp "$TOP/fuzz/corpus/$f"/* "$T/corpus/$f/" 2>/dev/null
  TMPDIR=$T "$TOP/build-fuzz/$f" -max_total_time="$SECS" -timeout=5 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$CRASHES/$f-" "$T/corpus/$f" >"$T/$f.log" 2>&1 &
  pids+=($!)
done
i=0
for f in $HARNESSES; do
  wait "${pids[$i]}"; rc=$?
  i=$((i + 1))
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$T/$f.log")
  if [ "$rc" = 0 ] && ! grep -qE '^==[0-9]+== ?ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer)|\.c:[0-9]+:[0-9]+: runtime error|^fuzz/[a-z]+: invariant broken' "$T/$f.log"; then
    pass "$f: fuzzed ${SECS} s (${runs:-?} runs), no crash, invariants hold"
  else
    failed "$f: fuzzed ${SECS} s, no crash, invariants hold" "exit $rc; input saved as:" \
      "$(sed -n 's/.*Test unit written to //p' "$T/$f.log")" "$(grep -E 'invariant|ERROR|SUMMARY|#0 |#1 |#2 ' "$T/$f.log" | head -n 12)"
  fi
done
# Its count follows the tree (pages, examples, programs): checked at the end.
done_testing
