/* The store seam: settings, and the walk over the stores in order. */

#include <stdlib.h>
#include <string.h>
#include "rc_store.h"
#include "rc_redis.h"

struct rc_store_ops const *const rc_stores[] = { &rc_store_spool, &rc_store_redis, 0 } ;

void rc_settings_read (struct rc_settings *s, int reading)
{
  rc_settings_spool(s) ;
  s->expirytext = getenv("RELAY_CTRL_EXPIRY") ;
  s->logips = !!getenv("RELAY_CTRL_LOG_IPS") ;
  s->reading = reading ;
  s->redis = !!rc_redis_endpoint(reading) ;
  s->redisonly = s->redis && !s->fdtext && !s->dir ;
}

unsigned int rc_settings_expiry (struct rc_settings *s)
{
  if (!s->expiry && !rc_expiry_scan(s->expirytext, &s->expiry)) s->expirybad = 1 ;
  return s->expiry ;
}

enum rc_verdict_e rc_store_lookup (struct rc_settings *s, char const *addr, int flags, struct rc_found *f, rc_store_step *step, void *ctx)
{
  enum rc_verdict_e v = RC_VERDICT_NONE ;
  f->len = 0 ;
  f->readable = f->redis = f->err = 0 ;
  f->rd.asked = 0 ;
  f->why = 0 ;
  for (struct rc_store_ops const *const *p = rc_stores ; *p ; p++)
  {
    if (!(*p)->configured(s)) continue ;
    v = (*p)->lookup(s, addr, flags, v, f) ;
    if (step) (*step)(*p, v, f, ctx) ;
    if (v == RC_VERDICT_ALLOW) break ;
  }
  return v ;
}

int rc_store_record (struct rc_settings *s, int flags, char const *addr, char const *data, size_t len, struct rc_why *w, struct rc_redis_said *rd)
{
  int r = 0 ;
  rd->asked = 0 ;
  for (struct rc_store_ops const *const *p = rc_stores ; *p ; p++)
  {
    int x ;
    if (!((*p)->flag & flags) || !(*p)->configured(s)) continue ;
    x = (*p)->record(s, addr, data, len, w, rd) ;
    if ((*p)->flag == RC_STORE_SPOOL) r = x ;
  }
  return r ;
}
