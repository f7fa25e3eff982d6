/* relay-ctrl-query [-u] address: exits 0 if address may relay now,
   1 if not; with -u, prints the user that logged in. Looks in the
   spool, then in Redis when RELAY_CTRL_REDIS(_READ) is set. */

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <skalibs/sgetopt.h>
#include <skalibs/buffer.h>
#include <sys/prctl.h>
#include "rc_say.h"

#define USAGE "relay-ctrl-query [ -u ] address"

int main (int argc, char const *const *argv)
{
  char addr[RC_ADDR_MAX] ;
  char q[RC_QUOTE_MAX] ;
  static struct rc_entry e ;
  static struct rc_found found ;
  struct rc_settings set ;
  enum rc_verdict_e v ;
  int user = 0 ;
  subgetopt l = SUBGETOPT_ZERO ;
  prctl(PR_SET_DUMPABLE, 0) ;  /* first of all: doc/security.md */
  rc_log_name("relay-ctrl-query") ;
  for (int opt ; (opt = subgetopt_r(argc, argv, "u", &l)) != -1 ;)
  {
    if (opt != 'u') rc_usage(USAGE) ;
    user = 1 ;
  }
  if (argc - l.ind != 1) rc_usage(USAGE) ;
  if (!rc_addr_canon(addr, argv[l.ind], strlen(argv[l.ind])))
    rc_fatal(100, rc_quote(q, argv[l.ind]), " is not an IP address") ;
  rc_etc_settings(argv) ;
  rc_settings_read(&set, 1) ;
  if (!set.redisonly) rc_spool_or_die(&set) ;
  rc_settings_expiry(&set) ;
  rc_say_expiry(&set) ;
  v = rc_store_lookup(&set, addr, 0, &found, 0, 0) ;
  rc_say_redis_query(&found.rd, addr) ;
  switch (v)
  {
    case RC_VERDICT_ALLOW : break ;
    case RC_VERDICT_ERROR :
      if (found.redis) return 111 ;  /* said above */
      if (found.err) { errno = found.err ; rc_fatalsys(111, "unable to read the spool entry of ", addr) ; }
      rc_warn(addr, " is not allowed: ", found.why) ;
      return 1 ;
    default : return 1 ;
  }
  e.user[0] = 0 ;
  if (found.readable) rc_entry_parse(&e, found.data, found.len) ;
  if (user && (buffer_puts(buffer_1, e.user) < 0 || buffer_putsflush(buffer_1, "\n") < 0))
    rc_fatalsys(111, "unable to write to stdout") ;
  return 0 ;
}
