/* relay-ctrl-allow [PROG...]: records a successful login's address in
   the spool, then runs PROG. Never stops the login. */

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "rc.h"

#define NOT_DONE "not recording login from "

static int dirfd = -1, inherited ;

/* Courier's authlib runs its modules whether or not the password was
   good; only AUTHENTICATED says it was. */
static int login_counts (void)
{
  char const *a ;
  if (!getenv("AUTHUSER") || !getenv("AUTHARGV0")) return 1 ;
  a = getenv("AUTHENTICATED") ;
  return a && *a ;
}

static void record (void)
{
  char addr[RC_ADDR_MAX] ;
  char data[RC_RECORDS_MAX] ;
  char q[RC_QUOTE_MAX] ;
  char const *ip = getenv("TCPREMOTEIP") ;
  size_t len ;
  if (!login_counts()) return ;
  if (!ip) { rc_warn("not recording login: TCPREMOTEIP is not set") ; return ; }
  if (!rc_addr_canon(addr, ip, strlen(ip)))
  {
    rc_warn(NOT_DONE, rc_quote(q, ip), ": not an IP address") ;
    return ;
  }
  len = rc_records_from_env(data, sizeof(data)) ;
  dirfd = rc_spool_open(&inherited, NOT_DONE, addr) ;
  if (dirfd < 0) return ;
  if (rc_spool_write(dirfd, addr, data, len, inherited ? 0644 : 0600) < 0)
    rc_warnsys(NOT_DONE, addr, ": unable to write its spool entry") ;
  else if (getenv("RELAY_CTRL_LOG_IPS")) rc_info("recorded login from ", addr) ;
  if (!inherited) close(dirfd) ;
}

/* PROG runs as the mail user: it gets no way into the spool. */
int main (int argc, char const *const *argv)
{
  rc_log_name("relay-ctrl-allow") ;
  record() ;
  if (argc < 2) return 0 ;
  if (!inherited) rc_exec(argv + 1, 0, 0) ;
  close(dirfd) ;
  rc_exec(argv + 1, "RELAY_CTRL_DIR_FD", 18) ;
}
