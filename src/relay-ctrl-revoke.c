/* relay-ctrl-revoke address...
   relay-ctrl-revoke -u user...
   Removes authorizations from the stores (the spool, and Redis when
   RELAY_CTRL_REDIS is set) at once, by client address or by the user
   that logged in. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <skalibs/sgetopt.h>
#include <sys/prctl.h>
#include "rc_say.h"

#define USAGE "relay-ctrl-revoke address... | relay-ctrl-revoke -u user..."

struct users { char const *const *v ; unsigned int n ; unsigned int *hits ; } ;

static unsigned int revoked, failed ;

static void logged (struct rc_item const *it)
{
  char q[RC_QUOTE_MAX] ;
  char const *where = it->redis ? " in Redis" : "" ;
  revoked++ ;
  if (it->e.user[0]) rc_info("revoked ", rc_quote(q, it->addr), " (user ", it->e.user, ")", where) ;
  else rc_info("revoked ", rc_quote(q, it->addr), where) ;
}

static void by_address (struct rc_settings *s, char const *addr)
{
  static struct rc_item it ;
  for (struct rc_store_ops const *const *p = rc_stores ; *p ; p++)
  {
    int r ;
    if (!(*p)->configured(s)) continue ;
    r = (*p)->remove_if(s, addr, 0, 0, &it) ;
    rc_say_redis_revoke(&it.rd, addr) ;
    if (r > 0) { rc_say_not_string(&it) ; logged(&it) ; continue ; }
    if (r < 0)
    {
      failed++ ;
      if (!it.redis) { errno = it.err ; rc_warnsys("unable to revoke ", addr) ; }
    }
    else if (it.redis) rc_info("nothing to revoke for ", addr, " in Redis") ;
    else if (it.state == RC_ENTRY_SYMLINK) rc_warn("not revoking ", addr, ": its spool entry is a symbolic link, which grants nothing") ;
    else if (it.state == RC_ENTRY_NOTREG) rc_warn("not revoking ", addr, ": its spool entry is not a regular file, which grants nothing") ;
    else rc_info("nothing to revoke for ", addr) ;
  }
}

static int matches (struct rc_item const *it, void *ctx)
{
  struct users const *u = ctx ;
  for (unsigned int i = 0 ; i < u->n ; i++) if (rc_entry_user_is(&it->e, u->v[i])) return 1 ;
  return 0 ;
}

static void removed (struct rc_item const *it, int done, void *ctx)
{
  struct users *u = ctx ;
  char q[RC_QUOTE_MAX] ;
  if (rc_say_not_string(it)) return ;
  if (!done)
  {
    failed++ ;
    errno = it->err ;
    rc_warnsys("unable to revoke ", rc_quote(q, it->addr)) ;
    return ;
  }
  for (unsigned int i = 0 ; i < u->n ; i++) if (rc_entry_user_is(&it->e, u->v[i])) u->hits[i]++ ;
  logged(it) ;
}

static void by_users (struct rc_settings *s, char const *const *argv, unsigned int n)
{
  static struct rc_item fail ;
  struct users u = { argv, n, calloc(n, sizeof(unsigned int)) } ;
  if (!u.hits) rc_fatalsys(111, "unable to allocate memory") ;
  for (struct rc_store_ops const *const *p = rc_stores ; *p ; p++)
  {
    int r ;
    if (!(*p)->configured(s)) continue ;
    if (*p == &rc_store_redis) rc_say_redis_timeout(rc_redis_timeout_junk(s->reading)) ;
    r = (*p)->each(s, &matches, &removed, &u, &fail) ;
    rc_say_redis_walk(&fail.rd, s->reading) ;
    if (r >= 0) continue ;
    if (*p == &rc_store_spool) rc_fatalsys(111, "unable to read the spool") ;
    failed++ ;
  }
  for (unsigned int i = 0 ; i < n ; i++)
    if (!u.hits[i])
    {
      char q[RC_QUOTE_MAX] ;
      rc_info("nothing to revoke for user ", rc_quote(q, argv[i])) ;
    }
  free(u.hits) ;
}

int main (int argc, char const *const *argv)
{
  char addr[RC_ADDR_MAX] ;
  char q[RC_QUOTE_MAX] ;
  struct rc_settings set ;
  int users = 0 ;
  subgetopt l = SUBGETOPT_ZERO ;
  prctl(PR_SET_DUMPABLE, 0) ;  /* first of all: doc/security.md */
  rc_log_name("relay-ctrl-revoke") ;
  for (int opt ; (opt = subgetopt_r(argc, argv, "u", &l)) != -1 ;)
  {
    if (opt != 'u') rc_usage(USAGE) ;
    users = 1 ;
  }
  if (l.ind >= argc) rc_usage(USAGE) ;
  rc_etc_settings(argv) ;
  for (int i = l.ind ; i < argc ; i++)
  {
    if (users && !argv[i][0]) rc_fatal(100, "empty user name") ;
    if (!users && !rc_addr_canon(addr, argv[i], strlen(argv[i]))) rc_fatal(100, rc_quote(q, argv[i]), " is not an IP address") ;
  }
  rc_settings_read(&set, 0) ;
  if (!set.redisonly) rc_spool_or_die(&set) ;
  if (users) by_users(&set, argv + l.ind, (unsigned int)(argc - l.ind)) ;
  else for (int i = l.ind ; i < argc ; i++)
  {
    rc_addr_canon(addr, argv[i], strlen(argv[i])) ;
    by_address(&set, addr) ;
  }
  return failed ? 111 : revoked ? 0 : 1 ;
}
