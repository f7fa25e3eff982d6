/* Redis as a store: the key PREFIX + address holds the spool entry's
   records, its TTL the expiry (rc_redis.c talks to the server). What
   Redis said goes back in rd, for the program to phrase (rc_say.c). */

#include <string.h>
#include "rc_store.h"

static int configured (struct rc_settings const *s)
{
  return s->redis ;
}

/* The SMTP side asks GET only; a build without Redis is a miss there
   (the SMTP side goes on with the spool's verdict), a failure for the
   tools. */
static enum rc_verdict_e lookup (struct rc_settings *s, char const *addr, int flags, enum rc_verdict_e v, struct rc_found *f)
{
  size_t len = 0 ;
  int r = flags & RC_STORE_SMTP
    ? rc_redis_lookup(addr, f->data, sizeof(f->data), &len, &f->rd.why)
    : rc_redis_fetch(addr, f->data, sizeof(f->data), &len, 0, &f->rd.why) ;
  (void)s ;
  if (r < 0 && f->rd.why.nobuild && flags & RC_STORE_SMTP) r = 0 ;
  f->rd.asked = 1 ;
  f->rd.r = r ;
  if (r < 0)
  {
    f->redis = 1 ;
    f->why = "Redis did not answer" ;
    f->err = 0 ;
    return RC_VERDICT_ERROR ;
  }
  if (!r) return v ;
  f->len = len ;
  f->redis = f->readable = 1 ;
  f->why = 0 ;
  f->err = 0 ;
  return RC_VERDICT_ALLOW ;
}

/* One atomic SET with the expiry as TTL: no window where the key lives
   for ever. */
static int record (struct rc_settings *s, char const *addr, char const *data, size_t len, struct rc_why *w, struct rc_redis_said *rd)
{
  (void)w ;
  rd->asked = 1 ;
  rd->r = rc_redis_set(addr, data, len, rc_settings_expiry(s), &rd->why) ;
  return rd->r ;
}

static void item (struct rc_item *it, char const *addr, char const *key, char const *data, size_t len, long ttl)
{
  memset(it, 0, sizeof(*it)) ;
  it->addr = addr ;
  it->key = key ;
  it->notstring = key && !data ;
  it->canon = it->redis = 1 ;
  it->ttl = ttl ;
  it->state = RC_ENTRY_OK ;
  if (data) rc_entry_parse(&it->e, data, len) ;
}

static int remove_stale (struct rc_settings *s, char const *addr, unsigned int expiry)
{
  (void)s ; (void)addr ; (void)expiry ;
  return 0 ;
}

/* 1 removed, 0 none, -1 failed (it->rd). The predicate is not asked:
   a key is removed by address whatever it holds. */
static int remove_if (struct rc_settings *s, char const *addr, rc_store_pred *pred, void *ctx, struct rc_item *it)
{
  char data[RC_RECORDS_MAX] ;
  rc_redis_why why ;
  size_t len = 0 ;
  int r = rc_redis_remove(addr, data, sizeof(data), &len, &why) ;
  (void)s ; (void)pred ; (void)ctx ;
  item(it, addr, 0, data, r > 0 ? len : 0, -1) ;
  it->rd.asked = 1 ;
  it->rd.r = r ;
  it->rd.why = why ;
  if (why.notstring) { it->notstring = 1 ; it->key = it->rd.why.text ; }
  if (r < 0) it->state = RC_ENTRY_ERROR ;
  return r ;
}

struct walk { rc_store_pred *pred ; rc_store_func *f ; void *ctx ; struct rc_item it ; } ;

/* A key that is not a string is passed on as such, never removed. */
static int judge (char const *addr, char const *key, char const *data, size_t len, long ttl, void *ctx)
{
  struct walk *wk = ctx ;
  item(&wk->it, addr, key, data, len, ttl) ;
  if (data && wk->pred) return (*wk->pred)(&wk->it, wk->ctx) ;
  (*wk->f)(&wk->it, 0, wk->ctx) ;
  return 0 ;
}

static int removed (char const *addr, char const *key, char const *data, size_t len, long ttl, void *ctx)
{
  struct walk *wk = ctx ;
  item(&wk->it, addr, key, data, len, ttl) ;
  (*wk->f)(&wk->it, 1, wk->ctx) ;
  return 0 ;
}

/* rd in fail whatever the result: a settings warning may be in it. */
static int each (struct rc_settings *s, rc_store_pred *pred, rc_store_func *f, void *ctx, struct rc_item *fail)
{
  static struct walk wk ;
  rc_redis_why why ;
  int r ;
  wk.pred = pred ; wk.f = f ; wk.ctx = ctx ;
  r = rc_redis_walk(s->reading, &judge, &removed, &wk, &why) ;
  item(fail, "", 0, 0, 0, -1) ;
  fail->rd.asked = 1 ;
  fail->rd.r = r ;
  fail->rd.why = why ;
  return r < 0 ? -1 : 0 ;
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
