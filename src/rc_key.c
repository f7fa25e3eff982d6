/* Shared keys, read from a file or from a descriptor opened by
   relay-ctrl-keyfd; never from the environment. */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <skalibs/types.h>
#include <skalibs/djbunix.h>
#include "rc.h"
#include "rc_packet.h"

static char const *fdvar (char *buf, char const *var)
{
  size_t n = strlen(var) ;
  memcpy(buf, var, n) ;
  memcpy(buf + n, "_FD", 4) ;
  return buf ;
}

/* Whether var (RELAY_CTRL_KEY or RELAY_CTRL_KEY_OLD) or var_FD is set. */
int rc_key_configured (char const *var)
{
  char name[32] ;
  return getenv(var) || getenv(fdvar(name, var)) ;
}

/* A key file must be a regular file that only root (or whoever runs us)
   owns and can use. 1 if it is; 0 if not, w says why. */
int rc_key_check (int fd, char const *what, struct rc_why *w)
{
  struct stat st ;
  char fmt[UINT_OFMT] ;
  if (fstat(fd, &st) < 0) { rc_why_set(w, 111, errno, "unable to stat key ", what) ; return 0 ; }
  if (!S_ISREG(st.st_mode)) { rc_why_set(w, 100, 0, "key ", what, " is not a regular file") ; return 0 ; }
  if (st.st_uid && st.st_uid != geteuid())
  {
    char uid[UINT_FMT] ;
    uid[uint_fmt(uid, (unsigned int)st.st_uid)] = 0 ;
    rc_why_set(w, 100, 0, "refusing key ", what, ": it belongs to uid ", uid, ", not to root: chown root it") ;
    return 0 ;
  }
  if (st.st_mode & 077)
  {
    fmt[uint_ofmt(fmt, (unsigned int)st.st_mode & 07777)] = 0 ;
    rc_why_set(w, 100, 0, "refusing key ", what, ": it is accessible to group or others (mode 0", fmt, "): chmod 600 it") ;
    return 0 ;
  }
  return 1 ;
}

/* pread: the descriptor's offset is shared with every other process
   that inherited it. 1 loaded, 0 not configured, -1 unusable (w says
   why). */
int rc_key_load (rc_key *k, char const *var, struct rc_why *w)
{
  char name[32] ;
  char q[RC_QUOTE_MAX] ;
  char const *s ;
  char const *what ;
  ssize_t r ;
  int fd ;
  int have = rc_env_fd(fdvar(name, var), &fd, &s) ;
  if (have < 0) return rc_why_set(w, 100, 0, name, "=", rc_quote(q, s), " is not a file descriptor") ;
  if (have) what = name ;
  else
  {
    s = getenv(var) ;
    if (!s) return 0 ;
    what = rc_quote(q, s) ;
    fd = open(s, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC) ;
    if (fd < 0) return rc_why_set(w, 111, errno, "unable to open key ", what) ;
  }
  if (!rc_key_check(fd, what, w)) goto err ;
  r = pread(fd, k->key, RC_KEY_MAX, 0) ;
  if (r < 0) { rc_why_set(w, 111, errno, "unable to read key ", what) ; goto err ; }
  if ((size_t)r < RC_KEY_MIN)
  {
    rc_why_set(w, 100, 0, "key ", what, " is too short: it needs at least 16 bytes, e.g. head -c 32 /dev/urandom") ;
    goto err ;
  }
  k->len = (size_t)r ;
  if (!getenv(name)) close(fd) ;
  return 1 ;
 err:
  if (!getenv(name)) close(fd) ;
  return -1 ;
}
