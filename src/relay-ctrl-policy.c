/* relay-ctrl-policy: a Postfix SMTPD access policy delegation server.
   Reads requests on stdin, answers on stdout, many per connection:
   action=OK (RELAY_CTRL_POLICY_ALLOW) when client_address logged in
   within the expiry time, action=DUNNO otherwise, and for anything it
   cannot read. */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <skalibs/types.h>
#include <skalibs/buffer.h>
#include <skalibs/skamisc.h>
#include <sys/prctl.h>
#include "rc_ops.h"

#define USAGE "relay-ctrl-policy"
#define NOT_DONE "not relaying for "
#define LINE_MAX_LEN 2048
#define ATTR_MAX 100
#define ALLOW_MAX 256

struct request
{
  char client[RC_INPUT_MAX] ;
  size_t clientlen ;
  int has_client, has_request ;
  unsigned int attrs ;
  char const *bad ;
} ;

static char const *allow = "OK" ;
static unsigned int expiry ;
static int dirfd = -1, logips ;

static void malformed (struct request *r, char const *why)
{
  if (!r->bad) r->bad = why ;
}

static void attribute (struct request *r, char *line, size_t len)
{
  char const *eq = memchr(line, '=', len) ;
  size_t vlen ;
  if (++r->attrs > ATTR_MAX) { malformed(r, "more than 100 attributes") ; return ; }
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

/* 1: a request, ended by an empty line. 0: the client closed the
   connection between requests. -1: it closed it within one. */
static int get_request (struct request *r)
{
  char line[LINE_MAX_LEN] ;
  unsigned int lines = 0 ;
  memset(r, 0, sizeof(*r)) ;
  for (;;)
  {
    size_t w = 0 ;
    int g = getlnmax(buffer_0, line, sizeof(line), &w, '\n') ;
    if (g < 0 && errno == ERANGE)
    {
      malformed(r, "a line is longer than 2047 bytes") ;
      lines++ ;
      do { w = 0 ; g = getlnmax(buffer_0, line, sizeof(line), &w, '\n') ; }
      while (g < 0 && errno == ERANGE) ;
      if (g > 0) continue ;
    }
    if (g < 0) rc_fatalsys(111, "unable to read a request") ;
    if (!g) return lines || w ? -1 : 0 ;
    w-- ;
    if (w && line[w - 1] == '\r') w-- ;
    if (!w) return 1 ;
    lines++ ;
    attribute(r, line, w) ;
  }
}

static char const *decide (struct request *r)
{
  char addr[RC_ADDR_MAX] ;
  char q[RC_QUOTE_MAX] ;
  struct rc_entry e ;
  int inherited ;
  if (!r->bad && !r->has_request) r->bad = "no request attribute" ;
  if (!r->bad && !r->has_client) r->bad = "no client_address attribute" ;
  if (r->bad)
  {
    rc_warn("answering DUNNO to a malformed request: ", r->bad) ;
    return "DUNNO" ;
  }
  if (!rc_addr_canon(addr, r->client, r->clientlen))
  {
    rc_warn(NOT_DONE, rc_quote(q, r->client), ": not an IP address") ;
    return "DUNNO" ;
  }
  if (dirfd < 0)
  {
    dirfd = rc_spool_open(&inherited, NOT_DONE, addr) ;
    if (dirfd < 0) return "DUNNO" ;
  }
  switch (rc_entry_read(dirfd, addr, &e))
  {
    case RC_ENTRY_NONE :
      if (logips) rc_info(NOT_DONE, addr, ": no login recorded") ;
      return "DUNNO" ;
    case RC_ENTRY_SYMLINK :
      rc_warn(NOT_DONE, addr, ": its spool entry is a symbolic link") ;
      return "DUNNO" ;
    case RC_ENTRY_NOTREG :
      rc_warn(NOT_DONE, addr, ": its spool entry is not a regular file") ;
      return "DUNNO" ;
    case RC_ENTRY_ERROR :
      rc_warnsys(NOT_DONE, addr, ": unable to read its spool entry") ;
      return "DUNNO" ;
    case RC_ENTRY_OK : break ;
  }
  switch (rc_spool_age(&e.st, time(0), expiry))
  {
    case RC_FUTURE :
      rc_warn(NOT_DONE, addr, ": its spool entry is dated in the future") ;
      return "DUNNO" ;
    case RC_STALE :
      if (logips) rc_info(NOT_DONE, addr, ": its login has expired") ;
      return "DUNNO" ;
    case RC_FRESH : break ;
  }
  if (logips)
  {
    if (e.user[0]) rc_info("relaying for ", addr, " (user ", e.user, ")") ;
    else rc_info("relaying for ", addr) ;
  }
  return allow ;
}

/* Under Postfix's spawn(8), stderr is the client's socket, where a log
   line would be read as an answer: then logs are thrown away. */
static void keep_logs_off_the_socket (void)
{
  struct stat in, out, err ;
  int fd ;
  if (fstat(2, &err) < 0 || !S_ISSOCK(err.st_mode)) return ;
  if ((fstat(0, &in) == 0 && in.st_dev == err.st_dev && in.st_ino == err.st_ino)
   || (fstat(1, &out) == 0 && out.st_dev == err.st_dev && out.st_ino == err.st_ino))
  {
    fd = open("/dev/null", O_WRONLY) ;
    if (fd < 0) _exit(111) ;
    if (fd != 2) { dup2(fd, 2) ; close(fd) ; }
  }
}

int main (int argc, char const *const *argv)
{
  char const *s ;
  prctl(PR_SET_DUMPABLE, 0) ;  /* first of all: doc/security.md */
  (void)argv ;
  rc_log_name("relay-ctrl-policy") ;
  keep_logs_off_the_socket() ;
  if (argc > 1) rc_usage(USAGE) ;
  s = getenv("RELAY_CTRL_POLICY_ALLOW") ;
  if (s)
  {
    char q[RC_QUOTE_MAX] ;
    size_t n = strlen(s) ;
    int good = n && n < ALLOW_MAX ;
    for (size_t i = 0 ; good && i < n ; i++) if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) good = 0 ;
    if (!good) rc_fatal(100, "RELAY_CTRL_POLICY_ALLOW=", rc_quote(q, s), " is not a one-line action") ;
    allow = s ;
  }
  expiry = rc_expiry() ;
  logips = !!getenv("RELAY_CTRL_LOG_IPS") ;
  for (;;)
  {
    struct request r ;
    int g = get_request(&r) ;
    if (!g) return 0 ;
    if (g < 0)
    {
      rc_warn("the client closed the connection in the middle of a request") ;
      return 0 ;
    }
    if (buffer_puts(buffer_1, "action=") < 0 || buffer_puts(buffer_1, decide(&r)) < 0
     || buffer_putsflush(buffer_1, "\n\n") < 0)
      rc_fatalsys(111, "unable to answer") ;
  }
}
