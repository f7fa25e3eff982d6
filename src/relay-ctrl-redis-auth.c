/* relay-ctrl-redis-auth PROG...: opens the Redis password file named by
   RELAY_CTRL_REDIS_AUTH while still privileged and hands it down as
   RELAY_CTRL_REDIS_AUTH_FD, so the password never enters an
   environment. relay-ctrl-allow and -check close it before their PROG. */

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <skalibs/types.h>
#include <sys/prctl.h>
#include "rc.h"
#include "rc_packet.h"

#define USAGE "relay-ctrl-redis-auth prog..."
#define VAR "RELAY_CTRL_REDIS_AUTH_FD"

int main (int argc, char const *const *argv)
{
  char modif[sizeof(VAR) + 1 + UINT_FMT] = VAR ;
  char q[RC_QUOTE_MAX] ;
  char const *path ;
  struct rc_why why ;
  size_t w = sizeof(VAR) - 1 ;
  int fd ;
  prctl(PR_SET_DUMPABLE, 0) ;  /* first of all: doc/security.md */
  rc_log_name("relay-ctrl-redis-auth") ;
  if (argc < 2) rc_usage(USAGE) ;
  path = getenv("RELAY_CTRL_REDIS_AUTH") ;
  if (!path) rc_warn("not passing a Redis password: RELAY_CTRL_REDIS_AUTH is not set") ;
  else if ((fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK)) < 0)
    rc_warnsys("not passing a Redis password: unable to open ", rc_quote(q, path)) ;
  else if (!rc_key_check(fd, rc_quote(q, path), &why)) { rc_log_why(&why) ; close(fd) ; }
  else
  {
    modif[w++] = '=' ;
    w += uint_fmt(modif + w, (unsigned int)rc_fd_move_high(fd)) ;
  }
  modif[w++] = 0 ;
  rc_exec(argv + 1, modif, w) ;
}
