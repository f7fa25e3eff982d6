/* Postfix's policy delegation protocol: requests of name=value lines
   ended by an empty line, on stdin, within deadlines. */

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <skalibs/buffer.h>
#include <skalibs/tai.h>
#include <skalibs/unix-timed.h>
#include "rc.h"
#include "rc_policy.h"

#define LINE_MAX_LEN 2048  /* 2047 bytes and the newline */

static void malformed (struct rc_policy_request *r, char const *why)
{
  if (!r->bad) r->bad = why ;
}

static void attribute (struct rc_policy_request *r, char *line, size_t len)
{
  char const *eq = memchr(line, '=', len) ;
  size_t vlen ;
  if (++r->attrs > RC_POLICY_ATTR_MAX) { malformed(r, "more than 100 attributes") ; return ; }
  if (!eq || eq == line) { malformed(r, "a line is not name=value") ; return ; }
  vlen = len - (size_t)(eq + 1 - line) ;
  if (eq - line == 7 && !memcmp(line, "request", 7))
  {
    if (vlen != 19 || memcmp(eq + 1, "smtpd_access_policy", 19)) malformed(r, "request is not smtpd_access_policy") ;
    r->has_request = 1 ;
  }
  else if (eq - line == 14 && !memcmp(line, "client_address", 14))
  {
    if (r->has_client) { malformed(r, "client_address given twice") ; return ; }
    r->has_client = 1 ;
    if (vlen >= sizeof(r->client)) { malformed(r, "client_address is too long") ; return ; }
    memcpy(r->client, eq + 1, vlen) ;
    r->client[vlen] = 0 ;
    r->clientlen = vlen ;
  }
}

/* A line within the deadline, as getlnmax; at the deadline -2 (idle
   between requests) or -3 (within one). */
static int getline_by (char *line, size_t *w, tain const *deadline, int idle_wait)
{
  ssize_t g = timed_getlnmax_g(buffer_0, line, LINE_MAX_LEN + 2, w, '\n', deadline) ;
  if (g < 0 && errno == ETIMEDOUT) return idle_wait ? -2 : -3 ;
  return (int)g ;
}

/* As rc_policy.h says. */
int rc_policy_get (struct rc_policy_request *r, unsigned int idle, unsigned int timeout)
{
  char line[LINE_MAX_LEN + 2] ;  /* room for CR LF, and for getlnmax to see the end */
  unsigned int lines = 0 ;
  tain deadline ;
  memset(r, 0, sizeof(*r)) ;
  tain_now_g() ;
  tain_addsec_g(&deadline, (int)idle) ;
  for (;;)
  {
    size_t w = 0 ;
    int g = getline_by(line, &w, &deadline, !lines && !w) ;
    if (g < -1) return g ;
    if (!lines) tain_addsec_g(&deadline, (int)timeout) ;
    if (g < 0 && errno == ERANGE)
    {
      malformed(r, "a line is longer than 2047 bytes") ;
      lines++ ;
      do { w = 0 ; g = getline_by(line, &w, &deadline, 0) ; }
      while (g == -1 && errno == ERANGE) ;
      if (g > 0) continue ;
      if (g < -1) return g ;
    }
    if (g < 0) return -4 ;
    if (!g) return lines || w ? -1 : 0 ;
    w-- ;
    if (w && line[w - 1] == '\r') w-- ;
    if (!w) return 1 ;
    if (w >= LINE_MAX_LEN) { malformed(r, "a line is longer than 2047 bytes") ; lines++ ; continue ; }
    lines++ ;
    attribute(r, line, w) ;
  }
}
