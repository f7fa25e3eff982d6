/* bench/mkspool DIR N STALE_AGE: fills the spool DIR with N empty
   entries named after IPv4 addresses (10.x.y.z); every other one is
   dated STALE_AGE seconds in the past, the rest now, so relay-ctrl-age
   meets the stale ones mixed with the fresh in directory order. */

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

int main (int argc, char **argv)
{
  if (argc != 4) { fprintf(stderr, "usage: mkspool dir n stale_age\n") ; return 100 ; }
  long n = atol(argv[2]), age = atol(argv[3]) ;
  int dirfd = open(argv[1], O_RDONLY | O_DIRECTORY) ;
  if (dirfd < 0 || n < 0 || n > 1L << 24) { perror("mkspool") ; return 111 ; }
  struct timespec stale[2] = { { time(0) - age, 0 }, { time(0) - age, 0 } } ;
  for (long i = 0 ; i < n ; i++)
  {
    char name[32] ;
    snprintf(name, sizeof(name), "10.%ld.%ld.%ld", (i >> 16) & 255, (i >> 8) & 255, i & 255) ;
    int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0644) ;
    if (fd < 0) { perror(name) ; return 111 ; }
    if (i % 2 && futimens(fd, stale) < 0) { perror(name) ; return 111 ; }
    close(fd) ;
  }
  return 0 ;
}
