/* Settings read from the environment. */

#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <skalibs/types.h>
#include "rc.h"

unsigned int rc_expiry (void)
{
  char const *s = getenv("RELAY_CTRL_EXPIRY") ;
  unsigned int n ;
  if (!s) return RC_EXPIRY_DEFAULT ;
  if (uint0_scan(s, &n) && n) return n ;
  char q[RC_QUOTE_MAX] ;
  rc_warn("RELAY_CTRL_EXPIRY=", rc_quote(q, s), " is not a positive number of seconds, using 900") ;
  return RC_EXPIRY_DEFAULT ;
}

/* The next program must not reach the spool: closes the inherited fd,
   if any, and writes the modification that unsets its variable. */
size_t rc_spool_hide (char *modif)
{
  char const *s = getenv("RELAY_CTRL_DIR_FD") ;
  unsigned int n ;
  if (!s) return 0 ;
  if (uint0_scan(s, &n) && n > 2 && n <= 1U << 30) close((int)n) ;
  memcpy(modif, "RELAY_CTRL_DIR_FD", 18) ;
  return 18 ;
}

/* The spool directory: the fd left by relay-ctrl-chdir if there is one
   (not checked here: the first openat in it reports a bad one), else
   RELAY_CTRL_DIR. *inherited tells which. On failure, -1 and one line:
   "<not_done><addr>: <why>". */
int rc_spool_open (int *inherited, char const *not_done, char const *addr)
{
  char q[RC_QUOTE_MAX] ;
  char const *s = getenv("RELAY_CTRL_DIR_FD") ;
  int fd ;
  *inherited = !!s ;
  if (s)
  {
    unsigned int n ;
    if (uint0_scan(s, &n) && n <= 1U << 30) return (int)n ;
    rc_warn(not_done, addr, ": RELAY_CTRL_DIR_FD=", rc_quote(q, s), " is not a file descriptor") ;
    return -1 ;
  }
  s = getenv("RELAY_CTRL_DIR") ;
  if (!s)
  {
    rc_warn(not_done, addr, ": neither RELAY_CTRL_DIR_FD nor RELAY_CTRL_DIR is set") ;
    return -1 ;
  }
  /* relay-ctrl-chdir, as root, could not open it: say why it could not
     (a typo in RELAY_CTRL_DIR is ENOENT), not why we cannot. */
  char const *e = getenv("RELAY_CTRL_DIR_ERRNO") ;
  unsigned int n ;
  if (e && uint0_scan(e, &n) && n && n < 4096)
  {
    errno = (int)n ;
    rc_warnsys(not_done, addr, ": relay-ctrl-chdir was unable to open spool ", rc_quote(q, s)) ;
    return -1 ;
  }
  fd = openat(AT_FDCWD, s, O_RDONLY | O_DIRECTORY | O_CLOEXEC) ;
  if (fd < 0) rc_warnsys(not_done, addr, ": unable to open spool ", rc_quote(q, s)) ;
  return fd ;
}
