# The guides show what the tests run. Every include block in README,
# doc/*.md and doc/ja/*.md is byte for byte its file (examples/, systemd/, debian/)
# (tools/doc-includes -c); every file under examples/ is used by a test
# and shown by a guide; and no guide shows a run script, a cron line or
# a server configuration outside an include block, where it could drift.
. "$RC_TOP/test/lib.sh"
cd "$TOP" || exit 111
docs=(README doc/*.md)
for d in doc/ja/*.md; do [ -f "$d" ] && docs+=("$d"); done

for d in "${docs[@]}"; do
  out=$(tools/doc-includes -c "$d" 2>&1)
  rc=$?
  if [ "$rc" = 0 ]; then pass "$d: every include block is its file"
  else failed "$d: every include block is its file (refresh: tools/doc-includes)" "$out"; fi
done

included=$(cat "${docs[@]}" | sed -n 's/^<!-- include \([^ ]*\) -->$/\1/p' | sort -u)
for f in $(find examples -type f | LC_ALL=C sort); do
  rel=${f#examples/} key=${f#examples/}
  case $rel in run/*/run) key=${rel#run/}; key=${key%/run} ;; *) key=${rel##*/} ;; esac
  if grep -rqF -- "$key" test/t test/e2e-lib.sh; then pass "$f is used by a test"
  else failed "$f is used by a test" "no test names $key"; fi
  if grep -qxF -- "$f" <<<"$included"; then pass "$f is shown by a guide"
  else failed "$f is shown by a guide" "no include block names it"; fi
  if [ -z "$(tail -c 1 "$f")" ]; then pass "$f ends with a newline"; else failed "$f ends with a newline"; fi
done
ok "tools/doc-includes -c: exit 0 for all the guides" tools/doc-includes -c

# recipes DOC: the lines of DOC, outside include blocks, that look like a
# recipe: in a code block (fenced, or indented four spaces as in README).
recipes () {
  awk '
    /^<!-- include / { inc = 1; next }
    /^<!-- end include -->$/ { inc = 0; next }
    inc { next }
    /^[ \t]*```/ { fence = !fence; next }
    !fence && !/^(    |\t)/ { next }
    /^[ \t]*#!\/bin\/sh/ || /^[ \t]*exec [^ ]/ || /^[ \t]*(exec[ \t]+)?tcpserver[ \t]+-/ ||
    /^[ \t]*(\*|[0-9][0-9,\/-]*)[ \t]+(\*|[0-9][0-9,\/*-]*)[ \t]+(\*|[0-9][0-9,\/*-]*)[ \t]+(\*|[0-9][0-9,\/*-]*)[ \t]+(\*|[0-9][0-9,\/*-]*)[ \t]+[a-z\/]/ ||
    /check_policy_service[ \t]/ || /executable[ \t]*=[ \t]*script-login/ || /^[ \t]*(spawn|unix|inet)[ \t].*relay-ctrl/ ||
    /relay-ctrl-[a-z]+[ \t].*spawn/ || /\$\{run\{.*relay-ctrl/ {
      printf "%d: %s\n", FNR, $0
    }' "$1"
}
for d in "${docs[@]}"; do
  out=$(recipes "$d")
  if [ -z "$out" ]; then pass "$d: no run script, cron line or configuration outside an include block"
  else failed "$d: no run script, cron line or configuration outside an include block" "$out"; fi
done

# The checks themselves: a drifted block and a bare run script are caught.
mkdir -p "$T/doc"
sed '0,/^#!\/bin\/sh$/s//#!\/bin\/bash/' README >"$T/doc/drifted.md"
run -- "$TOP/tools/doc-includes" -c "$T/doc/drifted.md"
is "$RC" 1 "doc-includes -c: a block that differs from its file exits 1"
has "$OUT" '^-#!/bin/bash$' "doc-includes -c: and shows the difference"
cp README "$T/doc/refresh.md"; sed -i '0,/^#!\/bin\/sh$/s//#!\/bin\/bash/' "$T/doc/refresh.md"
run -- "$TOP/tools/doc-includes" "$T/doc/refresh.md"
ok "doc-includes: refreshing puts the file back" cmp -s README "$T/doc/refresh.md"
printf '<!-- include examples/nowhere -->\n```\n```\n<!-- end include -->\n' >"$T/doc/missing.md"
run -- "$TOP/tools/doc-includes" -c "$T/doc/missing.md"
is "$RC" 100 "doc-includes: an include of a missing file exits 100"
printf 'Run it so:\n\n```sh\n#!/bin/sh\nexec envdir /etc/relay-ctrl relay-ctrl-chdir \\\n  tcpserver -v 0 25 relay-ctrl-check qmail-smtpd\n```\n\n    * * * * * envdir /etc/relay-ctrl relay-ctrl-age\n' >"$T/doc/bare.md"
is "$(recipes "$T/doc/bare.md" | wc -l)" 4 "a run script and a cron line outside include blocks are caught (4 lines)"
# Its count follows the tree (pages, examples, programs): checked at the end.
done_testing
