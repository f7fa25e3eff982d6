/* relay-ctrl-revoke address...
   relay-ctrl-revoke -u user...
   Removes authorizations from the spool, and from Redis when
   RELAY_CTRL_REDIS is set, at once, by client address or by the user
   that logged in. */

#include <stdlib.h>
#include <string.h>
#include <skalibs/sgetopt.h>
#include <sys/prctl.h>
#include "rc_ops.h"
#include "rc_redis.h"

#define USAGE "relay-ctrl-revoke address... | relay-ctrl-revoke -u user..."

static unsigned int revoked, failed ;

static void logged (char const *addr, struct rc_entry const *e, char const *where)
{
  if (e->user[0]) rc_info("revoked ", addr, " (user ", e->user, ")", where) ;
  else rc_info("revoked ", addr, where) ;
}

static int any (struct rc_entry const *e, void *ctx)
{
  (void)e ; (void)ctx ;
  return 1 ;
}

static void in_redis (char const *addr)
{
  char data[RC_RECORDS_MAX] ;
  struct rc_entry e ;
  size_t len ;
  int r = rc_redis_del(addr, data, sizeof(data), &len) ;
  if (r < 0) { failed++ ; return ; }
  if (!r) { rc_info("nothing to revoke for ", addr, " in Redis") ; return ; }
  rc_entry_parse(&e, data, len) ;
  revoked++ ;
  logged(addr, &e, " in Redis") ;
}

static void by_address (int dirfd, char const *addr)
{
  struct rc_entry e ;
  int r ;
  if (rc_redis_endpoint(0)) in_redis(addr) ;
  if (dirfd < 0) return ;
  r = rc_spool_remove_if(dirfd, addr, &any, 0, &e) ;
  if (r < 0) { failed++ ; rc_warnsys("unable to revoke ", addr) ; return ; }
  if (r) { revoked++ ; logged(addr, &e, "") ; return ; }
  switch (rc_entry_read(dirfd, addr, &e))
  {
    case RC_ENTRY_SYMLINK : rc_warn("not revoking ", addr, ": its spool entry is a symbolic link, which grants nothing") ; break ;
    case RC_ENTRY_NOTREG : rc_warn("not revoking ", addr, ": its spool entry is not a regular file, which grants nothing") ; break ;
    default : rc_info("nothing to revoke for ", addr) ; break ;
  }
}

struct users { char const *const *v ; unsigned int n ; unsigned int *hits ; } ;

static int matches (struct rc_entry const *e, void *ctx)
{
  struct users const *u = ctx ;
  for (unsigned int i = 0 ; i < u->n ; i++) if (rc_entry_user_is(e, u->v[i])) return 1 ;
  return 0 ;
}

static void by_user (int dirfd, char const *name, void *ctx)
{
  struct users *u = ctx ;
  struct rc_entry e ;
  char q[RC_QUOTE_MAX] ;
  int r ;
  if (rc_is_temporary(name)) return ;
  r = rc_spool_remove_if(dirfd, name, &matches, u, &e) ;
  if (r < 0) { failed++ ; rc_warnsys("unable to revoke ", rc_quote(q, name)) ; return ; }
  if (!r) return ;
  revoked++ ;
  for (unsigned int i = 0 ; i < u->n ; i++) if (rc_entry_user_is(&e, u->v[i])) u->hits[i]++ ;
  logged(rc_quote(q, name), &e, "") ;
}

static int redis_matches (char const *addr, char const *data, size_t len, long ttl, void *ctx)
{
  struct rc_entry e ;
  (void)addr ; (void)ttl ;
  rc_entry_parse(&e, data, len) ;
  return matches(&e, ctx) ;
}

static int redis_removed (char const *addr, char const *data, size_t len, long ttl, void *ctx)
{
  struct users *u = ctx ;
  struct rc_entry e ;
  (void)ttl ;
  rc_entry_parse(&e, data, len) ;
  revoked++ ;
  for (unsigned int i = 0 ; i < u->n ; i++) if (rc_entry_user_is(&e, u->v[i])) u->hits[i]++ ;
  logged(addr, &e, " in Redis") ;
  return 0 ;
}

int main (int argc, char const *const *argv)
{
  int dirfd, users = 0 ;
  subgetopt l = SUBGETOPT_ZERO ;
  prctl(PR_SET_DUMPABLE, 0) ;  /* first of all: doc/security.md */
  rc_log_name("relay-ctrl-revoke") ;
  for (int opt ; (opt = subgetopt_r(argc, argv, "u", &l)) != -1 ;)
  {
    if (opt != 'u') rc_usage(USAGE) ;
    users = 1 ;
  }
  char const *const *all = argv ;
  argc -= l.ind ; argv += l.ind ;
  if (!argc) rc_usage(USAGE) ;
  rc_etc_settings(all) ;
  if (users)
  {
    struct users u = { argv, (unsigned int)argc, calloc((size_t)argc, sizeof(unsigned int)) } ;
    if (!u.hits) rc_fatalsys(111, "unable to allocate memory") ;
    for (int i = 0 ; i < argc ; i++) if (!argv[i][0]) rc_fatal(100, "empty user name") ;
    dirfd = rc_redis_only(0) ? -1 : rc_ops_spool() ;
    if (rc_redis_endpoint(0) && rc_redis_each(0, &redis_matches, &redis_removed, &u) < 0) failed++ ;
    if (dirfd >= 0 && rc_spool_each(dirfd, &by_user, &u) < 0) rc_fatalsys(111, "unable to read the spool") ;
    for (int i = 0 ; i < argc ; i++)
      if (!u.hits[i])
      {
        char q[RC_QUOTE_MAX] ;
        rc_info("nothing to revoke for user ", rc_quote(q, argv[i])) ;
      }
    free(u.hits) ;
  }
  else
  {
    char addr[RC_ADDR_MAX] ;
    for (int i = 0 ; i < argc ; i++)
      if (!rc_addr_canon(addr, argv[i], strlen(argv[i])))
      {
        char q[RC_QUOTE_MAX] ;
        rc_fatal(100, rc_quote(q, argv[i]), " is not an IP address") ;
      }
    dirfd = rc_redis_only(0) ? -1 : rc_ops_spool() ;
    for (int i = 0 ; i < argc ; i++)
    {
      rc_addr_canon(addr, argv[i], strlen(argv[i])) ;
      by_address(dirfd, addr) ;
    }
  }
  return failed ? 111 : revoked ? 0 : 1 ;
}
