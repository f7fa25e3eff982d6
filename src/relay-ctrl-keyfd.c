/* relay-ctrl-keyfd PROG...: opens the relay-ctrl key files while still
   privileged and hands them down as RELAY_CTRL_KEY_FD (and
   RELAY_CTRL_KEY_OLD_FD), so relay-ctrl-send can sign after the login
   has dropped privileges, and the key never enters the environment. */

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <skalibs/types.h>
#include <sys/prctl.h>
#include "rc.h"
#include "rc_packet.h"

#define USAGE "relay-ctrl-keyfd prog..."

static size_t pass (char *modif, size_t w, char const *var)
{
  char q[RC_QUOTE_MAX] ;
  char const *path = getenv(var) ;
  struct rc_why why ;
  size_t n = strlen(var) ;
  int fd ;
  memcpy(modif + w, var, n) ;
  memcpy(modif + w + n, "_FD", 3) ;
  w += n + 3 ;
  if (!path) goto unset ;
  fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK) ;
  if (fd < 0)
  {
    rc_warnsys("not passing key ", rc_quote(q, path), ": unable to open it") ;
    goto unset ;
  }
  if (!rc_key_check(fd, rc_quote(q, path), &why)) { rc_log_why(&why) ; close(fd) ; goto unset ; }
  fd = rc_fd_move_high(fd) ;
  modif[w++] = '=' ;
  w += uint_fmt(modif + w, (unsigned int)fd) ;
 unset:
  modif[w++] = 0 ;
  return w ;
}

int main (int argc, char const *const *argv)
{
  char modif[64 + 2 * UINT_FMT] ;
  size_t w ;
  prctl(PR_SET_DUMPABLE, 0) ;  /* first of all: doc/security.md */
  rc_log_name("relay-ctrl-keyfd") ;
  if (argc < 2) rc_usage(USAGE) ;
  w = pass(modif, 0, "RELAY_CTRL_KEY") ;
  w = pass(modif, w, "RELAY_CTRL_KEY_OLD") ;
  rc_exec(argv + 1, modif, w) ;
}
