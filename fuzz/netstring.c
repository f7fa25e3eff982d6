/* libFuzzer harness: relay-ctrl-socketmap's netstring reader
   (src/rc_netstring.c, included here so that its input buffer can be
   emptied between inputs). Input: what a socketmap client, or anyone who
   can reach the map, sends on stdin; it is given through a pipe. Checks,
   against a plain reading of the netstring rules done here: the same
   requests, byte for byte, then the same ending (end of input between
   requests, or malformed with a reason); never a timeout or a read error
   on a pipe that holds the whole input. */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "rc_netstring.c"

int LLVMFuzzerInitialize (int *, char ***) ;
int LLVMFuzzerTestOneInput (uint8_t const *, size_t) ;

static void bad (char const *what)
{
  fprintf(stderr, "fuzz/netstring: invariant broken: %s\n", what) ;
  abort() ;
}

/* The rules, read plainly: 1 a request at *pos (its data at *start,
   length *n), 0 end of input between requests, -3 malformed. */
static int expect (uint8_t const *d, size_t size, size_t *pos, size_t *start, size_t *n)
{
  size_t p = *pos, len = 0, digits = 0 ;
  if (p == size) return 0 ;
  for (;; p++)
  {
    if (p == size) return -3 ;
    if (d[p] == ':') break ;
    if (d[p] < '0' || d[p] > '9') return -3 ;
    if (digits && !len) return -3 ;
    len = 10 * len + (size_t)(d[p] - '0') ;
    if (++digits > 4 || len > RC_NETSTRING_MAX) return -3 ;
  }
  if (!digits || size - p - 1 < len + 1 || d[p + 1 + len] != ',') return -3 ;
  *start = p + 1 ;
  *n = len ;
  *pos = p + 2 + len ;
  return 1 ;
}

int LLVMFuzzerInitialize (int *argc, char ***argv)
{
  (void)argc ; (void)argv ;
  tain_now_set_stopwatch_g() ;
  return 0 ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  char req[RC_NETSTRING_MAX] ;
  size_t pos = 0 ;
  int p[2] ;
  if (size > 60000) return 0 ;  /* within one pipe's buffer */
  if (pipe(p) < 0 || (size && write(p[1], data, size) != (ssize_t)size)) bad("cannot make the pipe") ;
  close(p[1]) ;
  if (p[0] != 0)
  {
    if (dup2(p[0], 0) < 0) bad("cannot make the pipe stdin") ;
    close(p[0]) ;
  }
  inlen = inpos = 0 ;
  for (;;)
  {
    char const *why = 0 ;
    size_t len = 0, start = 0, n = 0 ;
    int r = rc_netstring_get(req, &len, 5, &why) ;
    int e = expect(data, size, &pos, &start, &n) ;
    if (r == -1 || r == -2) bad("a timeout or a read error on a full pipe") ;
    if (r != e) bad("not the ending the rules give") ;
    if (r == -3 && (!why || !*why)) bad("malformed without a reason") ;
    if (r != 1) break ;
    if (len != n || memcmp(req, data + start, n)) bad("not the request the input holds") ;
  }
  return 0 ;
}
