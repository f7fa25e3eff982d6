/* relay-ctrl-chdir PROG...: opens the spool while still privileged and
   hands it down as RELAY_CTRL_DIR_FD, so the spool's parent can be
   shut to everyone else. */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <skalibs/types.h>
#include <sys/prctl.h>
#include "rc.h"

#define USAGE "relay-ctrl-chdir prog..."
#define UNSET "RELAY_CTRL_DIR_FD"
#define ERRNO "RELAY_CTRL_DIR_ERRNO"

static void warn_exposure (int fd, char const *dir)
{
  switch (rc_spool_exposure(fd))
  {
    case 2 :
      rc_warn("spool ", dir, " is writable by other local users through its path, so any of them can grant relaying: make its parent directory mode 0700") ;
      break ;
    case 1 :
      rc_warn("spool ", dir, " is readable by other local users through its path, so they see who logged in from where: make its parent directory mode 0700") ;
      break ;
    case -1 :
      rc_warnsys("unable to check who can reach spool ", dir) ;
      break ;
  }
}

int main (int argc, char const *const *argv)
{
  char modif[sizeof(UNSET) + 1 + UINT_FMT + sizeof(ERRNO)] = UNSET "=" ;
  char q[RC_QUOTE_MAX] ;
  char const *dir ;
  int fd ;
  prctl(PR_SET_DUMPABLE, 0) ;  /* first of all: doc/security.md */
  rc_log_name("relay-ctrl-chdir") ;
  if (argc < 2) rc_usage(USAGE) ;
  dir = getenv("RELAY_CTRL_DIR") ;
  if (!dir)
  {
    rc_warn("no relaying will be allowed: RELAY_CTRL_DIR is not set") ;
    rc_exec(argv + 1, UNSET, sizeof(UNSET)) ;
  }
  fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOCTTY) ;
  if (fd < 0)
  {
    /* Tell the programs below why, or (as the mail user, under the
       0700 parent) they would only see "Permission denied". */
    char err[sizeof(UNSET) + sizeof(ERRNO) + 1 + UINT_FMT] = UNSET "\0" ERRNO "=" ;
    int e = errno ;
    size_t m = sizeof(UNSET) + sizeof(ERRNO) ;
    if (e == ENOTDIR) rc_warn("no relaying will be allowed: spool ", rc_quote(q, dir), " is not a directory") ;
    else rc_warnsys("no relaying will be allowed: unable to open spool ", rc_quote(q, dir)) ;
    m += uint_fmt(err + m, (unsigned int)e) ;
    err[m++] = 0 ;
    rc_exec(argv + 1, err, m) ;
  }
  warn_exposure(fd, rc_quote(q, dir)) ;
  fd = rc_fd_move_high(fd) ;
  size_t n = sizeof(UNSET) + uint_fmt(modif + sizeof(UNSET), (unsigned int)fd) ;
  modif[n++] = 0 ;
  memcpy(modif + n, ERRNO, sizeof(ERRNO)) ;
  rc_exec(argv + 1, modif, n + sizeof(ERRNO)) ;
}
