/* relay-ctrl-list [-a] [-m]: shows the current authorizations in the
   spool, and in Redis when RELAY_CTRL_REDIS(_READ) is set: address,
   user, age, seconds left. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <skalibs/types.h>
#include <skalibs/sgetopt.h>
#include <sys/prctl.h>
#include "rc_say.h"
#include "rc_rows.h"

#define USAGE "relay-ctrl-list [ -a ] [ -m ]"

static int all ;
static time_t now ;
static unsigned int expiry, expired, future, notreg, temporary, other, failed ;

/* A Redis key's age is the expiry less its TTL; one without a TTL (not
   written by relay-ctrl-allow) shows age 0 and LEFT -1. */
static void one (struct rc_item const *it, int done, void *ctx)
{
  char q[RC_QUOTE_MAX] ;
  struct rc_row r ;
  (void)done ; (void)ctx ;
  if (rc_say_not_string(it)) return ;
  if (it->temporary) { temporary++ ; return ; }
  if (!it->canon) { other++ ; return ; }
  switch (it->state)
  {
    case RC_ENTRY_NONE : return ;
    case RC_ENTRY_SYMLINK :
      notreg++ ;
      rc_warn("skipping ", it->addr, " in the spool: it is a symbolic link") ;
      return ;
    case RC_ENTRY_NOTREG :
      notreg++ ;
      rc_warn("skipping ", it->addr, " in the spool: it is not a regular file") ;
      return ;
    case RC_ENTRY_ERROR :
      failed++ ;
      errno = it->err ;
      rc_warnsys("unable to read ", rc_quote(q, it->addr), " in the spool") ;
      return ;
    case RC_ENTRY_OK : break ;
  }
  memcpy(r.addr, it->addr, strlen(it->addr) + 1) ;
  r.redis = it->redis ;
  if (it->redis)
  {
    r.left = it->ttl < 0 ? -1 : it->ttl ;
    r.mtime = it->ttl < 0 ? now : now - ((time_t)expiry - (time_t)it->ttl) ;
    r.age = RC_FRESH ;
  }
  else
  {
    r.mtime = it->e.st.st_mtime ;
    r.left = (long)(r.mtime + (time_t)expiry - now) ;
    r.age = rc_spool_age(&it->e.st, now, expiry) ;
    if (!all && r.age != RC_FRESH)
    {
      if (r.age == RC_STALE) expired++ ; else future++ ;
      return ;
    }
  }
  if (!rc_rows_add(&r, it->e.user)) rc_fatalsys(111, "unable to allocate memory") ;
}

static char const *nfmt (char *s, unsigned int n)
{
  s[uint_fmt(s, n)] = 0 ;
  return s ;
}

int main (int argc, char const *const *argv)
{
  static struct rc_item fail ;
  struct rc_settings set ;
  int m = 0 ;
  size_t n ;
  subgetopt l = SUBGETOPT_ZERO ;
  prctl(PR_SET_DUMPABLE, 0) ;  /* first of all: doc/security.md */
  rc_log_name("relay-ctrl-list") ;
  for (int opt ; (opt = subgetopt_r(argc, argv, "am", &l)) != -1 ;)
  {
    if (opt == 'a') all = 1 ;
    else if (opt == 'm') m = 1 ;
    else rc_usage(USAGE) ;
  }
  if (l.ind < argc) rc_usage(USAGE) ;
  rc_etc_settings(argv) ;
  rc_settings_read(&set, 1) ;
  if (!set.redisonly) rc_spool_or_die(&set) ;
  expiry = rc_settings_expiry(&set) ;
  rc_say_expiry(&set) ;
  now = time(0) ;
  for (struct rc_store_ops const *const *p = rc_stores ; *p ; p++)
  {
    int r ;
    if (!(*p)->configured(&set)) continue ;
    if (*p == &rc_store_redis) rc_say_redis_timeout(rc_redis_timeout_junk(set.reading)) ;
    r = (*p)->each(&set, 0, &one, 0, &fail) ;
    rc_say_redis_walk(&fail.rd, set.reading) ;
    if (r >= 0) continue ;
    if (*p == &rc_store_spool) rc_fatalsys(111, "unable to read the spool") ;
    failed++ ;
  }
  n = rc_rows_sort() ;
  if (m ? !rc_rows_machine(now) : !rc_rows_table(now)) rc_fatalsys(111, "unable to write to stdout") ;
  if (expired + future + notreg + temporary + other)
  {
    char a[UINT_FMT], b[UINT_FMT], c[UINT_FMT], d[UINT_FMT], e[UINT_FMT], f[UINT_FMT] ;
    rc_info("listed ", nfmt(a, (unsigned int)n), ", skipped ", nfmt(b, expired), " expired, ", nfmt(c, future),
      " dated in the future, ", nfmt(d, notreg), " not regular files, ", nfmt(e, temporary), " temporary, ",
      nfmt(f, other), " not named after an address") ;
  }
  rc_rows_free() ;
  return failed ? 111 : 0 ;
}
