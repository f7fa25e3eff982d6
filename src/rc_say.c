/* The programs' side of the store seam: one phrasing of each verdict,
   reason and setting, for every front end (the stores log nothing). */

#include <errno.h>
#include "rc_say.h"

#define NOT_DONE "not relaying for "

void rc_say_why (char const *not_done, char const *addr, struct rc_why const *w)
{
  if (w->err) { errno = w->err ; rc_warnsys(not_done, addr, ": ", w->text) ; }
  else rc_warn(not_done, addr, ": ", w->text) ;
}

/* none_said: a miss was said already (the SMTP side's Redis says it). */
void rc_say_verdict (enum rc_verdict_e v, struct rc_found const *f, char const *addr, int logips, int none_said)
{
  switch (v)
  {
    case RC_VERDICT_NONE :
      if (logips && !none_said) rc_info(NOT_DONE, addr, ": no login recorded") ;
      break ;
    case RC_VERDICT_ERROR :
      if (f->err) { errno = f->err ; rc_warnsys(NOT_DONE, addr, ": ", f->why) ; }
      else rc_warn(NOT_DONE, addr, ": ", f->why) ;
      break ;
    case RC_VERDICT_FUTURE :
      rc_warn(NOT_DONE, addr, ": its spool entry is dated in the future") ;
      break ;
    case RC_VERDICT_STALE :
      if (logips) rc_info(NOT_DONE, addr, ": its login has expired") ;
      break ;
    case RC_VERDICT_ALLOW : break ;
  }
}

/* with_user: name the user of a Redis login too. */
void rc_say_relaying (char const *addr, char const *user, int redis, int with_user)
{
  char q[RC_QUOTE_MAX] ;
  char const *r = redis ? " (Redis)" : "" ;
  if (redis && !with_user) user = 0 ;
  if (user && *user) rc_info("relaying for ", addr, " (user ", rc_quote(q, user), ")", r) ;
  else rc_info("relaying for ", addr, r) ;
}

static void say_expiry (char const *text)
{
  char q[RC_QUOTE_MAX] ;
  rc_warn("RELAY_CTRL_EXPIRY=", rc_quote(q, text), " is not a positive number of seconds, using 900") ;
}

unsigned int rc_say_expiry_scan (char const *text)
{
  unsigned int n ;
  if (!rc_expiry_scan(text, &n)) say_expiry(text) ;
  return n ;
}

void rc_say_expiry (struct rc_settings *s)
{
  if (s->expirybad != 1) return ;
  s->expirybad = 2 ;
  say_expiry(s->expirytext) ;
}

void rc_say_redis_timeout (char const *junk)
{
  char q[RC_QUOTE_MAX] ;
  if (junk) rc_warn("RELAY_CTRL_REDIS_TIMEOUT=", rc_quote(q, junk), " is not a number of milliseconds from 1 to 60000, using 200") ;
}

static void say_timeout (rc_redis_why const *w)
{
  rc_say_redis_timeout(w->timeout) ;
}

static void say_key (char const *key)
{
  char q[RC_QUOTE_MAX] ;
  rc_warn("skipping ", rc_quote(q, key), " in Redis: it is not a string, which grants nothing") ;
}

/* A failure as the man page words it: before, addr, " in Redis ",
   server, ": ", reason; or, when the endpoint is unusable, before,
   addr, bad_ep, reason. */
static void say_failed (char const *before, char const *addr, char const *bad_ep, rc_redis_why const *w)
{
  char q[RC_QUOTE_MAX] ;
  if (w->server) rc_warn(before, addr, " in Redis ", rc_quote(q, w->server), ": ", w->text) ;
  else rc_warn(before, addr, bad_ep, w->text) ;
}

/* The SMTP side: a build without Redis, failures, and under logips a
   miss ("no login recorded"). */
void rc_say_redis_read (struct rc_redis_said const *rd, char const *addr, int logips)
{
  char q[RC_QUOTE_MAX] ;
  rc_redis_why const *w = &rd->why ;
  if (!rd->asked) return ;
  say_timeout(w) ;
  if (w->nobuild) rc_warn(NOT_DONE, addr, " from Redis: this build has no Redis support") ;
  else if (rd->r < 0 && w->server) rc_warn(NOT_DONE, addr, ": Redis ", rc_quote(q, w->server), ": ", w->text) ;
  else if (rd->r < 0) rc_warn(NOT_DONE, addr, ": ", w->text) ;
  else if (!rd->r && logips) rc_info(NOT_DONE, addr, ": no login recorded") ;
}

static void say_nobuild (void)
{
  rc_warn("not using Redis: this build has no Redis support") ;
}

void rc_say_redis_query (struct rc_redis_said const *rd, char const *addr)
{
  rc_redis_why const *w = &rd->why ;
  if (!rd->asked) return ;
  say_timeout(w) ;
  if (w->notstring) say_key(w->text) ;
  if (rd->r >= 0) return ;
  if (w->nobuild) say_nobuild() ;
  else say_failed("unable to query ", addr, " in Redis: ", w) ;
}

void rc_say_redis_record (struct rc_redis_said const *rd, char const *addr, int logips)
{
  char q[RC_QUOTE_MAX] ;
  rc_redis_why const *w = &rd->why ;
  if (!rd->asked) return ;
  say_timeout(w) ;
  if (rd->r < 0 && w->nobuild) rc_warn("not recording login from ", addr, " in Redis: this build has no Redis support") ;
  else if (rd->r < 0) say_failed("not recording login from ", addr, ": ", w) ;
  else if (rd->r && logips) rc_info("recorded login from ", addr, " in Redis ", rc_quote(q, w->server)) ;
}

void rc_say_redis_revoke (struct rc_redis_said const *rd, char const *addr)
{
  rc_redis_why const *w = &rd->why ;
  if (!rd->asked) return ;
  say_timeout(w) ;
  if (rd->r >= 0) return ;
  if (w->nobuild) say_nobuild() ;
  else say_failed("unable to revoke ", addr, " in Redis: ", w) ;
}

void rc_say_redis_walk (struct rc_redis_said const *rd, int reading)
{
  rc_redis_why const *w = &rd->why ;
  if (!rd->asked) return ;
  say_timeout(w) ;
  if (rd->r >= 0) return ;
  if (w->nobuild) say_nobuild() ;
  else say_failed(reading ? "unable to list" : "unable to revoke", " the keys", " in Redis: ", w) ;
}

int rc_say_not_string (struct rc_item const *it)
{
  if (!it->notstring) return 0 ;
  say_key(it->key) ;
  return 1 ;
}

int rc_spool_or_die (struct rc_settings *s)
{
  struct rc_why w ;
  int fd = rc_spool_dir(s, 1, &w) ;
  if (fd >= 0) return fd ;
  rc_die_why(&w) ;
}

void rc_say_skipped (char const *name, char const *why, void *addr)
{
  rc_warn("not recording ", name, " for ", (char const *)addr, ": ", why) ;
}

void rc_etc_settings (char const *const *argv)
{
  stralloc sa = STRALLOC_ZERO ;
  char q[RC_QUOTE_MAX] ;
  char const *dir = 0 ;
  switch (rc_etc_read(&sa, &dir))
  {
    case RC_ETC_NOT_NEEDED : return ;
    case RC_ETC_MISSING :
      rc_fatal(100, "neither RELAY_CTRL_DIR_FD nor RELAY_CTRL_DIR is set, and there is no ", rc_etc_path, " to read them from") ;
    case RC_ETC_UNREADABLE :
      rc_fatalsys(111, "neither RELAY_CTRL_DIR_FD nor RELAY_CTRL_DIR is set: unable to read ", rc_etc_path) ;
    case RC_ETC_NO_STORE :
      rc_fatal(100, "neither RELAY_CTRL_DIR_FD nor RELAY_CTRL_DIR is set, nor RELAY_CTRL_DIR in ", rc_etc_path) ;
    case RC_ETC_SPOOL :
      rc_info("reading spool ", rc_quote(q, dir), " (RELAY_CTRL_DIR in ", rc_etc_path, ")") ;
      break ;
    case RC_ETC_REDIS :
      rc_info("reading Redis as set in ", rc_etc_path) ;
      break ;
  }
  rc_etc_exec(argv, &sa) ;
  rc_fatalsys(111, "unable to exec myself with the settings of ", rc_etc_path) ;
}
