/* relay-ctrl-allow [PROG...]: records a successful login's address in
   the stores (the spool, Redis), then runs PROG. Never stops the login. */

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <skalibs/stralloc.h>
#include "rc_say.h"
#include "rc_redis.h"

#define NOT_DONE "not recording login from "

/* 1 if the spool entry was written. */
static int record (struct rc_settings *s, char *addr)
{
  char data[RC_RECORDS_MAX] ;
  char q[RC_QUOTE_MAX] ;
  char const *ip = rc_login_ip() ;
  struct rc_why w ;
  static struct rc_redis_said rd ;
  int r ;
  if (!rc_login_counts()) return 0 ;
  if (!ip) { rc_warn("not recording login: neither TCPREMOTEIP nor IP is set") ; return 0 ; }
  if (!rc_addr_canon(addr, ip, strlen(ip)))
  {
    rc_warn(NOT_DONE, rc_quote(q, ip), ": not an IP address") ;
    return 0 ;
  }
  r = rc_store_record(s, RC_STORE_ALL, addr, data, rc_records_from_env(data, sizeof(data), &rc_say_skipped, addr), &w, &rd) ;
  rc_say_redis_record(&rd, addr, s->logips) ;
  if (r < 0)
  {
    rc_say_why(NOT_DONE, addr, &w) ;
    if (s->dirfd >= 0 && !s->inherited) close(s->dirfd) ;
    return 0 ;
  }
  if (r && s->logips)
  {
    char const *user = rc_login_user() ;
    if (user && *user) rc_info("recorded login from ", addr, " (user ", rc_quote(q, user), ")") ;
    else rc_info("recorded login from ", addr) ;
  }
  return r ;
}

/* PROG runs as the mail user: it gets no way into the spool. */
int main (int argc, char const *const *argv)
{
  char addr[RC_ADDR_MAX] ;
  char hide[RC_SPOOL_HIDE_MAX + RC_REDIS_HIDE_MAX] ;
  stralloc modif = STRALLOC_ZERO ;
  struct rc_settings s ;
  int recorded ;
  prctl(PR_SET_DUMPABLE, 0) ;  /* first of all: doc/security.md */
  rc_log_name("relay-ctrl-allow") ;
  rc_settings_read(&s, 0) ;
  /* Read once, and only for what uses it: Redis's TTL, the refresher. */
  if (s.redis || getenv("RELAY_CTRL_REFRESH")) { rc_settings_expiry(&s) ; rc_say_expiry(&s) ; }
  recorded = record(&s, addr) ;
  if (argc < 2) return 0 ;
  if (recorded && getenv("RELAY_CTRL_REFRESH")) rc_refresh_start(s.dirfd, addr, rc_settings_expiry(&s)) ;
  if (!stralloc_catb(&modif, hide, rc_spool_hide_fd(&s, hide))
   || !stralloc_catb(&modif, hide, rc_redis_hide(hide)))
    rc_fatalsys(111, "unable to allocate memory") ;
  rc_exec(argv + 1, modif.s, modif.len) ;
}
