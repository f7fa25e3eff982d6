/* relay-ctrl-list [-a] [-m]: shows the current authorizations in the
   spool, and in Redis when RELAY_CTRL_REDIS(_READ) is set: address,
   user, age, seconds left. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <skalibs/types.h>
#include <skalibs/sgetopt.h>
#include <skalibs/buffer.h>
#include <skalibs/stralloc.h>
#include <skalibs/genalloc.h>
#include <sys/prctl.h>
#include "rc_say.h"

#define USAGE "relay-ctrl-list [ -a ] [ -m ]"

struct row { char addr[RC_ADDR_MAX] ; size_t user ; time_t mtime ; long left ; enum rc_age_e age ; int redis ; } ;

static genalloc rows = GENALLOC_ZERO ;
static stralloc users = STRALLOC_ZERO ;
static int all ;
static time_t now ;
static unsigned int expiry, expired, future, notreg, temporary, other, failed ;

static void keep (struct row *r, struct rc_entry const *e)
{
  r->user = users.len ;
  if (!stralloc_catb(&users, e->user, strlen(e->user) + 1) || !genalloc_append(struct row, &rows, r))
    rc_fatalsys(111, "unable to allocate memory") ;
}

/* A Redis key's age is the expiry less its TTL; one without a TTL (not
   written by relay-ctrl-allow) shows age 0 and LEFT -1. */
static void one (struct rc_item const *it, int done, void *ctx)
{
  char q[RC_QUOTE_MAX] ;
  struct row r ;
  (void)done ; (void)ctx ;
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
  keep(&r, &it->e) ;
}

static int by_address (void const *a, void const *b)
{
  struct row const *x = a, *y = b ;
  int c = strcmp(x->addr, y->addr) ;
  return c ? c : x->redis - y->redis ;
}

static char const *state (struct row const *r)
{
  return r->redis ? "redis" : r->age == RC_FRESH ? "fresh" : r->age == RC_STALE ? "expired" : "future" ;
}

static void put (char const *s)
{
  if (buffer_puts(buffer_1, s) < 0) rc_fatalsys(111, "unable to write to stdout") ;
}

static void putn (long n)
{
  char fmt[LONG_FMT] ;
  fmt[long_fmt(fmt, n)] = 0 ;
  put(fmt) ;
}

static void pad (char const *s, size_t width)
{
  size_t n = strlen(s) ;
  put(s) ;
  while (n++ < width + 2) put(" ") ;
}

/* The table is for people: bytes that could steer a terminal become '?'. */
static char const *printable (char *s)
{
  for (char *p = s ; *p ; p++) if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f) *p = '?' ;
  return s ;
}

static void table (struct row *r, size_t n)
{
  size_t aw = 7, uw = 4 ;
  for (size_t i = 0 ; i < n ; i++)
  {
    size_t len = strlen(users.s + r[i].user) ;
    if (strlen(r[i].addr) > aw) aw = strlen(r[i].addr) ;
    if (len > uw) uw = len ;
  }
  pad("ADDRESS", aw) ; pad("USER", uw) ; put("AGE     LEFT    STATE\n") ;
  for (size_t i = 0 ; i < n ; i++)
  {
    char num[LONG_FMT] ;
    pad(r[i].addr, aw) ;
    pad(users.s[r[i].user] ? printable(users.s + r[i].user) : "-", uw) ;
    num[long_fmt(num, (long)(now - r[i].mtime))] = 0 ; pad(num, 6) ;
    num[long_fmt(num, r[i].left)] = 0 ; pad(num, 6) ;
    put(state(&r[i])) ;
    put("\n") ;
  }
}

static void machine (struct row *r, size_t n)
{
  for (size_t i = 0 ; i < n ; i++)
  {
    put(r[i].addr) ; put("\t") ;
    put(users.s + r[i].user) ; put("\t") ;
    putn((long)r[i].mtime) ; put("\t") ;
    putn((long)(now - r[i].mtime)) ; put("\t") ;
    putn(r[i].left) ; put("\t") ;
    put(state(&r[i])) ; put("\n") ;
  }
}

static char const *nfmt (char *s, unsigned int n)
{
  s[uint_fmt(s, n)] = 0 ;
  return s ;
}

int main (int argc, char const *const *argv)
{
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
    if ((*p)->configured(&set) && (*p)->each(&set, 0, &one, 0) < 0)
    {
      if (*p == &rc_store_spool) rc_fatalsys(111, "unable to read the spool") ;
      failed++ ;
    }
  n = genalloc_len(struct row, &rows) ;
  if (n)
  {
    struct row *r = genalloc_s(struct row, &rows) ;
    size_t k = 1 ;
    qsort(r, n, sizeof(struct row), &by_address) ;
    /* SCAN may return a key twice. */
    for (size_t i = 1 ; i < n ; i++)
      if (!r[i].redis || !r[k - 1].redis || strcmp(r[i].addr, r[k - 1].addr) != 0) r[k++] = r[i] ;
    n = k ;
  }
  if (m) machine(genalloc_s(struct row, &rows), n) ;
  else table(genalloc_s(struct row, &rows), n) ;
  if (!buffer_flush(buffer_1)) rc_fatalsys(111, "unable to write to stdout") ;
  if (expired + future + notreg + temporary + other)
  {
    char a[UINT_FMT], b[UINT_FMT], c[UINT_FMT], d[UINT_FMT], e[UINT_FMT], f[UINT_FMT] ;
    rc_info("listed ", nfmt(a, (unsigned int)n), ", skipped ", nfmt(b, expired), " expired, ", nfmt(c, future),
      " dated in the future, ", nfmt(d, notreg), " not regular files, ", nfmt(e, temporary), " temporary, ",
      nfmt(f, other), " not named after an address") ;
  }
  genalloc_free(struct row, &rows) ;
  stralloc_free(&users) ;
  return failed ? 111 : 0 ;
}
