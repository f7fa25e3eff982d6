/* relay-ctrl-allow [PROG...]: records a successful login's address in
   the spool, then runs PROG. Never stops the login. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include "rc.h"
#include "rc_redis.h"

#define NOT_DONE "not recording login from "

/* Returns the spool's fd if the entry was written, else -1. */
static int record (char *addr, int *inherited, unsigned int expiry)
{
  char data[RC_RECORDS_MAX] ;
  char q[RC_QUOTE_MAX] ;
  char const *ip = rc_login_ip() ;
  size_t len ;
  int dirfd ;
  if (!rc_login_counts()) return -1 ;
  if (!ip) { rc_warn("not recording login: neither TCPREMOTEIP nor IP is set") ; return -1 ; }
  if (!rc_addr_canon(addr, ip, strlen(ip)))
  {
    rc_warn(NOT_DONE, rc_quote(q, ip), ": not an IP address") ;
    return -1 ;
  }
  len = rc_records_from_env(data, sizeof(data), addr) ;
  rc_redis_allow(addr, data, len, expiry) ;
  if (rc_redis_only(0)) return -1 ;
  dirfd = rc_spool_open(inherited, NOT_DONE, addr) ;
  if (dirfd < 0) return -1 ;
  if (rc_spool_write(dirfd, addr, data, len, 0644) < 0)
  {
    struct stat st ;
    if (errno == ENOENT && fstat(dirfd, &st) == 0 && !st.st_nlink)
      rc_warn(NOT_DONE, addr, ": the spool directory was removed; recreate it and restart the service") ;
    else rc_warnsys(NOT_DONE, addr, ": unable to write its spool entry") ;
    if (!*inherited) close(dirfd) ;
    return -1 ;
  }
  if (getenv("RELAY_CTRL_LOG_IPS"))
  {
    char const *user = rc_login_user() ;
    if (user && *user) rc_info("recorded login from ", addr, " (user ", rc_quote(q, user), ")") ;
    else rc_info("recorded login from ", addr) ;
  }
  return dirfd ;
}

/* PROG runs as the mail user: it gets no way into the spool. */
int main (int argc, char const *const *argv)
{
  char addr[RC_ADDR_MAX] ;
  char modif[18 + RC_REDIS_HIDE_MAX] ;
  size_t w ;
  int inherited = 0 ;
  int dirfd ;
  unsigned int expiry = RC_EXPIRY_DEFAULT ;
  prctl(PR_SET_DUMPABLE, 0) ;  /* first of all: doc/security.md */
  rc_log_name("relay-ctrl-allow") ;
  /* Read once, and only for what uses it: Redis's TTL, the refresher. */
  if (rc_redis_endpoint(0) || getenv("RELAY_CTRL_REFRESH")) expiry = rc_expiry() ;
  dirfd = record(addr, &inherited, expiry) ;
  if (argc < 2) return 0 ;
  if (dirfd >= 0 && getenv("RELAY_CTRL_REFRESH")) rc_refresh_start(dirfd, addr, expiry) ;
  w = rc_spool_hide(modif) ;
  rc_exec(argv + 1, modif, w + rc_redis_hide(modif + w)) ;
}
