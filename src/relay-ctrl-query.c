/* relay-ctrl-query [-u] address: exits 0 if address may relay now,
   1 if not; with -u, prints the user that logged in. Looks in the
   spool, then in Redis when RELAY_CTRL_REDIS(_READ) is set. */

#include <string.h>
#include <unistd.h>
#include <time.h>
#include <skalibs/sgetopt.h>
#include <skalibs/buffer.h>
#include <sys/prctl.h>
#include "rc_ops.h"
#include "rc_redis.h"

#define USAGE "relay-ctrl-query [ -u ] address"

/* The spool's fresh entry for addr, if any. */
static int allowed (int dirfd, char const *addr, struct rc_entry *e)
{
  switch (rc_entry_read(dirfd, addr, e))
  {
    case RC_ENTRY_NONE : return 0 ;
    case RC_ENTRY_SYMLINK : rc_warn(addr, " is not allowed: its spool entry is a symbolic link") ; return 0 ;
    case RC_ENTRY_NOTREG : rc_warn(addr, " is not allowed: its spool entry is not a regular file") ; return 0 ;
    case RC_ENTRY_ERROR : rc_fatalsys(111, "unable to read the spool entry of ", addr) ;
    case RC_ENTRY_OK : break ;
  }
  return rc_spool_age(&e->st, time(0), rc_expiry()) == RC_FRESH ;
}

/* The key in Redis, if configured: 111 when Redis cannot say. */
static int from_redis (char const *addr, struct rc_entry *e)
{
  char data[RC_RECORDS_MAX] ;
  size_t len ;
  int r = rc_redis_get(addr, data, sizeof(data), &len, 0) ;
  if (r < 0) _exit(111) ;
  if (r) rc_entry_parse(e, data, len) ;
  return r ;
}

int main (int argc, char const *const *argv)
{
  char addr[RC_ADDR_MAX] ;
  char q[RC_QUOTE_MAX] ;
  struct rc_entry e ;
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
  if ((rc_redis_only(1) || !allowed(rc_ops_spool(), addr, &e)) && !from_redis(addr, &e)) return 1 ;
  if (user && (buffer_puts(buffer_1, e.user) < 0 || buffer_putsflush(buffer_1, "\n") < 0))
    rc_fatalsys(111, "unable to write to stdout") ;
  return 0 ;
}
