/* relay-ctrl-check PROG...: sets RELAYCLIENT for PROG if the client's
   address logged in within the expiry time. */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <skalibs/types.h>
#include <skalibs/fmtscan.h>
#include <skalibs/allreadwrite.h>
#include <sys/prctl.h>
#include "rc.h"
#include "rc_redis.h"

#define USAGE "relay-ctrl-check prog..."
#define NOT_DONE "not relaying for "

static void log_import (char const *record, size_t len, void *addr)
{
  (void)len ;
  rc_info((char const *)addr, ": imported ", record) ;
}

static size_t import (char *modif, size_t max, size_t w, int fd, struct stat const *st, char *addr)
{
  char data[RC_RECORDS_MAX] ;
  char const *why ;
  unsigned int rejected ;
  ssize_t len = fd_read(fd, data, sizeof(data)) ;
  if (len < 0)
  {
    rc_warnsys("relaying for ", addr, " without its records: unable to read them") ;
    return w ;
  }
  w = rc_records_parse(modif, max, w, data, (size_t)len, getenv("RELAY_CTRL_LOG_ENV") ? &log_import : 0, addr, &rejected, &why) ;
  if (st->st_size > (off_t)sizeof(data))
  {
    char fmt[UINT64_FMT] ;
    fmt[uint64_fmt(fmt, (uint64_t)st->st_size)] = 0 ;
    rc_warn(addr, " in the spool is ", fmt, " bytes long: only the records in its first 4096 bytes were read") ;
  }
  else if (rejected)
  {
    char fmt[UINT_FMT] ;
    fmt[uint_fmt(fmt, rejected)] = 0 ;
    rc_warn("ignored ", fmt, " record(s) of ", addr, " in the spool, the first for: ", why) ;
  }
  return w ;
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

/* addr: the canonical address, left empty if there is none. */
static size_t check (char *modif, size_t max, int logips, char *addr)
{
  char q[RC_QUOTE_MAX] ;
  char const *ip = getenv("TCPREMOTEIP") ;
  char const *relayclient = getenv("RELAY_CTRL_RELAYCLIENT") ;
  unsigned int expiry ;
  struct stat st ;
  size_t w ;
  int dirfd, inherited, fd ;
  if (!ip) { rc_warn("not relaying: TCPREMOTEIP is not set") ; return 0 ; }
  if (!rc_addr_canon(addr, ip, strlen(ip)))
  {
    rc_warn(NOT_DONE, rc_quote(q, ip), ": not an IP address") ;
    return 0 ;
  }
  if (rc_redis_only(1)) return 0 ;
  dirfd = rc_spool_open(&inherited, NOT_DONE, addr) ;
  if (dirfd < 0) return 0 ;
  fd = openat(dirfd, addr, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC) ;
  if (fd < 0)
  {
    if (errno == ENOENT) { if (logips && !rc_redis_endpoint(1)) rc_info(NOT_DONE, addr, ": no login recorded") ; return 0 ; }
    if (errno == ELOOP) { rc_warn(NOT_DONE, addr, ": its spool entry is a symbolic link") ; return 0 ; }
    if (errno != EACCES || fstatat(dirfd, addr, &st, AT_SYMLINK_NOFOLLOW) < 0)
    {
      rc_warnsys(NOT_DONE, addr, ": unable to read its spool entry") ;
      return 0 ;
    }
  }
  else if (fstat(fd, &st) < 0) { rc_warnsys(NOT_DONE, addr, ": unable to stat its spool entry") ; return 0 ; }
  if (!S_ISREG(st.st_mode)) { rc_warn(NOT_DONE, addr, ": its spool entry is not a regular file") ; return 0 ; }
  expiry = rc_expiry() ;
  switch (rc_spool_age(&st, time(0), expiry))
  {
    case RC_FUTURE :
      rc_warn(NOT_DONE, addr, ": its spool entry is dated in the future") ;
      return 0 ;
    case RC_STALE :
      if (logips) rc_info(NOT_DONE, addr, ": its login has expired") ;
      if (rc_spool_remove_stale(dirfd, addr, expiry) < 0)
        rc_warnsys("unable to remove expired ", addr, " from the spool") ;
      return 0 ;
    case RC_FRESH : break ;
  }
  if (!relayclient) relayclient = "" ;
  if (strlen(relayclient) > max / 2) { rc_warn(NOT_DONE, addr, ": RELAY_CTRL_RELAYCLIENT is too long") ; return 0 ; }
  w = str_fmt(modif, "RELAYCLIENT=") ;
  w += str_fmt(modif + w, relayclient) ;
  modif[w++] = 0 ;
  if (fd >= 0) w = import(modif, max, w, fd, &st, addr) ;
  else rc_warn("relaying for ", addr, " without its records: the spool entry is not readable") ;
  if (logips)
  {
    char const *user = imported_user(modif, w) ;
    if (user) rc_info("relaying for ", addr, " (user ", rc_quote(q, user), ")") ;
    else rc_info("relaying for ", addr) ;
  }
  return w ;
}

int main (int argc, char const *const *argv)
{
  char modif[2 * RC_RECORDS_MAX + 32 + RC_REDIS_HIDE_MAX] ;
  char addr[RC_ADDR_MAX] = "" ;
  size_t max = sizeof(modif) - 20 - RC_REDIS_HIDE_MAX ;
  char hide[24] ;
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
  else w = check(modif, max, logips, addr) ;
  /* Done with the spool: not held through a Redis call. */
  hidelen = rc_spool_hide(hide) ;
  if (!w && addr[0] && !getenv("RELAYCLIENT")) w = rc_redis_check(modif, max, addr, logips, getenv("RELAY_CTRL_LOG_ENV") ? &log_import : 0) ;
  memcpy(modif + w, hide, hidelen) ;
  w += hidelen ;
  w += rc_redis_hide(modif + w) ;
  rc_exec(argv + 1, modif, w) ;
}
