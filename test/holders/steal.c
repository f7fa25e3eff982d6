/* steal PID [NAME]: what a process of PID's user can take from it. Tries every
   descriptor through /proc/PID/fd/N and pidfd_getfd(2), its memory
   through /proc/PID/mem, and ptrace(2) attach. One line per success:
   "proc N PATH", "getfd N PATH", "mem", "ptrace"; "nothing" if none.
   With NAME, creates NAME through each directory it got ("wrote N"),
   as an attacker granting relaying would.
   Built by test/t/holders.t. */

#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>

static int got ;
static char const *name ;

static void show (char const *how, int n, int fd)
{
  char link[64], target[4096] ;
  ssize_t r ;
  snprintf(link, sizeof(link), "/proc/self/fd/%d", fd) ;
  r = readlink(link, target, sizeof(target) - 1) ;
  target[r < 0 ? 0 : r] = 0 ;
  printf("%s %d %s\n", how, n, target) ;
  if (name)
  {
    int f = openat(fd, name, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644) ;
    if (f >= 0) { printf("wrote %d\n", n) ; close(f) ; }
  }
  close(fd) ;
  got++ ;
}

int main (int argc, char **argv)
{
  char path[64] ;
  int pid, pidfd, fd ;
  if (argc < 2 || argc > 3) { fprintf(stderr, "usage: steal pid [name]\n") ; return 100 ; }
  pid = atoi(argv[1]) ;
  name = argv[2] ;
  for (int n = 0 ; n < 1024 ; n++)
  {
    snprintf(path, sizeof(path), "/proc/%d/fd/%d", pid, n) ;
    fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC) ;
    if (fd >= 0) show("proc", n, fd) ;
  }
  pidfd = (int)syscall(SYS_pidfd_open, pid, 0) ;
  if (pidfd < 0) perror("steal: pidfd_open") ;
  else for (int n = 0 ; n < 1024 ; n++)
  {
    fd = (int)syscall(SYS_pidfd_getfd, pidfd, n, 0) ;
    if (fd >= 0) show("getfd", n, fd) ;
  }
  snprintf(path, sizeof(path), "/proc/%d/mem", pid) ;
  fd = open(path, O_RDONLY | O_CLOEXEC) ;
  if (fd >= 0) { printf("mem\n") ; got++ ; close(fd) ; }
  if (ptrace(PTRACE_SEIZE, pid, 0, 0) == 0) { printf("ptrace\n") ; got++ ; }
  if (!got) printf("nothing\n") ;
  return 0 ;
}
