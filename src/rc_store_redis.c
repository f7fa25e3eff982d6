/* Redis as a store: the key PREFIX + address holds the spool entry's
   records, its TTL the expiry (rc_redis.c talks to the server, and
   still logs its own failures: found->logged). */

#include <string.h>
#include "rc_store.h"
#include "rc_redis.h"

static int configured (struct rc_settings const *s)
{
  return s->redis ;
}

static enum rc_verdict_e lookup (struct rc_settings *s, char const *addr, int flags, enum rc_verdict_e v, struct rc_found *f)
{
  size_t len = 0 ;
  int r = flags & RC_STORE_SMTP
    ? rc_redis_read(addr, f->data, sizeof(f->data), &len, s->logips)
    : rc_redis_get(addr, f->data, sizeof(f->data), &len, 0) ;
  if (r < 0)
  {
    f->redis = f->logged = 1 ;
    f->why = "Redis did not answer" ;
    f->err = 0 ;
    return RC_VERDICT_ERROR ;
  }
  if (!r) return v ;
  f->len = len ;
  f->redis = f->readable = 1 ;
  f->logged = 0 ;
  f->why = 0 ;
  f->err = 0 ;
  return RC_VERDICT_ALLOW ;
}

static int record (struct rc_settings *s, char const *addr, char const *data, size_t len, struct rc_why *w)
{
  (void)w ;
  rc_redis_allow(addr, data, len, rc_settings_expiry(s)) ;
  return 1 ;
}

static void item (struct rc_item *it, char const *addr, char const *data, size_t len, long ttl)
{
  memset(it, 0, sizeof(*it)) ;
  it->addr = addr ;
  it->canon = it->redis = 1 ;
  it->ttl = ttl ;
  it->state = RC_ENTRY_OK ;
  rc_entry_parse(&it->e, data, len) ;
}

static int remove_stale (struct rc_settings *s, char const *addr, unsigned int expiry)
{
  (void)s ; (void)addr ; (void)expiry ;
  return 0 ;
}

/* 1 removed, 0 none, -1 failed (logged). The predicate is not asked:
   a key is removed by address whatever it holds. */
static int remove_if (struct rc_settings *s, char const *addr, rc_store_pred *pred, void *ctx, struct rc_item *it)
{
  char data[RC_RECORDS_MAX] ;
  size_t len = 0 ;
  int r = rc_redis_del(addr, data, sizeof(data), &len) ;
  (void)s ; (void)pred ; (void)ctx ;
  item(it, addr, data, r > 0 ? len : 0, -1) ;
  if (r < 0) it->state = RC_ENTRY_ERROR ;
  return r ;
}

struct walk { rc_store_pred *pred ; rc_store_func *f ; void *ctx ; struct rc_item it ; } ;

static int judge (char const *addr, char const *data, size_t len, long ttl, void *ctx)
{
  struct walk *wk = ctx ;
  item(&wk->it, addr, data, len, ttl) ;
  if (wk->pred) return (*wk->pred)(&wk->it, wk->ctx) ;
  (*wk->f)(&wk->it, 0, wk->ctx) ;
  return 0 ;
}

static int removed (char const *addr, char const *data, size_t len, long ttl, void *ctx)
{
  struct walk *wk = ctx ;
  item(&wk->it, addr, data, len, ttl) ;
  (*wk->f)(&wk->it, 1, wk->ctx) ;
  return 0 ;
}

static int each (struct rc_settings *s, rc_store_pred *pred, rc_store_func *f, void *ctx)
{
  struct walk wk = { .pred = pred, .f = f, .ctx = ctx } ;
  return rc_redis_each(s->reading, &judge, &removed, &wk) ;
}

struct rc_store_ops const rc_store_redis =
{
  .name = "Redis",
  .flag = RC_STORE_REDIS,
  .configured = &configured,
  .lookup = &lookup,
  .record = &record,
  .remove_stale = &remove_stale,
  .remove_if = &remove_if,
  .each = &each,
} ;
