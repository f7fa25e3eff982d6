# The Japanese guides show the same shipped files as the English ones:
# every include block in doc/ja/*.md names a file in the tree and holds
# its content byte for byte, and every file an English guide includes
# (doc/X.md, README) is included by its Japanese version too
# (doc/ja/X.md, doc/ja/README.md). tools/doc-includes rewrites the
# blocks from the files.
source "$RC_TOP/test/lib.sh"
cd "$TOP" || exit 111

# includes DOC: the paths of DOC's include blocks, one a line.
includes () { sed -n 's/^<!-- include \([^ ]*\) -->$/\1/p' "$1"; }

# blocks DOC DIR: each block's content into DIR/1, DIR/2, ..., and
# DIR/list with "N PATH" lines; malformed blocks are listed as "bad".
blocks () {
  awk -v dir="$2" '
    function out(s) { printf "%s", s > (dir "/" n) }
    state == 0 && /^<!-- include [^ ]+ -->$/ { n++; p = $3; state = 1; next }
    state == 1 { if ($0 == "```") { state = 2; printf "" > (dir "/" n); next } else { print "bad " n " " p " (no fence after the include line)" > (dir "/list"); state = 0; next } }
    state == 2 && $0 == "```" { state = 3; next }
    state == 2 { out($0 "\n"); next }
    state == 3 { if ($0 == "<!-- end include -->") print n " " p > (dir "/list"); else { out("```\n" $0 "\n"); state = 2; next } state = 0; next }
    END { if (state) print "bad " n " " p " (not closed by <!-- end include -->)" > (dir "/list") }
  ' "$1"
  touch "$2/list"
}

found=0
for doc in doc/ja/*.md; do
  [ -f "$doc" ] || continue
  d=$T/${doc//\//_}
  mkdir -p "$d"
  blocks "$doc" "$d"
  while read -r n path rest; do
    if [ "$n" = bad ]; then failed "$doc: include block for $rest is well formed" "$path $rest"; continue; fi
    found=$((found + 1))
    if [ ! -f "$path" ]; then failed "$doc: $path exists" "the block names a file that is not in the tree"; continue; fi
    if cmp -s "$d/$n" "$path"; then pass "$doc: $path, byte for byte"
    else failed "$doc: $path, byte for byte" "differs from the file (fix: tools/doc-includes $doc):" "$(diff "$path" "$d/$n" | head -20)"; fi
  done <"$d/list"
done
if [ "$found" = 0 ]; then failed "doc/ja/*.md include at least one shipped file"; fi

# English guide -> Japanese guide: every file shown in English is shown in Japanese.
for ja in doc/ja/*.md; do
  name=${ja#doc/ja/}
  en=doc/$name
  [ "$name" = README.md ] && en=README
  [ -f "$en" ] || continue
  missing=$(comm -23 <(includes "$en" | LC_ALL=C sort -u) <(includes "$ja" | LC_ALL=C sort -u))
  is "$missing" "" "$ja includes every shipped file that $en includes"
done

# The users' pages as HTML are tools/users-html's output from the Markdown.
for pair in "en doc/users" "ja doc/ja/users"; do
  set -- $pair
  if [ -f "$2.md" ] && sh tools/users-html "$1" <"$2.md" >"$T/users.html" && cmp -s "$T/users.html" "$2.html"
  then pass "$2.html is tools/users-html $1 <$2.md"
  else failed "$2.html is tools/users-html $1 <$2.md" "fix: tools/users-html $1 <$2.md >$2.html" "$(diff "$2.html" "$T/users.html" 2>&1 | head -10)"; fi
  hasnt "$(cat "$2.html" 2>&1)" '<script|javascript:' "$2.html has no JavaScript"
done
# Its count follows the tree (pages, examples, programs): checked at the end.
done_testing
