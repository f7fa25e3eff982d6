/* bench/smtpclient [-n N] [-b BLOCK] HOST PORT... : SMTP connections
   (connect, read the 220 banner, QUIT, read the 221 reply, close), one
   at a time, BLOCK to each port in turn until each port has had N.
   Prints, per port, connections per second (median over its blocks)
   and the median over blocks of the first port's block time divided by
   this port's time from the same turn. Exits 1 on any SMTP error. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#define MAXPORTS 16
#define MAXBLOCKS 1000

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

/* Reads one SMTP reply (possibly multi-line) and checks its code. */
static int reply (int fd, char const *code)
{
  char buf[4096] ;
  size_t len = 0 ;
  for (;;)
  {
    ssize_t r = read(fd, buf + len, sizeof(buf) - 1 - len) ;
    if (r <= 0) return -1 ;
    len += r ;
    buf[len] = 0 ;
    /* the last line is complete and is "CODE text" (not "CODE-text") */
    if (len >= 2 && buf[len - 1] == '\n')
    {
      char *last = buf + len - 1 ;
      while (last > buf && last[-1] != '\n') last-- ;
      if (last == buf + len - 1) continue ;
      if (strlen(last) >= 4 && last[3] != '-') return strncmp(buf, code, 3) ? -1 : 0 ;
    }
    if (len >= sizeof(buf) - 1) return -1 ;
  }
}

static char const *failure ;  /* what the last failed session failed at */
static int failure_errno ;

static int session (struct sockaddr_in const *sa)
{
  int one = 1, r = -1 ;
  int fd = socket(AF_INET, SOCK_STREAM, 0) ;
  if (fd < 0) { failure = "socket" ; failure_errno = errno ; return -1 ; }
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) ;
  if (connect(fd, (struct sockaddr const *)sa, sizeof(*sa)) < 0) failure = "connect" ;
  else if (reply(fd, "220") < 0) failure = "the 220 banner" ;
  else if (write(fd, "QUIT\r\n", 6) != 6) failure = "writing QUIT" ;
  else if (reply(fd, "221") < 0) failure = "the 221 reply" ;
  else r = 0 ;
  if (r < 0) failure_errno = errno ;
  close(fd) ;
  return r ;
}

static int failed (struct sockaddr_in const *sa)
{
  fprintf(stderr, "smtpclient: port %u: %s failed: %s\n", ntohs(sa->sin_port), failure,
    failure_errno ? strerror(failure_errno) : "unexpected reply or end of stream") ;
  return 1 ;
}

int main (int argc, char **argv)
{
  static double t[MAXPORTS][MAXBLOCKS] ;
  struct sockaddr_in sa[MAXPORTS] ;
  int n = 2000, block = 100, nports = 0, i = 1 ;
  for (; i + 1 < argc && argv[i][0] == '-' ; i += 2)
  {
    if (!strcmp(argv[i], "-n")) n = atoi(argv[i + 1]) ;
    else if (!strcmp(argv[i], "-b")) block = atoi(argv[i + 1]) ;
    else break ;
  }
  if (argc - i < 2 || argc - i - 1 > MAXPORTS || block < 1 || n < block || n / block > MAXBLOCKS)
  {
    fprintf(stderr, "usage: smtpclient [-n N] [-b BLOCK] host port...\n") ;
    return 100 ;
  }
  for (int k = i + 1 ; k < argc ; k++, nports++)
  {
    memset(&sa[nports], 0, sizeof(sa[nports])) ;
    sa[nports].sin_family = AF_INET ;
    sa[nports].sin_port = htons(atoi(argv[k])) ;
    if (inet_pton(AF_INET, argv[i], &sa[nports].sin_addr) != 1) { fprintf(stderr, "smtpclient: bad host\n") ; return 100 ; }
    /* the servers may still be starting: up to 5 s for the first session */
    for (int tries = 0 ; ; tries++)
    {
      errno = 0 ;
      if (session(&sa[nports]) == 0) break ;
      if (tries == 50) return failed(&sa[nports]) ;
      usleep(100000) ;
    }
  }
  int blocks = n / block ;
  for (int b = 0 ; b < blocks ; b++)
    for (int k = 0 ; k < nports ; k++)
    {
      int p = (k + b) % nports ;  /* rotate the order */
      double t0 = now() ;
      for (int m = 0 ; m < block ; m++)
      {
        errno = 0 ;
        if (session(&sa[p]) < 0) return failed(&sa[p]) ;
      }
      t[p][b] = now() - t0 ;
    }
  printf("%-8s %10s %9s\n", "port", "conn/s", "ratio") ;
  for (int k = 0 ; k < nports ; k++)
  {
    double rate[MAXBLOCKS], ratio[MAXBLOCKS] ;
    for (int b = 0 ; b < blocks ; b++) { rate[b] = block / t[k][b] ; ratio[b] = t[k][b] / t[0][b] ; }
    printf("%-8s %10.0f %9.3f\n", argv[i + 1 + k], median(rate, blocks), median(ratio, blocks)) ;
  }
  return 0 ;
}
