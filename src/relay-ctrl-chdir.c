/* relay-ctrl-chdir PROG...: opens the spool while still privileged and
   hands it down as RELAY_CTRL_DIR_FD, so the spool's parent can be
   shut to everyone else. */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <skalibs/types.h>
#include <sys/prctl.h>
#include "rc.h"

#define USAGE "relay-ctrl-chdir prog..."
#define UNSET "RELAY_CTRL_DIR_FD"

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
  char modif[sizeof(UNSET) + 1 + UINT_FMT] = UNSET "=" ;
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
    if (errno == ENOTDIR) rc_warn("no relaying will be allowed: spool ", rc_quote(q, dir), " is not a directory") ;
    else rc_warnsys("no relaying will be allowed: unable to open spool ", rc_quote(q, dir)) ;
    rc_exec(argv + 1, UNSET, sizeof(UNSET)) ;
  }
  warn_exposure(fd, rc_quote(q, dir)) ;
  fd = rc_fd_move_high(fd) ;
  size_t n = sizeof(UNSET) + uint_fmt(modif + sizeof(UNSET), (unsigned int)fd) ;
  modif[n++] = 0 ;
  rc_exec(argv + 1, modif, n) ;
}
