# Every program has a man page with the sections we promise, and every
# page is clean under mandoc's and groff's lint.
. "$RC_TOP/test/lib.sh"
for p in "$TOP"/src/deps-exe/*; do
  page=$TOP/man/${p##*/}.8
  ok "${p##*/} has a man page" test -f "$page"
  [ -f "$page" ] || continue
  for s in NAME SYNOPSIS DESCRIPTION ENVIRONMENT "EXIT STATUS" "SEE ALSO"; do
    has "$(grep '^\.SH' "$page")" "^\.SH \"?$s\"?$" "${p##*/}(8) has $s"
  done
done
for page in "$TOP"/man/*.[1-8]; do
  is "$(mandoc -Tlint -W warning "$page" 2>&1)" "" "mandoc -Tlint: ${page##*/} clean"
  is "$(groff -ww -z -man "$page" 2>&1)" "" "groff -ww: ${page##*/} clean"
done
