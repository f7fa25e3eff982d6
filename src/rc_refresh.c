/* RELAY_CTRL_REFRESH: keeps a long session's entry fresh. A child
   touches the entry every N seconds while its parent (the session, once
   relay-ctrl-allow has exec'd into it) lives and the client's connection
   is open, for RELAY_CTRL_REFRESH_MAX seconds at most; the session keeps
   its pid. A session stopped with SIGSTOP after the client left must not
   keep an address that may pass to someone else. */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <poll.h>
#include <sys/prctl.h>
#include <skalibs/types.h>
#include "rc.h"

#ifndef POLLRDHUP
#define POLLRDHUP 0x2000  /* Linux's; glibc shows it only under _GNU_SOURCE */
#endif

#define REFRESH_MAX_DEFAULT 86400

/* Keeps the client's connection (a socket or pipe on 0) only to watch
   it end. */
static int detach_fds (int keep)
{
  struct stat st ;
  int null = open("/dev/null", O_RDWR) ;
  int client = fstat(0, &st) == 0 && (S_ISSOCK(st.st_mode) || S_ISFIFO(st.st_mode)) ? fcntl(0, F_DUPFD_CLOEXEC, 3) : -1 ;
  if (null >= 0) { dup2(null, 0) ; dup2(null, 1) ; }
  for (int fd = 3 ; fd < 1024 ; fd++) if (fd != keep && fd != client) close(fd) ;
  return client ;
}

/* Waits a period; 0 if the client's connection ended meanwhile. */
static int client_waits (int client, unsigned int every)
{
  struct pollfd x = { .fd = client, .events = POLLRDHUP } ;
  int r ;
  if (client < 0) { sleep(every) ; return 1 ; }
  r = poll(&x, 1, (int)(every > 2000000 ? 2000000000 : every * 1000)) ;
  if (r > 0 && x.revents & (POLLRDHUP | POLLHUP | POLLERR)) return 0 ;
  if (r > 0) sleep(every) ;  /* POLLNVAL, or anything else: just wait */
  return 1 ;
}

static void refresh_loop (int dirfd, char const *addr, unsigned int every, pid_t session, int client, unsigned int max)
{
  struct timespec start, now ;
  clock_gettime(CLOCK_MONOTONIC, &start) ;
  for (;;)
  {
    if (!client_waits(client, every))
    {
      if (getppid() == session) rc_info("stopped refreshing ", addr, ": the client's connection ended") ;
      _exit(0) ;
    }
    if (getppid() != session) _exit(0) ;
    clock_gettime(CLOCK_MONOTONIC, &now) ;
    if (now.tv_sec - start.tv_sec > (time_t)max)
    {
      rc_info("stopped refreshing ", addr, ": RELAY_CTRL_REFRESH_MAX reached") ;
      _exit(0) ;
    }
    if (utimensat(dirfd, addr, 0, AT_SYMLINK_NOFOLLOW) == 0) continue ;
    if (errno == ENOENT) rc_info("stopped refreshing ", addr, ": its entry was removed") ;
    else rc_warnsys("stopped refreshing ", addr) ;
    _exit(0) ;
  }
}

void rc_refresh_start (int dirfd, char const *addr, unsigned int expiry)
{
  char const *s = getenv("RELAY_CTRL_REFRESH") ;
  char q[RC_QUOTE_MAX] ;
  unsigned int every, max = REFRESH_MAX_DEFAULT ;
  pid_t session = getpid(), pid ;
  int client ;
  if (!s) return ;
  if (!uint0_scan(s, &every) || !every)
  {
    if (*s && !(s[0] == '0' && !s[1]))
      rc_warn("not refreshing ", addr, ": RELAY_CTRL_REFRESH=", rc_quote(q, s), " is not a number of seconds") ;
    return ;
  }
  s = getenv("RELAY_CTRL_REFRESH_MAX") ;
  if (s && (!uint0_scan(s, &max) || !max))
  {
    rc_warn("RELAY_CTRL_REFRESH_MAX=", rc_quote(q, s), " is not a positive number of seconds, using 86400") ;
    max = REFRESH_MAX_DEFAULT ;
  }
  s = getenv("RELAY_CTRL_REFRESH") ;
  if (every >= expiry)
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
  client = detach_fds(dirfd) ;
  refresh_loop(dirfd, addr, every, session, client, max) ;
}
