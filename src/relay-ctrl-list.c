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
#include "rc_ops.h"
#include "rc_redis.h"

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

static void one (int dirfd, char const *name, void *ctx)
{
  char q[RC_QUOTE_MAX] ;
  struct rc_entry e ;
  struct row r ;
  (void)ctx ;
  if (rc_is_temporary(name)) { temporary++ ; return ; }
  if (strlen(name) >= RC_ADDR_MAX || !rc_addr_canon(r.addr, name, strlen(name)) || strcmp(r.addr, name)) { other++ ; return ; }
  switch (rc_entry_read(dirfd, name, &e))
  {
    case RC_ENTRY_NONE : return ;
    case RC_ENTRY_SYMLINK :
      notreg++ ;
      rc_warn("skipping ", name, " in the spool: it is a symbolic link") ;
      return ;
    case RC_ENTRY_NOTREG :
      notreg++ ;
      rc_warn("skipping ", name, " in the spool: it is not a regular file") ;
      return ;
    case RC_ENTRY_ERROR :
      failed++ ;
      rc_warnsys("unable to read ", rc_quote(q, name), " in the spool") ;
      return ;
    case RC_ENTRY_OK : break ;
  }
  r.mtime = e.st.st_mtime ;
  r.left = (long)(r.mtime + (time_t)expiry - now) ;
  r.redis = 0 ;
  r.age = rc_spool_age(&e.st, now, expiry) ;
  if (!all && r.age != RC_FRESH)
  {
    if (r.age == RC_STALE) expired++ ; else future++ ;
    return ;
  }
  keep(&r, &e) ;
}

/* A key's age is the expiry less its TTL; one without a TTL (not
   written by relay-ctrl-allow) shows age 0 and LEFT -1. */
static int one_redis (char const *addr, char const *data, size_t len, long ttl, void *ctx)
{
  struct rc_entry e ;
  struct row r ;
  (void)ctx ;
  rc_entry_parse(&e, data, len) ;
  memcpy(r.addr, addr, strlen(addr) + 1) ;
  r.left = ttl < 0 ? -1 : ttl ;
  r.mtime = ttl < 0 ? now : now - ((time_t)expiry - (time_t)ttl) ;
  r.age = RC_FRESH ;
  r.redis = 1 ;
  keep(&r, &e) ;
  return 0 ;
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
  int dirfd, m = 0 ;
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
  dirfd = rc_redis_only(1) ? -1 : rc_ops_spool() ;
  expiry = rc_expiry() ;
  now = time(0) ;
  if (dirfd >= 0 && rc_spool_each(dirfd, &one, 0) < 0) rc_fatalsys(111, "unable to read the spool") ;
  if (rc_redis_endpoint(1) && rc_redis_each(1, &one_redis, 0, 0) < 0) failed++ ;
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
