/* relay-ctrl-check PROG...: sets RELAYCLIENT for PROG if the client's
   address logged in within the expiry time. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <skalibs/types.h>
#include <skalibs/fmtscan.h>
#include <sys/prctl.h>
#include "rc.h"
#include "rc_redis.h"
#include "rc_lookup.h"

#define USAGE "relay-ctrl-check prog..."
#define NOT_DONE "not relaying for "

static void log_import (char const *record, size_t len, void *addr)
{
  (void)len ;
  rc_info((char const *)addr, ": imported ", record) ;
}

/* The USER record among the w bytes of modifications, if any. */
static char const *imported_user (char const *modif, size_t w)
{
  size_t pos = 0 ;
  while (pos < w)
  {
    char const *rec = modif + pos ;
    if (!strncmp(rec, "USER=", 5) && rec[5]) return rec + 5 ;
    pos += strlen(rec) + 1 ;
  }
  return 0 ;
}

/* The modifications for a login l found (in Redis if l->redis):
   RELAYCLIENT and the records that pass the allowlist. 0 if none. */
static size_t relay (char *modif, size_t max, struct rc_lookup const *l, char const *addr, int logips)
{
  char q[RC_QUOTE_MAX] ;
  char const *relayclient = getenv("RELAY_CTRL_RELAYCLIENT") ;
  char const *where = l->redis ? " in Redis" : " in the spool" ;
  char const *why ;
  unsigned int rejected = 0 ;
  size_t w ;
  if (!relayclient) relayclient = "" ;
  if (strlen(relayclient) > max / 2) { rc_warn(NOT_DONE, addr, ": RELAY_CTRL_RELAYCLIENT is too long") ; return 0 ; }
  w = str_fmt(modif, "RELAYCLIENT=") ;
  w += str_fmt(modif + w, relayclient) ;
  modif[w++] = 0 ;
  if (l->readable)
    w = rc_records_parse(modif, max, w, l->data, l->len, getenv("RELAY_CTRL_LOG_ENV") ? &log_import : 0, (void *)addr, &rejected, &why) ;
  else if (l->err) { errno = l->err ; rc_warnsys("relaying for ", addr, " without its records: unable to read them") ; }
  else rc_warn("relaying for ", addr, " without its records: the spool entry is not readable") ;
  if (!l->redis && l->readable && l->st.st_size > (off_t)sizeof(l->data))
  {
    char fmt[UINT64_FMT] ;
    fmt[uint64_fmt(fmt, (uint64_t)l->st.st_size)] = 0 ;
    rc_warn(addr, " in the spool is ", fmt, " bytes long: only the records in its first 4096 bytes were read") ;
  }
  else if (rejected)
  {
    char fmt[UINT_FMT] ;
    fmt[uint_fmt(fmt, rejected)] = 0 ;
    rc_warn("ignored ", fmt, " record(s) of ", addr, where, ", the first for: ", why) ;
  }
  if (!logips) return w ;
  if (l->redis) rc_info("relaying for ", addr, " (Redis)") ;
  else
  {
    char const *user = imported_user(modif, w) ;
    if (user) rc_info("relaying for ", addr, " (user ", rc_quote(q, user), ")") ;
    else rc_info("relaying for ", addr) ;
  }
  return w ;
}

/* The spool's verdict, acted on. addr: the canonical address, left
   empty if there is none. */
static enum rc_lookup_e check (int logips, char *addr, struct rc_lookup *l)
{
  char q[RC_QUOTE_MAX] ;
  char const *ip = getenv("TCPREMOTEIP") ;
  enum rc_lookup_e v ;
  int dirfd, inherited ;
  if (!ip) { rc_warn("not relaying: TCPREMOTEIP is not set") ; return RC_LOOKUP_ERROR ; }
  if (!rc_addr_canon(addr, ip, strlen(ip)))
  {
    rc_warn(NOT_DONE, rc_quote(q, ip), ": not an IP address") ;
    return RC_LOOKUP_ERROR ;
  }
  if (rc_redis_only(1)) return RC_LOOKUP_NONE ;
  dirfd = rc_spool_open(&inherited, NOT_DONE, addr) ;
  if (dirfd < 0) return RC_LOOKUP_NONE ;
  v = rc_lookup_spool(dirfd, addr, 0, RC_LOOKUP_KEEP, l) ;
  rc_lookup_say(v, l, addr, logips) ;
  if (v == RC_LOOKUP_STALE && rc_spool_remove_stale(dirfd, addr, l->expiry) < 0)
    rc_warnsys("unable to remove expired ", addr, " from the spool") ;
  return v ;
}

int main (int argc, char const *const *argv)
{
  char modif[2 * RC_RECORDS_MAX + 32 + RC_REDIS_HIDE_MAX] ;
  char addr[RC_ADDR_MAX] = "" ;
  size_t max = sizeof(modif) - 20 - RC_REDIS_HIDE_MAX ;
  char hide[24] ;
  struct rc_lookup l ;
  enum rc_lookup_e v = RC_LOOKUP_ERROR ;
  size_t w = 0, hidelen ;
  int logips ;
  prctl(PR_SET_DUMPABLE, 0) ;  /* first of all: doc/security.md */
  logips = !!getenv("RELAY_CTRL_LOG_IPS") ;
  rc_log_name("relay-ctrl-check") ;
  if (argc < 2) rc_usage(USAGE) ;
  if (getenv("RELAYCLIENT"))
  {
    if (logips) rc_info("RELAYCLIENT is already set: leaving it") ;
  }
  else
  {
    v = check(logips, addr, &l) ;
    if (v == RC_LOOKUP_ALLOW) w = relay(modif, max, &l, addr, logips) ;
  }
  /* Done with the spool: not held through a Redis call. */
  hidelen = rc_spool_hide(hide) ;
  if (v != RC_LOOKUP_ALLOW && addr[0] && rc_lookup_redis(addr, v, logips, &l) == RC_LOOKUP_ALLOW)
    w = relay(modif, max, &l, addr, logips) ;
  memcpy(modif + w, hide, hidelen) ;
  w += hidelen ;
  w += rc_redis_hide(modif + w) ;
  rc_exec(argv + 1, modif, w) ;
}
