/* bench/udpflood HOST PORT FILE WINDOW: sends the datagrams in FILE
   (each a 2-byte big-endian length, then the bytes; bench/udpblast.py
   --dump writes them) to a UDP receiver on HOST PORT, keeping up to
   WINDOW unanswered at a time, and counts the answers (an answer: a
   1-byte datagram, relay-ctrl 3.2's, or one whose second byte is 2,
   a signed response). Prints what udpblast.py prints:
   sent answered seconds rate rate-after-4096. Gives up 1 s after the
   last answer. A C sender: Python's tops out near 60,000 a second. */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64

static double now (void)
{
  struct timespec ts ;
  clock_gettime(CLOCK_MONOTONIC, &ts) ;
  return ts.tv_sec + ts.tv_nsec / 1e9 ;
}

int main (int argc, char **argv)
{
  if (argc != 5) { fprintf(stderr, "usage: udpflood host port file window\n") ; return 100 ; }
  long window = atol(argv[4]) ;
  int f = open(argv[3], O_RDONLY) ;
  struct stat st ;
  if (f < 0 || fstat(f, &st) < 0) { perror(argv[3]) ; return 111 ; }
  unsigned char *data = malloc(st.st_size + 1) ;
  if (!data || read(f, data, st.st_size) != st.st_size) { perror(argv[3]) ; return 111 ; }
  size_t n = 0, cap = 1024 ;
  struct iovec *pk = malloc(cap * sizeof *pk) ;
  for (off_t pos = 0 ; pos + 2 <= st.st_size ;)
  {
    size_t len = (size_t)data[pos] << 8 | data[pos + 1] ;
    if (n == cap) pk = realloc(pk, (cap *= 2) * sizeof *pk) ;
    pk[n].iov_base = data + pos + 2 ;
    pk[n++].iov_len = len ;
    pos += 2 + len ;
  }
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[2])) } ;
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0) ;
  if (s < 0 || inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1 || connect(s, (struct sockaddr *)&sa, sizeof sa) < 0)
  { perror("socket") ; return 111 ; }
  int big = 4 << 20 ;
  setsockopt(s, SOL_SOCKET, SO_RCVBUF, &big, sizeof big) ;
  setsockopt(s, SOL_SOCKET, SO_SNDBUF, &big, sizeof big) ;
  static char rbuf[BATCH][600] ;
  struct mmsghdr out[BATCH], in[BATCH] ;
  struct iovec riov[BATCH] ;
  size_t sent = 0, got = 0 ;
  double start = now(), last = start, mark = 0 ;
  while (got < n)
  {
    while (sent < n && (long)(sent - got) < window)
    {
      unsigned int k = 0 ;
      while (k < BATCH && sent + k < n && (long)(sent + k - got) < window)
      {
        memset(&out[k], 0, sizeof out[k]) ;
        out[k].msg_hdr.msg_iov = &pk[sent + k] ;
        out[k].msg_hdr.msg_iovlen = 1 ;
        k++ ;
      }
      int r = sendmmsg(s, out, k, 0) ;
      if (r <= 0) break ;
      sent += r ;
    }
    struct pollfd p = { .fd = s, .events = POLLIN } ;
    int pr = poll(&p, 1, 1000) ;
    if (pr <= 0)
    {
      if (sent == n || now() - last > 1.0) break ;
      got = sent ;  /* lost ones: open the window again */
      continue ;
    }
    for (;;)
    {
      for (int i = 0 ; i < BATCH ; i++)
      {
        riov[i].iov_base = rbuf[i] ; riov[i].iov_len = sizeof rbuf[i] ;
        memset(&in[i], 0, sizeof in[i]) ;
        in[i].msg_hdr.msg_iov = &riov[i] ; in[i].msg_hdr.msg_iovlen = 1 ;
      }
      int r = recvmmsg(s, in, BATCH, MSG_DONTWAIT, 0) ;
      if (r <= 0) break ;
      for (int i = 0 ; i < r ; i++)
        if (in[i].msg_len == 1 || (in[i].msg_len > 2 && rbuf[i][1] == 2))
          if (++got == 4096) mark = now() ;
    }
    last = now() ;
  }
  double end = last ;
  double rate2 = mark && got > 4096 ? (got - 4096) / (end - mark) : 0 ;
  printf("%zu %zu %.3f %.0f %.0f\n", sent, got, end - start, got / (end - start), rate2) ;
  return 0 ;
}
