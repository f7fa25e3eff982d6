/* relay-ctrl-socketmap: a socketmap server (sendmail's K socket maps,
   Postfix's socketmap: tables) on stdin and stdout. Each request is a
   netstring "NAME KEY"; the answer is "OK value" when KEY is a client
   address that may relay now, "NOTFOUND " for any other key, "TEMP
   reason" when that cannot be told, "PERM reason" for a malformed
   request (and the connection is closed). */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <skalibs/types.h>
#include <skalibs/fmtscan.h>
#include <skalibs/tai.h>
#include <skalibs/iopause.h>
#include <skalibs/allreadwrite.h>
#include "rc_say.h"
#include "rc_netstring.h"

#define USAGE "relay-ctrl-socketmap"
#define REQUESTS_MAX 100000
#define TIMEOUT_DEFAULT 300
#define VALUE_MAX 256

static char const *value = "OK" ;
static unsigned int timeout = TIMEOUT_DEFAULT ;
static struct rc_settings set ;

static void answer (char const *a, char const *b)
{
  char out[UINT_FMT + 2 + VALUE_MAX + 16 + RC_WHY_MAX] ;
  size_t w = uint_fmt(out, (unsigned int)(strlen(a) + strlen(b))) ;
  out[w++] = ':' ;
  w += str_fmt(out + w, a) ;
  w += str_fmt(out + w, b) ;
  out[w++] = ',' ;
  if (allwrite(1, out, w) < w) rc_fatalsys(111, "unable to answer") ;
}

/* Sendmail built with IPV6_FULL (Debian's) writes "ipv6:" and all
   eight groups; Postfix writes the usual text. A host name or a parent
   network (Postfix's check_client_access asks for those too) is no
   client address: NOTFOUND. */
static void lookup (char const *key, size_t len)
{
  char addr[RC_ADDR_MAX] ;
  char q[RC_QUOTE_MAX] ;
  static struct rc_found l ;
  static struct rc_entry e ;
  enum rc_verdict_e v ;
  if (len > 5 && !strncasecmp(key, "ipv6:", 5)) key += 5, len -= 5 ;
  if (!rc_addr_canon(addr, key, len))
  {
    char k[RC_INPUT_MAX] ;
    if (set.logips)
    {
      size_t n = len < sizeof(k) - 1 ? len : sizeof(k) - 1 ;
      memcpy(k, key, n) ; k[n] = 0 ;
      rc_info("not found: ", rc_quote(q, k), " is not an IP address") ;
    }
    answer("NOTFOUND ", "") ;
    return ;
  }
  v = rc_store_lookup(&set, addr, 0, &l, 0, 0) ;
  rc_say_redis_query(&l.rd, addr) ;
  if (v == RC_VERDICT_ALLOW)
  {
    e.user[0] = 0 ;
    if (l.readable) rc_entry_parse(&e, l.data, l.len) ;
    if (set.logips) rc_say_relaying(addr, e.user, l.redis, 1) ;
    answer("OK ", value) ;
    return ;
  }
  rc_say_verdict(v, &l, addr, set.logips, 0) ;
  if (v == RC_VERDICT_ERROR && (l.err || l.redis)) { answer("TEMP ", l.why) ; return ; }
  answer("NOTFOUND ", "") ;
}

static void settings (void)
{
  char q[RC_QUOTE_MAX] ;
  char const *s = getenv("RELAY_CTRL_SOCKETMAP_VALUE") ;
  if (s)
  {
    size_t n = strlen(s) ;
    if (!n || n >= VALUE_MAX || rc_printable(s, n, 0) != n) rc_fatal(100, "RELAY_CTRL_SOCKETMAP_VALUE=", rc_quote(q, s), " is not a one-line value") ;
    value = s ;
  }
  s = getenv("RELAY_CTRL_SOCKETMAP_TIMEOUT") ;
  if (s && (!uint0_scan(s, &timeout) || !timeout || timeout > 86400))
    rc_fatal(100, "RELAY_CTRL_SOCKETMAP_TIMEOUT=", rc_quote(q, s), " is not a number of seconds from 1 to 86400") ;
  rc_settings_read(&set, 1) ;
  rc_settings_expiry(&set) ;
  rc_say_expiry(&set) ;
  if (!set.redisonly) rc_spool_or_die(&set) ;
}

int main (int argc, char const *const *argv)
{
  char req[RC_NETSTRING_MAX] ;
  (void)argv ;
  prctl(PR_SET_DUMPABLE, 0) ;
  rc_log_name("relay-ctrl-socketmap") ;
  if (argc > 1) rc_usage(USAGE) ;
  settings() ;
  tain_now_set_stopwatch_g() ;
  for (unsigned int served = 0 ; served < REQUESTS_MAX ; served++)
  {
    char const *why = "malformed" ;
    char const *space ;
    size_t len = 0 ;
    int r = rc_netstring_get(req, &len, timeout, &why) ;
    if (r == 0 || r == -1) return 0 ;
    if (r == -2) rc_fatalsys(111, "unable to read a request") ;
    if (r == -3)
    {
      rc_warn("closing the connection: malformed request: ", why) ;
      answer("PERM ", why) ;
      return 0 ;
    }
    space = memchr(req, ' ', len) ;
    if (!space || space == req || memchr(req, 0, len))
    {
      why = space == req ? "a request has no map name" : "a request is not NAME KEY" ;
      rc_warn("closing the connection: malformed request: ", why) ;
      answer("PERM ", why) ;
      return 0 ;
    }
    lookup(space + 1, len - (size_t)(space + 1 - req)) ;
  }
  return 0 ;
}
