/* bench/spawn [-n N] [-r ROUNDS] -- LABEL [VAR=value...] PROG [ARG...] -- ...
   Runs each command N times per round, interleaved run by run (A B C A
   B C ...), for ROUNDS rounds: fork, execve (no PATH search, only the
   given VAR=value environment), waitpid. Per round, each command's time
   is divided by the first command's time from the same round; prints,
   per command, the median, lowest and highest of those ratios and the
   median time per run. Side by side in one run, because machines are
   noisy. Exits 1 if any run did not exit 0. */

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#define MAXCMD 32
#define MAXROUNDS 101

struct cmd { char const *label ; char **env ; char **argv ; double t[MAXROUNDS] ; } ;

static FILE *err ;  /* the caller's stderr: the children's goes to /dev/null */

static double now (void)
{
  struct timespec ts ;
  clock_gettime(CLOCK_MONOTONIC, &ts) ;
  return ts.tv_sec + ts.tv_nsec / 1e9 ;
}

static int cmpd (void const *a, void const *b)
{
  double x = *(double const *)a, y = *(double const *)b ;
  return x < y ? -1 : x > y ;
}

static double median (double *v, int n)
{
  qsort(v, n, sizeof(double), &cmpd) ;
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2 ;
}

static double run1 (struct cmd const *c)
{
  int status ;
  double t0 = now() ;
  pid_t pid = fork() ;
  if (pid < 0) { fprintf(err, "spawn: unable to fork\n") ; exit(111) ; }
  if (!pid)
  {
    execve(c->argv[0], c->argv, c->env) ;
    _exit(127) ;
  }
  if (waitpid(pid, &status, 0) < 0) { fprintf(err, "spawn: unable to wait\n") ; exit(111) ; }
  t0 = now() - t0 ;
  if (!WIFEXITED(status) || WEXITSTATUS(status))
  {
    fprintf(err, "spawn: %s: %s %d\n", c->label, WIFEXITED(status) ? "exit" : "signal", WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status)) ;
    exit(1) ;
  }
  return t0 ;
}

int main (int argc, char **argv)
{
  static struct cmd cmds[MAXCMD] ;
  int n = 1000, rounds = 5, ncmd = 0, i = 1, fd ;
  while (i < argc && strcmp(argv[i], "--"))
  {
    if (!strcmp(argv[i], "-n") && i + 1 < argc) n = atoi(argv[++i]) ;
    else if (!strcmp(argv[i], "-r") && i + 1 < argc) rounds = atoi(argv[++i]) ;
    else { fprintf(stderr, "usage: spawn [-n N] [-r ROUNDS] -- label [VAR=value...] prog [arg...] -- ...\n") ; return 100 ; }
    i++ ;
  }
  if (n < 1 || rounds < 1 || rounds > MAXROUNDS) { fprintf(stderr, "spawn: bad -n or -r\n") ; return 100 ; }
  while (i < argc)
  {
    struct cmd *c = &cmds[ncmd] ;
    int e = 0, a = 0 ;
    i++ ;  /* the "--" */
    if (i >= argc || ncmd == MAXCMD) { fprintf(stderr, "spawn: empty command or too many\n") ; return 100 ; }
    c->label = argv[i++] ;
    c->env = calloc(argc, sizeof(char *)) ;
    c->argv = calloc(argc, sizeof(char *)) ;
    if (!c->env || !c->argv) return 111 ;
    for (; i < argc && strcmp(argv[i], "--") && strchr(argv[i], '=') ; i++) c->env[e++] = argv[i] ;
    for (; i < argc && strcmp(argv[i], "--") ; i++) c->argv[a++] = argv[i] ;
    if (!a) { fprintf(stderr, "spawn: %s: no program\n", c->label) ; return 100 ; }
    ncmd++ ;
  }
  if (!ncmd) { fprintf(stderr, "spawn: no command\n") ; return 100 ; }

  fd = open("/dev/null", O_RDWR) ;
  if (fd < 0) { perror("spawn: /dev/null") ; return 111 ; }
  fflush(stdout) ;
  FILE *o = fdopen(fcntl(1, F_DUPFD_CLOEXEC, 3), "w") ;
  err = fdopen(fcntl(2, F_DUPFD_CLOEXEC, 3), "w") ;
  if (!o || !err) return 111 ;
  setvbuf(o, 0, _IOLBF, 0) ;
  setvbuf(err, 0, _IONBF, 0) ;
  dup2(fd, 0) ; dup2(fd, 1) ; dup2(fd, 2) ;
  if (fd > 2) close(fd) ;

  for (int k = 0 ; k < ncmd ; k++) run1(&cmds[k]) ;  /* warm caches */
  for (int r = 0 ; r < rounds ; r++)
  {
    for (int k = 0 ; k < ncmd ; k++) cmds[k].t[r] = 0 ;
    for (int m = 0 ; m < n ; m++)
      for (int k = 0 ; k < ncmd ; k++)
      {
        /* rotate the order so no command always follows the same one */
        struct cmd *c = &cmds[(k + m) % ncmd] ;
        c->t[r] += run1(c) ;
      }
  }

  fprintf(o, "%-28s %9s %8s %8s %10s\n", "command", "ratio", "min", "max", "us/run") ;
  for (int k = 0 ; k < ncmd ; k++)
  {
    double ratio[MAXROUNDS], us[MAXROUNDS], lo = 1e9, hi = 0 ;
    for (int r = 0 ; r < rounds ; r++)
    {
      ratio[r] = cmds[k].t[r] / cmds[0].t[r] ;
      us[r] = cmds[k].t[r] / n * 1e6 ;
      if (ratio[r] < lo) lo = ratio[r] ;
      if (ratio[r] > hi) hi = ratio[r] ;
    }
    fprintf(o, "%-28s %9.3f %8.3f %8.3f %10.1f\n", cmds[k].label, median(ratio, rounds), lo, hi, median(us, rounds)) ;
  }
  return 0 ;
}
