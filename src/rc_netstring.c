/* Netstrings on stdin ("LEN:DATA,"), as socketmap clients send them,
   each within a deadline. */

#include <errno.h>
#include <unistd.h>
#include <skalibs/tai.h>
#include <skalibs/iopause.h>
#include "rc_netstring.h"

static char in[RC_NETSTRING_MAX + 16] ;
static size_t inlen, inpos ;

/* 1 a byte, 0 end of file, -1 idle too long, -2 read error. */
static int next (char *c, tain const *deadline)
{
  while (inpos == inlen)
  {
    iopause_fd x = { .fd = 0, .events = IOPAUSE_READ } ;
    ssize_t r ;
    int p = iopause_g(&x, 1, deadline) ;
    if (p < 0) return -2 ;
    if (!p) return -1 ;
    r = read(0, in, sizeof(in)) ;
    if (r < 0) { if (errno == EINTR || errno == EAGAIN) continue ; return -2 ; }
    if (!r) return 0 ;
    inlen = (size_t)r ;
    inpos = 0 ;
  }
  *c = in[inpos++] ;
  return 1 ;
}

/* One netstring into req. 1 read, 0 the client closed between
   requests, -1 idle too long, -2 read error, -3 malformed (*why). */
int rc_netstring_get (char *req, size_t *len, unsigned int timeout, char const **why)
{
  tain deadline ;
  size_t n = 0, digits = 0 ;
  char c ;
  int r ;
  tain_now_g() ;
  tain_addsec_g(&deadline, timeout) ;
  for (;;)
  {
    r = next(&c, &deadline) ;
    if (r < 0) return r ;
    if (!r) { if (!digits) return 0 ; *why = "the connection closed within a request" ; return -3 ; }
    if (c == ':') break ;
    if (c < '0' || c > '9') { *why = "a length is not a decimal number" ; return -3 ; }
    if (digits && !n) { *why = "a length has a leading zero" ; return -3 ; }
    n = 10 * n + (size_t)(c - '0') ;
    if (++digits > 4 || n > RC_NETSTRING_MAX) { *why = "a request is longer than 1000 bytes" ; return -3 ; }
  }
  if (!digits) { *why = "a netstring has no length" ; return -3 ; }
  for (size_t i = 0 ; i < n ; i++)
  {
    r = next(req + i, &deadline) ;
    if (r < 0) return r ;
    if (!r) { *why = "the connection closed within a request" ; return -3 ; }
  }
  r = next(&c, &deadline) ;
  if (r < 0) return r ;
  if (!r || c != ',') { *why = "a netstring does not end with a comma" ; return -3 ; }
  *len = n ;
  return 1 ;
}
