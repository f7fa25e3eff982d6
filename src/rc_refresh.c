/* RELAY_CTRL_REFRESH: keeps a long session's entry fresh. A child
   touches the entry every N seconds while its parent (the session, once
   relay-ctrl-allow has exec'd into it) lives; the session keeps its pid. */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <skalibs/types.h>
#include "rc.h"

static void detach_fds (int keep)
{
  int null = open("/dev/null", O_RDWR) ;
  if (null >= 0) { dup2(null, 0) ; dup2(null, 1) ; }
  for (int fd = 3 ; fd < 1024 ; fd++) if (fd != keep) close(fd) ;
}

static void refresh_loop (int dirfd, char const *addr, unsigned int every, pid_t session)
{
  for (;;)
  {
    sleep(every) ;
    if (getppid() != session) _exit(0) ;
    if (utimensat(dirfd, addr, 0, AT_SYMLINK_NOFOLLOW) == 0) continue ;
    if (errno == ENOENT) rc_info("stopped refreshing ", addr, ": its entry was removed") ;
    else rc_warnsys("stopped refreshing ", addr) ;
    _exit(0) ;
  }
}

void rc_refresh_start (int dirfd, char const *addr)
{
  char const *s = getenv("RELAY_CTRL_REFRESH") ;
  char q[RC_QUOTE_MAX] ;
  unsigned int every ;
  pid_t session = getpid(), pid ;
  if (!s) return ;
  if (!uint0_scan(s, &every) || !every)
  {
    if (*s && !(s[0] == '0' && !s[1]))
      rc_warn("not refreshing ", addr, ": RELAY_CTRL_REFRESH=", rc_quote(q, s), " is not a number of seconds") ;
    return ;
  }
  if (every >= rc_expiry())
    rc_warn("RELAY_CTRL_REFRESH=", s, " is not shorter than the expiry: ", addr, " may expire between refreshes") ;
  rc_log_pid() ;
  pid = fork() ;
  if (pid < 0) { rc_warnsys("not refreshing ", addr, ": unable to fork") ; return ; }
  if (pid) return ;
  /* The kernel ends us when the session ends; getppid covers the race. */
  prctl(PR_SET_PDEATHSIG, SIGTERM) ;
  /* The mail user's other processes must not borrow our spool fd. */
  prctl(PR_SET_DUMPABLE, 0) ;
  if (getppid() != session) _exit(0) ;
  detach_fds(dirfd) ;
  refresh_loop(dirfd, addr, every, session) ;
}
