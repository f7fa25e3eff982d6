# relay-ctrl-udp refreshes an entry it wrote itself, with the same
# records, by setting that file's time (rc_udp_entries.c); in every other
# case it writes a new entry, and it never loses a login to a concurrent
# relay-ctrl-age, nor refreshes a file the address no longer names.
. "$RC_TOP/test/lib.sh"
plan 35
P=$(( 20000 + RANDOM % 12000 ))
KEY=$T/key; head -c 32 /dev/urandom >"$KEY"; chmod 600 "$KEY"
mkspool
S=$SPOOL X=192.0.2.9
case $(stat -f -c %T "$S") in tmpfs|ext2/ext3|xfs|btrfs) inplace=1 ;; *) inplace=0 ;; esac
echo "# spool on $(stat -f -c %T "$S"): refreshed in place: $inplace"

env -i PATH="$PATH_T" RELAY_CTRL_DIR="$S" RELAY_CTRL_KEY="$KEY" RELAY_CTRL_BIND=127.0.0.1 RELAY_CTRL_PORT=$P \
  relay-ctrl-udp 2>"$T/udp.log" </dev/null >/dev/null &
cleanup "kill $! 2>/dev/null"
for ((i = 0; i < 150; i++)); do grep -q 'info: listening on' "$T/udp.log" && break; sleep 0.02; done
has "$(cat "$T/udp.log")" "info: listening on 127\.0\.0\.1 port $P" "receiver started"

# login ADDR USER: one login sent to the receiver; waits (3 s at most)
# until ADDR's entry is newer than before.
stamp () { stat -c '%.9Y %i %h' "$1" 2>/dev/null || echo 0 0 0; }
login () {
  local before; before=$(stamp "$S/$1")
  env -i PATH="$PATH_T" RELAY_CTRL_KEY="$KEY" RELAY_CTRL_REMOTES="127.0.0.1:$P" TCPREMOTEIP=$1 USER=$2 relay-ctrl-send true
  for ((i = 0; i < 150; i++)); do [ "$(stamp "$S/$1")" != "$before" ] && [ "$(cut -d' ' -f1 <<<"$(stamp "$S/$1")")" != "$(cut -d' ' -f1 <<<"$before")" ] && return 0; sleep 0.02; done
  return 1
}
ino () { stat -c %i "$1"; }
content () { tr '\0' ' ' <"$1"; }
same_or_new () { [ $inplace = 1 ] && echo same || echo new; }
cmp_ino () { [ "$1" = "$2" ] && echo same || echo new; }

ok "first login recorded" login $X ann
first=$(ino "$S/$X")
ok "second login with the same records recorded" login $X ann
is "$(cmp_ino "$(ino "$S/$X")" "$first")" "$(same_or_new)" "the same records: the entry refreshed in place (spool on a local file system)"
is "$(content "$S/$X")" "USER=ann " "and it holds the login's records"
ok "a login with other records" login $X bob
is "$(cmp_ino "$(ino "$S/$X")" "$first")" new "other records: a new entry"
is "$(content "$S/$X")" "USER=bob " "holding them"

# relay-ctrl-allow replaces the entry: the receiver's file is no longer
# the address's, so a login with the receiver's last records is written
# anew, and the file allow wrote is not touched.
env -i RELAY_CTRL_DIR="$S" TCPREMOTEIP=$X USER=carol "$BIN/relay-ctrl-allow"
carol=$(ino "$S/$X"); age "$S/$X" 100; carol_t=$(mtime "$S/$X")
ok "login after relay-ctrl-allow replaced the entry" login $X bob
is "$(content "$S/$X")" "USER=bob " "a new entry with the login's records"
isnt_ino=$(cmp_ino "$(ino "$S/$X")" "$carol"); is "$isnt_ino" new "not allow's file"

# Removed entry: written again.
rm -f "$S/$X"
ok "login after the entry was removed" login $X bob
is "$(content "$S/$X")" "USER=bob " "written again"

# A second name for the receiver's file (only a hand-made link gives it
# one): that login may refresh both names once (the time is set before
# the address is looked at), then a new entry is written, and later
# logins leave the other name alone.
login $X bob; ln "$S/$X" "$S/192.0.2.10"
ok "login while the entry has a second name" login $X bob
is "$(stat -c %h "$S/$X")" 1 "a new entry (one name)"
age "$S/192.0.2.10" 2000
ok "the next login" login $X bob
is "$(( $(date +%s) - $(mtime "$S/192.0.2.10") >= 1990 ))" 1 "the other name is not refreshed"
rm -f "$S/192.0.2.10"

# relay-ctrl-age removing the entry as stale, its windows widened to
# 400 ms (build/test/relay-ctrl-age-delay: a look, 400 ms, the move
# aside, 400 ms, a second look), while the receiver refreshes it: at 0.2 s
# the file is refreshed in place before the move, at 0.6 s it is aside.
for at in 0.2 0.6; do
  login $X dave
  age "$S/$X" 3600
  RELAY_CTRL_DIR=$S RELAY_CTRL_EXPIRY=60 "$BIN/test/relay-ctrl-age-delay" &
  sleep $at
  login $X dave
  wait $!
  if [ -f "$S/$X" ] && [ $(( $(date +%s) - $(mtime "$S/$X") )) -le 5 ]; then r=present; else r=missing; fi
  is "$r" present "a login refreshed ${at}s into relay-ctrl-age's removal survives"
  is "$(content "$S/$X" 2>/dev/null)" "USER=dave " "with its records (login at ${at}s)"
  is "$(ls -A "$S" | grep -c '^\.old\.')" 0 "no .old.* file left (login at ${at}s)"
done
hasnt "$(cat "$T/udp.log")" "warning" "the receiver warned of nothing"

is "$(stat -c %a "$S/$X")" 644 "entries made with mode 0644, as by every recorder (spool from RELAY_CTRL_DIR)"
is "$(ls -A "$S" | grep -c '^\.tmp\.')" 0 "no .tmp.* file left"

# The same as an unprivileged user: before Linux 6.10 it may not link an
# unnamed file into place (no CAP_DAC_READ_SEARCH), and the temporary
# name is used; since, it may link a file it opened itself.
kill $! 2>/dev/null
P=$((P + 1))
mkspool; S=$SPOOL
env -i RELAY_CTRL_DIR="$S" TCPREMOTEIP=$X USER=carol "$BIN/relay-ctrl-allow"
env -i PATH="$PATH_T" RELAY_CTRL_DIR="$S" RELAY_CTRL_KEY="$KEY" RELAY_CTRL_BIND=127.0.0.1 RELAY_CTRL_PORT=$P \
  relay-ctrl-keyfd relay-ctrl-chdir setuidgid nobody relay-ctrl-udp 2>"$T/udp2.log" </dev/null >/dev/null &
cleanup "kill $! 2>/dev/null"
for ((i = 0; i < 150; i++)); do grep -q 'info: listening on' "$T/udp2.log" && break; sleep 0.02; done
has "$(cat "$T/udp2.log")" "info: listening on 127\.0\.0\.1 port $P" "receiver started as nobody"
Y=192.0.2.20
ok "as nobody: a new entry" login $Y erin
is "$(content "$S/$Y"):$(stat -c '%U %a' "$S/$Y")" "USER=erin :nobody 644" "with its records, nobody's, mode 0644 (spool from RELAY_CTRL_DIR_FD)"
first=$(ino "$S/$Y")
ok "as nobody: the same login again" login $Y erin
is "$(cmp_ino "$(ino "$S/$Y")" "$first")" "$(same_or_new)" "refreshed in place"
ok "as nobody: over an entry it did not write" login $X erin
is "$(content "$S/$X")" "USER=erin " "replaced"
is "$(ls -A "$S" | grep -c '^\.tmp\.')" 0 "no .tmp.* file left"
hasnt "$(cat "$T/udp2.log")" "warning" "the receiver warned of nothing"
