/* Authorizations in Redis: the key PREFIX + canonical address holds the
   same records as the spool file, and the expiry is the key's TTL. The
   settings are read from the environment once; rc_redis_link.c does
   the talking. Nothing here logs: failures come back in an
   rc_redis_why, for the programs to phrase (rc_say.c). */

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <skalibs/types.h>
#include "rc_redis.h"
#include "rc_redis_link.h"

#define AUTH_FD "RELAY_CTRL_REDIS_AUTH_FD"

typedef struct settings_s settings ;
struct settings_s
{
  char const *write ;
  char const *read ;
  char const *prefix ;
  size_t prefixlen ;
  char const *auth_text ;
  char const *timeout_junk ;
  rc_redis_auth auth ;
} ;

static settings const *get (void)
{
  static settings s ;
  static int done ;
  unsigned int n ;
  char const *t ;
  if (done) return &s ;
  done = 1 ;
  s.write = getenv("RELAY_CTRL_REDIS") ;
  s.read = getenv("RELAY_CTRL_REDIS_READ") ;
  s.prefix = getenv("RELAY_CTRL_REDIS_PREFIX") ;
  if (!s.prefix) s.prefix = RC_REDIS_PREFIX_DEFAULT ;
  s.prefixlen = strlen(s.prefix) ;
  if (s.prefixlen > RC_RECORDS_MAX) s.prefixlen = RC_RECORDS_MAX ;
  s.auth.user = getenv("RELAY_CTRL_REDIS_USER") ;
  switch (rc_env_fd(AUTH_FD, &s.auth.fd, &s.auth_text))
  {
    case 0 : s.auth.fd = -1 ; break ;
    case -1 : s.auth.fd = -2 ; break ;
  }
  s.auth.timeout_ms = RC_REDIS_TIMEOUT_DEFAULT ;
  t = getenv("RELAY_CTRL_REDIS_TIMEOUT") ;
  if (t && uint0_scan(t, &n) && n && n <= RC_REDIS_TIMEOUT_MAX) s.auth.timeout_ms = n ;
  else if (t) s.timeout_junk = t ;
  return &s ;
}

/* The endpoint for reading (-check) or writing (-allow), if any. */
char const *rc_redis_endpoint (int reading)
{
  settings const *s = get() ;
  return reading && s->read ? s->read : s->write ;
}

/* Redis is configured and the spool is not: the spool stays silent. */
int rc_redis_only (int reading)
{
  return rc_redis_endpoint(reading) && !getenv("RELAY_CTRL_DIR_FD") && !getenv("RELAY_CTRL_DIR") ;
}

/* The next program must not reach the password: closes its fd and
   writes the modification that unsets the variable. */
size_t rc_redis_hide (char *modif)
{
  settings const *s = get() ;
  if (!s->auth_text) return 0 ;
  if (s->auth.fd > 2) close(s->auth.fd) ;
  memcpy(modif, AUTH_FD, sizeof(AUTH_FD)) ;
  return sizeof(AUTH_FD) ;
}

static void why_clear (rc_redis_why *why)
{
  why->server = why->timeout = 0 ;
  why->nobuild = why->notstring = 0 ;
  why->text[0] = 0 ;
}

#ifdef RC_NO_REDIS

char const *rc_redis_timeout_junk (int reading)
{
  (void)reading ;
  return 0 ;
}

static int unsupported (int reading, rc_redis_why *why)
{
  why_clear(why) ;
  if (!rc_redis_endpoint(reading)) return 0 ;
  why->nobuild = 1 ;
  memcpy(why->text, "this build has no Redis support", 32) ;
  return -1 ;
}

int rc_redis_set (char const *addr, char const *data, size_t len, unsigned int expiry, rc_redis_why *why)
{
  (void)addr ; (void)data ; (void)len ; (void)expiry ;
  return unsupported(0, why) ;
}

int rc_redis_lookup (char const *addr, char *data, size_t max, size_t *len, rc_redis_why *why)
{
  (void)addr ; (void)data ; (void)max ; (void)len ;
  return unsupported(1, why) ;
}

int rc_redis_fetch (char const *addr, char *data, size_t max, size_t *len, long *ttl, rc_redis_why *why)
{
  (void)addr ; (void)data ; (void)max ; (void)len ; (void)ttl ;
  return unsupported(1, why) ;
}

int rc_redis_remove (char const *addr, char *data, size_t max, size_t *len, rc_redis_why *why)
{
  (void)addr ; (void)data ; (void)max ; (void)len ;
  return unsupported(0, why) ;
}

int rc_redis_walk (int reading, rc_redis_func *f, rc_redis_func *deleted, void *ctx, rc_redis_why *why)
{
  (void)f ; (void)deleted ; (void)ctx ;
  return unsupported(reading, why) ;
}

#else

/* A key that is not a string, named in why. */
static void not_string (rc_redis_why *why, char const *k)
{
  size_t n = strlen(k) ;
  if (n >= RC_REDIS_REASON_MAX) n = RC_REDIS_REASON_MAX - 1 ;
  memcpy(why->text, k, n) ;
  why->text[n] = 0 ;
  why->notstring = 1 ;
}

/* One connection for one or more commands; a failure closes it and
   leaves the reason in why. */
typedef struct conn_s conn ;
struct conn_s
{
  rc_redis_ep ep ;
  rc_redis_link link ;
  rc_redis_why *why ;
} ;

static int conn_fail (conn *c, redisReply *r)
{
  if (r) { rc_redis_link_describe(c->link.why, "", r) ; freeReplyObject(r) ; }
  c->why->server = c->ep.text ;
  rc_redis_say(c->why->text, c->link.why, 0) ;
  rc_redis_link_close(&c->link) ;
  return -1 ;
}

/* RELAY_CTRL_REDIS_TIMEOUT's junk is said once, before the first
   connection tried with a usable endpoint. */
static int warned ;

char const *rc_redis_timeout_junk (int reading)
{
  settings const *s = get() ;
  char const *text = rc_redis_endpoint(reading) ;
  rc_redis_ep ep ;
  if (!text || !s->timeout_junk || warned || !rc_redis_ep_scan(&ep, text)) return 0 ;
  warned = 1 ;
  return s->timeout_junk ;
}

/* 1 connected, 0 none configured, -1 failed (why). */
static int conn_open (conn *c, int reading, rc_redis_why *why)
{
  char q[RC_QUOTE_MAX] ;
  settings const *s = get() ;
  char const *text = rc_redis_endpoint(reading) ;
  c->why = why ;
  why_clear(why) ;
  c->link.fd = -1 ;
  c->link.auth = 0 ;
  c->link.why[0] = 0 ;
  if (!text) return 0 ;
  if (!rc_redis_ep_scan(&c->ep, text))
  {
    rc_redis_say(why->text, reading && s->read ? "RELAY_CTRL_REDIS_READ=" : "RELAY_CTRL_REDIS=", rc_quote(q, text)) ;
    strncat(why->text, " is not a.b.c.d:port, [v6addr]:port or /socket/path", RC_REDIS_REASON_MAX - 1 - strlen(why->text)) ;
    return -1 ;
  }
  if (s->timeout_junk && !warned++) why->timeout = s->timeout_junk ;
  if (s->auth.fd == -2)
  {
    rc_redis_say(c->link.why, AUTH_FD "=", rc_quote(q, s->auth_text)) ;
    strncat(c->link.why, " is not a file descriptor", RC_REDIS_WHY_MAX - 1 - strlen(c->link.why)) ;
    return conn_fail(c, 0) ;
  }
  if (s->auth.fd < 0 && s->auth.user)
  {
    rc_redis_say(c->link.why, "RELAY_CTRL_REDIS_USER is set but there is no password (" AUTH_FD ")", 0) ;
    return conn_fail(c, 0) ;
  }
  return rc_redis_link_open(&c->link, &c->ep, &s->auth) ? 1 : conn_fail(c, 0) ;
}

static size_t key (char *buf, char const *addr)
{
  settings const *s = get() ;
  size_t n = strlen(addr) ;
  memcpy(buf, s->prefix, s->prefixlen) ;
  memcpy(buf + s->prefixlen, addr, n + 1) ;
  return s->prefixlen + n ;
}

int rc_redis_set (char const *addr, char const *data, size_t len, unsigned int expiry, rc_redis_why *why)
{
  char k[RC_RECORDS_MAX + RC_ADDR_MAX] ;
  char ttl[UINT_FMT] ;
  char const *argv[5] = { "SET", k, data, "EX", ttl } ;
  size_t argvlen[5] = { 3, 0, len, 2, 0 } ;
  redisReply *r ;
  conn c ;
  int ok = conn_open(&c, 0, why) ;
  if (ok <= 0) return ok ;
  argvlen[1] = key(k, addr) ;
  argvlen[4] = uint_fmt(ttl, expiry) ;
  r = rc_redis_link_ask(&c.link, 5, argv, argvlen) ;
  if (!r || r->type != REDIS_REPLY_STATUS || strcmp(r->str, "OK")) return conn_fail(&c, r) ;
  freeReplyObject(r) ;
  rc_redis_link_close(&c.link) ;
  why->server = c.ep.text ;
  return 1 ;
}

/* GET only: a key of another type is a failure here, as the SMTP side
   has always said. */
int rc_redis_lookup (char const *addr, char *data, size_t max, size_t *len, rc_redis_why *why)
{
  char k[RC_RECORDS_MAX + RC_ADDR_MAX] ;
  char const *argv[2] = { "GET", k } ;
  size_t argvlen[2] = { 3, 0 } ;
  redisReply *r ;
  conn c ;
  int found = conn_open(&c, 1, why) ;
  if (found <= 0) return found ;
  argvlen[1] = key(k, addr) ;
  r = rc_redis_link_ask(&c.link, 2, argv, argvlen) ;
  if (!r || (r->type != REDIS_REPLY_NIL && r->type != REDIS_REPLY_STRING)) return conn_fail(&c, r) ;
  rc_redis_link_close(&c.link) ;
  found = r->type == REDIS_REPLY_STRING ;
  if (found)
  {
    *len = r->len < max ? r->len : max ;
    memcpy(data, r->str, *len) ;
  }
  freeReplyObject(r) ;
  return found ;
}
/* GET and TTL of one key (k is NUL-terminated): 1 found, 0 none or
   not a string (which grants nothing: why->notstring), -1 failed
   (why). */
static int fetch (conn *c, char const *k, size_t klen, char *data, size_t max, size_t *len, long *ttl)
{
  char const *argv[2] = { "GET", k } ;
  size_t argvlen[2] = { 3, klen } ;
  redisReply *r = rc_redis_link_ask(&c->link, 2, argv, argvlen) ;
  if (r && r->type == REDIS_REPLY_NIL) { freeReplyObject(r) ; return 0 ; }
  if (r && r->type == REDIS_REPLY_ERROR && !strncmp(r->str, "WRONGTYPE", 9))
  {
    not_string(c->why, k) ;
    freeReplyObject(r) ;
    return 0 ;
  }
  if (!r || r->type != REDIS_REPLY_STRING) return conn_fail(c, r) ;
  *len = r->len < max ? r->len : max ;
  memcpy(data, r->str, *len) ;
  freeReplyObject(r) ;
  if (!ttl) return 1 ;
  argv[0] = "TTL" ;
  r = rc_redis_link_ask(&c->link, 2, argv, argvlen) ;
  if (!r || r->type != REDIS_REPLY_INTEGER) return conn_fail(c, r) ;
  *ttl = (long)r->integer ;
  freeReplyObject(r) ;
  return *ttl == -2 ? 0 : 1 ;
}

int rc_redis_fetch (char const *addr, char *data, size_t max, size_t *len, long *ttl, rc_redis_why *why)
{
  char k[RC_RECORDS_MAX + RC_ADDR_MAX] ;
  conn c ;
  int r = conn_open(&c, 1, why) ;
  if (r <= 0) return r ;
  r = fetch(&c, k, key(k, addr), data, max, len, ttl) ;
  rc_redis_link_close(&c.link) ;
  return r ;
}

/* Read and removed in one step on the server: a login landing between
   a GET and a DEL would be removed under the name of the one read. */
#define GET_AND_DEL "local t = redis.call('TYPE', KEYS[1]).ok if t == 'none' then return 0 end local v = 1 if t == 'string' then v = redis.call('GET', KEYS[1]) end redis.call('DEL', KEYS[1]) return v"

int rc_redis_remove (char const *addr, char *data, size_t max, size_t *len, rc_redis_why *why)
{
  char k[RC_RECORDS_MAX + RC_ADDR_MAX] ;
  char const *argv[4] = { "EVAL", GET_AND_DEL, "1", k } ;
  size_t argvlen[4] = { 4, sizeof(GET_AND_DEL) - 1, 1, 0 } ;
  redisReply *rep ;
  conn c ;
  int r = conn_open(&c, 0, why) ;
  if (r <= 0) return r ;
  argvlen[3] = key(k, addr) ;
  *len = 0 ;
  rep = rc_redis_link_ask(&c.link, 4, argv, argvlen) ;
  if (!rep || (rep->type != REDIS_REPLY_INTEGER && rep->type != REDIS_REPLY_STRING)) return conn_fail(&c, rep) ;
  if (rep->type == REDIS_REPLY_STRING)
  {
    *len = rep->len < max ? rep->len : max ;
    memcpy(data, rep->str, *len) ;
    r = 1 ;
  }
  else
  {
    r = rep->integer > 0 ;
    if (r) not_string(why, k) ;
  }
  freeReplyObject(rep) ;
  rc_redis_link_close(&c.link) ;
  return r ;
}

/* Removes k only if it still holds the value judged: a login that
   arrived meanwhile is kept. */
#define DEL_IF_SAME "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"

/* One key of a SCAN batch: f on it if it is named after a canonical
   address; where f says 1, removed if unchanged and deleted called.
   0 done or skipped, -1 failed (why). */
static int each_key (conn *c, redisReply const *k, rc_redis_func *f, rc_redis_func *deleted, void *ctx)
{
  settings const *s = get() ;
  char addr[RC_ADDR_MAX] ;
  char data[RC_RECORDS_MAX] ;
  size_t alen, len ;
  long ttl ;
  int r ;
  if (k->type != REDIS_REPLY_STRING || k->len < s->prefixlen || memcmp(k->str, s->prefix, s->prefixlen)) return 0 ;
  alen = k->len - s->prefixlen ;
  if (!rc_addr_is_canonical(k->str + s->prefixlen, alen)) return 0 ;
  memcpy(addr, k->str + s->prefixlen, alen) ;
  addr[alen] = 0 ;
  r = fetch(c, k->str, k->len, data, sizeof(data), &len, &ttl) ;
  if (!r && c->why->notstring)
  {
    c->why->notstring = 0 ;
    c->why->text[0] = 0 ;
    (*f)(addr, k->str, 0, 0, -1, ctx) ;
  }
  if (r <= 0) return r ;
  if ((*f)(addr, k->str, data, len, ttl, ctx))
  {
    char const *argv[5] = { "EVAL", DEL_IF_SAME, "1", k->str, data } ;
    size_t argvlen[5] = { 4, sizeof(DEL_IF_SAME) - 1, 1, k->len, len } ;
    redisReply *d = rc_redis_link_ask(&c->link, 5, argv, argvlen) ;
    if (!d || d->type != REDIS_REPLY_INTEGER) return conn_fail(c, d) ;
    if (d->integer > 0) (*deleted)(addr, k->str, data, len, ttl, ctx) ;
    freeReplyObject(d) ;
  }
  return 0 ;
}

/* SCAN over PREFIX* with each_key on every key. */
int rc_redis_walk (int reading, rc_redis_func *f, rc_redis_func *deleted, void *ctx, rc_redis_why *why)
{
  settings const *s = get() ;
  char pattern[2 * RC_RECORDS_MAX + 2] ;
  char cursor[32] = "0" ;
  char const *argv[6] = { "SCAN", cursor, "MATCH", pattern, "COUNT", "100" } ;
  size_t argvlen[6] = { 4, 1, 5, 0, 5, 3 } ;
  size_t n = 0 ;
  conn c ;
  int r = conn_open(&c, reading, why) ;
  if (r <= 0) return r ;
  for (size_t i = 0 ; i < s->prefixlen ; i++)
  {
    if (strchr("*?[]\\", s->prefix[i])) pattern[n++] = '\\' ;
    pattern[n++] = s->prefix[i] ;
  }
  pattern[n++] = '*' ;
  argvlen[3] = n ;
  do
  {
    redisReply *rep ;
    argvlen[1] = strlen(cursor) ;
    rep = rc_redis_link_ask(&c.link, 6, argv, argvlen) ;
    if (!rep || rep->type != REDIS_REPLY_ARRAY || rep->elements != 2
     || rep->element[0]->type != REDIS_REPLY_STRING || rep->element[0]->len >= sizeof(cursor)
     || rep->element[1]->type != REDIS_REPLY_ARRAY)
      return conn_fail(&c, rep) ;
    memcpy(cursor, rep->element[0]->str, rep->element[0]->len) ;
    cursor[rep->element[0]->len] = 0 ;
    for (size_t i = 0 ; i < rep->element[1]->elements && r >= 0 ; i++)
      r = each_key(&c, rep->element[1]->element[i], f, deleted, ctx) ;
    freeReplyObject(rep) ;
  } while (r >= 0 && strcmp(cursor, "0") != 0) ;
  rc_redis_link_close(&c.link) ;
  return r < 0 ? -1 : 0 ;
}

#endif
