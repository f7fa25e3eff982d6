/* relay-ctrl-check PROG...: sets RELAYCLIENT for PROG if the client's
   address logged in within the expiry time. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <skalibs/types.h>
#include <skalibs/fmtscan.h>
#include <sys/prctl.h>
#include "rc_say.h"
#include "rc_redis.h"

#define USAGE "relay-ctrl-check prog..."

struct run { struct rc_settings s ; char addr[RC_ADDR_MAX] ; char hide[RC_SPOOL_HIDE_MAX] ; size_t hidelen ; int hidden ; } ;

static void log_import (char const *record, size_t len, void *addr)
{
  (void)len ;
  rc_info((char const *)addr, ": imported ", record) ;
}

/* The USER record among the w bytes of modifications, if any. */
static char const *imported_user (char const *modif, size_t w)
{
  for (size_t pos = 0 ; pos < w ; pos += strlen(modif + pos) + 1)
    if (!strncmp(modif + pos, "USER=", 5) && modif[pos + 5]) return modif + pos + 5 ;
  return 0 ;
}

/* Done with the spool: not held through a Redis call. */
static void hide (struct run *r)
{
  if (r->hidden++) return ;
  r->hidelen = rc_spool_hide_fd(&r->s, r->hide) ;
}

/* The spool's verdict, acted on before Redis is asked; Redis's. */
static void step (struct rc_store_ops const *store, enum rc_verdict_e v, struct rc_found *f, void *ctx)
{
  struct run *r = ctx ;
  char const *addr = r->addr ;
  if (store != &rc_store_spool) { rc_say_redis_read(&f->rd, addr, r->s.logips) ; return ; }
  rc_say_expiry(&r->s) ;
  rc_say_verdict(v, f, addr, r->s.logips, r->s.redis) ;
  if (v == RC_VERDICT_STALE && store->remove_stale(&r->s, addr, f->expiry) < 0)
    rc_warnsys("unable to remove expired ", addr, " from the spool") ;
  hide(r) ;
}

/* RELAYCLIENT and the records that pass the allowlist, into modif. */
static size_t relay (char *modif, size_t max, char const *relayclient, struct rc_found const *f, char const *addr, int logips)
{
  char const *why ;
  unsigned int rejected = 0 ;
  size_t w = str_fmt(modif, "RELAYCLIENT=") ;
  w += str_fmt(modif + w, relayclient) ;
  modif[w++] = 0 ;
  if (f->readable)
    w = rc_records_parse(modif, max, w, f->data, f->len, getenv("RELAY_CTRL_LOG_ENV") ? &log_import : 0, (void *)addr, &rejected, &why) ;
  else if (f->err) { errno = f->err ; rc_warnsys("relaying for ", addr, " without its records: unable to read them") ; }
  else rc_warn("relaying for ", addr, " without its records: the spool entry is not readable") ;
  if (!f->redis && f->readable && f->st.st_size > (off_t)sizeof(f->data))
  {
    char fmt[UINT64_FMT] ;
    fmt[uint64_fmt(fmt, (uint64_t)f->st.st_size)] = 0 ;
    rc_warn(addr, " in the spool is ", fmt, " bytes long: only the records in its first 4096 bytes were read") ;
  }
  else if (rejected)
  {
    char fmt[UINT_FMT] ;
    fmt[uint_fmt(fmt, rejected)] = 0 ;
    rc_warn("ignored ", fmt, " record(s) of ", addr, f->redis ? " in Redis" : " in the spool", ", the first for: ", why) ;
  }
  if (logips) rc_say_relaying(addr, imported_user(modif, w), f->redis, 0) ;
  return w ;
}

int main (int argc, char const *const *argv)
{
  static struct run r ;
  static struct rc_found f ;
  char q[RC_QUOTE_MAX] ;
  char const *ip, *relayclient ;
  char *addr = r.addr ;
  enum rc_verdict_e v = RC_VERDICT_ERROR ;
  prctl(PR_SET_DUMPABLE, 0) ;  /* first of all: doc/security.md */
  rc_settings_read(&r.s, 1) ;
  rc_log_name("relay-ctrl-check") ;
  if (argc < 2) rc_usage(USAGE) ;
  ip = getenv("TCPREMOTEIP") ;
  relayclient = getenv("RELAY_CTRL_RELAYCLIENT") ;
  if (!relayclient) relayclient = "" ;
  if (getenv("RELAYCLIENT")) { if (r.s.logips) rc_info("RELAYCLIENT is already set: leaving it") ; }
  else if (!ip) rc_warn("not relaying: TCPREMOTEIP is not set") ;
  else if (!rc_addr_canon(addr, ip, strlen(ip))) rc_warn("not relaying for ", rc_quote(q, ip), ": not an IP address") ;
  else v = rc_store_lookup(&r.s, addr, RC_STORE_KEEP | RC_STORE_SMTP, &f, &step, &r) ;
  hide(&r) ;
  {
    /* Sized from what goes in: no limit but the caller's own. */
    size_t max = v == RC_VERDICT_ALLOW ? 13 + strlen(relayclient) + f.len : 0 ;
    char modif[max + RC_SPOOL_HIDE_MAX + RC_REDIS_HIDE_MAX] ;
    size_t w = v == RC_VERDICT_ALLOW ? relay(modif, max, relayclient, &f, addr, r.s.logips) : 0 ;
    memcpy(modif + w, r.hide, r.hidelen) ;
    w += r.hidelen ;
    w += rc_redis_hide(modif + w) ;
    rc_exec(argv + 1, modif, w) ;
  }
}
