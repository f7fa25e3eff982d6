/* relay-ctrl-policy: a Postfix SMTPD access policy delegation server.
   Reads requests on stdin, answers on stdout, many per connection:
   action=OK (RELAY_CTRL_POLICY_ALLOW) when client_address logged in
   within the expiry time (in the spool, then in Redis when
   RELAY_CTRL_REDIS(_READ) is set), action=DUNNO otherwise, and for anything it
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
#include <skalibs/tai.h>
#include <skalibs/unix-timed.h>
#include <skalibs/djbunix.h>
#include <sys/prctl.h>
#include "rc_say.h"
#include "rc_policy.h"

#define USAGE "relay-ctrl-policy"
#define NOT_DONE "not relaying for "
#define IDLE_DEFAULT 60
#define TIMEOUT_DEFAULT 10
#define SECONDS_MAX 3600
#define ALLOW_MAX 256

static char const *allow = "OK" ;
static unsigned int idle, timeout ;
static struct rc_settings set ;

static unsigned int seconds (char const *var, unsigned int def)
{
  char q[RC_QUOTE_MAX] ;
  char const *s = getenv(var) ;
  unsigned int n ;
  if (!s) return def ;
  if (!uint0_scan(s, &n) || !n || n > SECONDS_MAX) rc_fatal(100, var, "=", rc_quote(q, s), " is not a number of seconds from 1 to 3600") ;
  return n ;
}

/* Each store's verdict, said as relay-ctrl-check says it (an expired
   entry is left to relay-ctrl-age). */
static void step (struct rc_store_ops const *store, enum rc_verdict_e v, struct rc_found *f, void *addr)
{
  if (store == &rc_store_spool) rc_say_verdict(v, f, addr, set.logips, set.redis) ;
  else rc_say_redis_read(&f->rd, addr, set.logips) ;
}

static char const *decide (struct rc_policy_request *r)
{
  char addr[RC_ADDR_MAX] ;
  char q[RC_QUOTE_MAX] ;
  static struct rc_found l ;
  static struct rc_entry e ;
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
  if (rc_store_lookup(&set, addr, RC_STORE_SMTP, &l, &step, addr) != RC_VERDICT_ALLOW) return "DUNNO" ;
  if (set.logips)
  {
    e.user[0] = 0 ;
    if (l.readable) rc_entry_parse(&e, l.data, l.len) ;
    rc_say_relaying(addr, e.user, l.redis, 0) ;
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
    if (!n || n >= ALLOW_MAX || rc_printable(s, n, 0) != n) rc_fatal(100, "RELAY_CTRL_POLICY_ALLOW=", rc_quote(q, s), " is not a one-line action") ;
    allow = s ;
  }
  rc_settings_read(&set, 1) ;
  rc_settings_expiry(&set) ;
  rc_say_expiry(&set) ;
  idle = seconds("RELAY_CTRL_POLICY_IDLE", IDLE_DEFAULT) ;
  timeout = seconds("RELAY_CTRL_POLICY_TIMEOUT", TIMEOUT_DEFAULT) ;
  tain_now_set_stopwatch_g() ;
  /* The timed reads need it; 1 may share the socket, so writes are
     timed too. */
  if (ndelay_on(0) < 0 || ndelay_on(1) < 0) rc_fatalsys(111, "unable to make the connection non-blocking") ;
  for (;;)
  {
    struct rc_policy_request r ;
    tain deadline ;
    int g = rc_policy_get(&r, idle, timeout) ;
    if (!g) return 0 ;
    if (g == -2) { rc_info("closing the connection: idle for longer than RELAY_CTRL_POLICY_IDLE") ; return 0 ; }
    if (g == -3) rc_fatal(111, "closing the connection: a request took longer than RELAY_CTRL_POLICY_TIMEOUT") ;
    if (g == -4) rc_fatalsys(111, "unable to read a request") ;
    if (g < 0) { rc_warn("the client closed the connection in the middle of a request") ; return 0 ; }
    if (buffer_puts(buffer_1, "action=") < 0 || buffer_puts(buffer_1, decide(&r)) < 0
     || buffer_puts(buffer_1, "\n\n") < 0)
      rc_fatalsys(111, "unable to answer") ;
    tain_addsec_g(&deadline, (int)timeout) ;
    if (!buffer_timed_flush_g(buffer_1, &deadline))
      rc_fatalsys(111, "unable to answer") ;
  }
}
