# Every variable a program reads is documented (issue 12, item 6): each
# program runs with a getenv() that logs the names asked for (an
# LD_PRELOAD library, so a dynamic build: test/all runs this file on
# build-glibc), in a rich environment that takes it down its usual
# paths; each name must be in its man page, or in relay-ctrl(7) or
# relay-ctrl-redis(7) when its page refers to them. PATH is execvp's.
. "$RC_TOP/test/lib.sh"
plan 16
if ! ldd "$BIN/relay-ctrl-check" >/dev/null 2>&1; then
  failed "a dynamic build to preload into" "$BIN/relay-ctrl-check is static: run this file against build-glibc (make MUSL=0 B=build-glibc)"
  exit 1
fi
LOG=$T/env.log S=$T/spool
cat >"$T/getenv.c" <<C
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
char *getenv (char const *name)
{
  static char *(*real) (char const *) ;
  int fd = open("$LOG", O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666) ;
  if (!real) real = (char *(*) (char const *))dlsym(RTLD_NEXT, "getenv") ;
  if (fd >= 0) { (void)!write(fd, name, strlen(name)) ; (void)!write(fd, "\\n", 1) ; close(fd) ; }
  return real(name) ;
}
C
cc -shared -fPIC -o "$T/getenv.so" "$T/getenv.c" -ldl
mkdir -p "$S"; printf 'USER=joe\0' >"$S/127.0.0.1"
head -c 32 /dev/urandom >"$T/key"; chmod 600 "$T/key"
E=(LD_PRELOAD="$T/getenv.so" PATH=/usr/bin:/bin TCPREMOTEIP=127.0.0.1 IP=127.0.0.1 USER=joe DOMAIN=example.org
   RELAY_CTRL_DIR="$S" RELAY_CTRL_LOG_IPS=1 RELAY_CTRL_LOG_ENV=1 RELAY_CTRL_EXPIRY=900)
R=(RELAY_CTRL_REDIS=127.0.0.1:1 RELAY_CTRL_REDIS_TIMEOUT=50)
U1=$(( 20000 + RANDOM % 5000 )) U2=$(( 25000 + RANDOM % 5000 ))
# reads PROG CMD...: the names CMD's programs asked for, added to $T/PROG.
reads () {
  local prog=$1; shift
  rm -f "$LOG"
  "$@" </dev/null >/dev/null 2>&1
  sleep 0.2
  [ -f "$LOG" ] && cat "$LOG" >>"$T/$prog.reads"
}
reads chdir env -i "${E[@]}" "$BIN/relay-ctrl-chdir" /bin/true
reads allow env -i "${E[@]}" "${R[@]}" "$BIN/relay-ctrl-allow" /bin/true
reads allow env -i "${E[@]}" RELAY_CTRL_REFRESH=60 "$BIN/relay-ctrl-allow"
reads check env -i "${E[@]}" "${R[@]}" "$BIN/relay-ctrl-check" /bin/true
reads age env -i "${E[@]}" "$BIN/relay-ctrl-age"
reads list env -i "${E[@]}" "${R[@]}" "$BIN/relay-ctrl-list"
reads query env -i "${E[@]}" "${R[@]}" "$BIN/relay-ctrl-query" -u 127.0.0.1
reads revoke env -i "${E[@]}" "${R[@]}" "$BIN/relay-ctrl-revoke" 127.0.0.9
reads revoke env -i "${E[@]}" "${R[@]}" "$BIN/relay-ctrl-revoke" -u nobody
reads send env -i "${E[@]}" RELAY_CTRL_REMOTES=127.0.0.1:9 RELAY_CTRL_KEY="$T/key" RELAY_CTRL_TRIES=1 "$BIN/relay-ctrl-send" /bin/true
reads keyfd env -i "${E[@]}" RELAY_CTRL_KEY="$T/key" "$BIN/relay-ctrl-keyfd" /bin/true
reads redis-auth env -i "${E[@]}" RELAY_CTRL_REDIS_PASSWORD_FILE="$T/key" "$BIN/relay-ctrl-redis-auth" /bin/true
reads udp env -i "${E[@]}" RELAY_CTRL_KEY="$T/key" RELAY_CTRL_BIND=127.0.0.1 RELAY_CTRL_PORT=$U1 timeout 1 "$BIN/relay-ctrl-udp"
printf 'request=smtpd_access_policy\nclient_address=127.0.0.1\n\n' >"$T/policy.in"
reads policy sh -c 'exec "$@" <"$0"' "$T/policy.in" env -i "${E[@]}" "${R[@]}" "$BIN/relay-ctrl-policy"
printf '14:drac 127.0.0.1,' >"$T/map.in"
reads socketmap sh -c 'exec "$@" <"$0"' "$T/map.in" env -i "${E[@]}" "${R[@]}" "$BIN/relay-ctrl-socketmap"
reads drac env -i "${E[@]}" RELAY_CTRL_DRAC_RPCBIND=no RELAY_CTRL_DRAC_PORT=$U2 timeout 1 "$BIN/relay-ctrl-drac"
has "$(cat "$T/check.reads")" '^RELAY_CTRL_DIR_FD$' "the preloaded getenv sees what relay-ctrl-check asks for"

# The words of a page, groff escapes removed.
words () { sed 's/\\[%&]//g; s/\\-/-/g' "$TOP/man/$1"; }
for prog in age allow chdir check drac keyfd list policy query redis-auth revoke send socketmap udp; do
  page=relay-ctrl-$prog.8 missing=
  [ -s "$T/$prog.reads" ] || { failed "relay-ctrl-$prog: reads were recorded" "nothing in $T/$prog.reads"; continue; }
  for v in $(grep -v '^PATH$' "$T/$prog.reads" | sort -u); do
    words "$page" | grep -qw -- "$v" && continue
    grep -q 'relay-ctrl (7)' <(words "$page") && words relay-ctrl.7 | grep -qw -- "$v" && continue
    grep -q 'relay-ctrl-redis (7)' <(words "$page") && words relay-ctrl-redis.7 | grep -qw -- "$v" && continue
    missing="$missing $v"
  done
  is "${missing# }" "" "relay-ctrl-$prog: every variable it reads is in its man page (or the pages it refers to)"
done
# A page that is not a program's: relay-ctrl(7) is where the shared ones are.
has "$(words relay-ctrl.7)" 'RELAY_CTRL_DIR_ERRNO' "relay-ctrl(7) documents relay-ctrl-chdir's RELAY_CTRL_DIR_ERRNO"
