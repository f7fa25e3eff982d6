/* Some servers close low descriptors: park a descriptor that must
   survive the chain near the top of the table. */

#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <skalibs/djbunix.h>
#include "rc.h"

int rc_fd_move_high (int fd)
{
  struct rlimit r ;
  int top = 1024 ;
  if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < (rlim_t)top) top = (int)r.rlim_cur ;
  for (int i = top - 1 ; i > fd ; i--)
    if (fcntl(i, F_GETFD) < 0 && errno == EBADF)
      return fd_move(i, fd) < 0 ? fd : i ;
  return fd ;
}
