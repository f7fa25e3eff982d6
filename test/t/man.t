# Every program has a man page with the sections we promise, and every
# page is clean under mandoc's and groff's lint.
. "$RC_TOP/test/lib.sh"
for p in "$TOP"/src/deps-exe/*; do
  page=$TOP/man/${p##*/}.8
  ok "${p##*/} has a man page" test -f "$page"
  [ -f "$page" ] || continue
  for s in NAME SYNOPSIS DESCRIPTION ENVIRONMENT "EXIT STATUS" EXAMPLES "SEE ALSO"; do
    has "$(grep '^\.SH' "$page")" "^\.SH \"?$s\"?$" "${p##*/}(8) has $s"
  done
done
for page in "$TOP"/man/*.[1-8]; do
  is "$(mandoc -Tlint -W warning "$page" 2>&1)" "" "mandoc -Tlint: ${page##*/} clean"
  is "$(groff -ww -z -man "$page" 2>&1)" "" "groff -ww: ${page##*/} clean"
done
for page in "$TOP"/man/*.7; do
  has "$(grep '^\.SH' "$page")" '^\.SH "?EXAMPLES"?$' "${page##*/} has EXAMPLES"
done
# Every "not recording login from ADDR: ..." warning relay-ctrl-allow and
# every "not relaying for ADDR: ..." warning relay-ctrl-check can print is
# in its page's LOG MESSAGES (relay-ctrl(7) promises that).
for p in allow check; do
  text=$(sed 's/\\-/-/g; s/\\&//g' "$TOP/man/relay-ctrl-$p.8")
  while IFS= read -r msg; do
    [ -n "$msg" ] || continue
    has "$text" "$(sed 's/[][\.*^$+?(){}|/]/\\&/g' <<<"$msg")" "relay-ctrl-$p(8) lists the line ...$msg"
  done < <(grep -o 'NOT_DONE, addr, "[^"]*"' "$TOP/src/relay-ctrl-$p.c" "$TOP/src/rc_config.c" | sed 's/.*NOT_DONE, addr, "\(.*\)"/\1/' | sort -u)
done
# Its count follows the tree (pages, examples, programs): checked at the end.
done_testing
