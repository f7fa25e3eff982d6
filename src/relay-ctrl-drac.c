/* relay-ctrl-drac: a drop-in for DRAC's rpc.dracd. Receives DRAC's ONC
   RPC calls over UDP (rc_drac_rpc.c) from the senders in
   RELAY_CTRL_DRAC_ALLOW (rc_drac_allow.c), and records each address as
   relay-ctrl-allow does. */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <skalibs/types.h>
#include "rc_say.h"
#include "rc_redis.h"
#include "rc_drac.h"

#define USAGE "relay-ctrl-drac"
#define DGRAM_MAX 8800

static rc_drac_net allowed[RC_DRAC_ALLOW_MAX] ;
static unsigned int nallowed ;
static int logips ;
static struct rc_settings set ;

static void read_allow (char const *file)
{
  char q[RC_QUOTE_MAX] ;
  char fmt[UINT_FMT] ;
  unsigned int lineno ;
  int r, fd = open(file, O_RDONLY | O_CLOEXEC) ;
  if (fd < 0) rc_fatalsys(111, "unable to open RELAY_CTRL_DRAC_ALLOW=", rc_quote(q, file)) ;
  r = rc_drac_allow_read(fd, allowed, &nallowed, &lineno) ;
  fmt[uint_fmt(fmt, lineno)] = 0 ;
  if (r == -1) rc_fatalsys(111, "unable to read ", rc_quote(q, file)) ;
  if (r == -2) rc_fatal(100, file, ": a line is longer than 510 bytes") ;
  if (r == -3) rc_fatal(100, file, ": more than 256 networks") ;
  if (!r) rc_fatal(100, file, ": line ", fmt, " is not MASK ADDRESS, ADDRESS/BITS or ADDRESS") ;
  close(fd) ;
}

/* Records addr as relay-ctrl-allow does: Redis when configured, and the
   spool unless Redis alone is; a DRAC call carries no user. */
static int record (char const *addr)
{
  struct rc_why w ;
  static struct rc_redis_said rd ;
  int r = rc_store_record(&set, RC_STORE_ALL, addr, "", 0, &w, &rd) ;
  rc_say_redis_record(&rd, addr, set.logips) ;
  rc_say_expiry(&set) ;
  if (r < 0)
  {
    rc_say_why("not recording login from ", addr, &w) ;
    return RC_DRAC_ADD_SYSERR ;
  }
  if (r && logips) rc_info("recorded login from ", addr) ;
  return RC_DRAC_ADD_SUCCESS ;
}

static void reply (int s, struct sockaddr_in6 const *to, struct rpc_msg const *call, enum accept_stat st, int result)
{
  char const *failed = rc_drac_reply(s, to, call, st, st == SUCCESS && result >= 0 ? &result : 0) ;
  if (!failed) return ;
  if (!strcmp(failed, "send")) rc_warnsys("unable to send a reply") ;
  else rc_warn("unable to encode a reply") ;
}

static void handle (int s, char *in, size_t len, struct sockaddr_in6 const *from)
{
  static char const *const refusal[] = { [RC_DRAC_NOT_PROG] = ": not DRAC's program 900101", [RC_DRAC_NOT_VERS] = ": not version 1 or 2", [RC_DRAC_NO_PROC] = ": no such procedure", [RC_DRAC_GARBAGE] = ": its argument is not an address of the right length" } ;
  static enum accept_stat const stat[] = { [RC_DRAC_NOT_PROG] = PROG_UNAVAIL, [RC_DRAC_NOT_VERS] = PROG_MISMATCH, [RC_DRAC_NO_PROC] = PROC_UNAVAIL, [RC_DRAC_GARBAGE] = SUCCESS } ;
  char sender[INET6_ADDRSTRLEN + 8] ;
  rc_drac_call call ;
  enum rc_drac_e e = rc_drac_decode(&call, in, len) ;
  int sender_ok ;
  if (IN6_IS_ADDR_V4MAPPED(&from->sin6_addr)) inet_ntop(AF_INET, (char const *)&from->sin6_addr + 12, sender, sizeof(sender)) ;
  else inet_ntop(AF_INET6, &from->sin6_addr, sender, sizeof(sender)) ;
  if (e == RC_DRAC_NOT_RPC) { rc_warn("ignoring a datagram from ", sender, ": not an RPC call") ; return ; }
  if (e == RC_DRAC_NULLPROC) { reply(s, from, &call.msg, SUCCESS, -1) ; return ; }
  if (e != RC_DRAC_ADD_CALL)
  {
    rc_warn("refusing a call from ", sender, refusal[e]) ;
    reply(s, from, &call.msg, stat[e], RC_DRAC_ADD_SYSERR) ;
    return ;
  }
  sender_ok = rc_drac_allowed(allowed, nallowed, from->sin6_addr.s6_addr) ;
  if (!sender_ok) rc_warn("not recording login from ", call.addr, ": sender ", sender, " is not in RELAY_CTRL_DRAC_ALLOW") ;
  reply(s, from, &call.msg, SUCCESS, sender_ok ? record(call.addr) : RC_DRAC_ADD_PERM) ;
}

static void on_term (int sig)
{
  (void)sig ;
  rc_drac_unregister() ;
  _exit(0) ;
}

int main (int argc, char const *const *argv)
{
  char in[DGRAM_MAX] ;
  char q[RC_QUOTE_MAX] ;
  char fmt[UINT_FMT] ;
  char const *s ;
  unsigned int port = 0 ;
  uint16_t bound ;
  int sock, use_rpcbind = 1 ;
  (void)argv ;
  prctl(PR_SET_DUMPABLE, 0) ;
  rc_log_name("relay-ctrl-drac") ;
  if (argc > 1) rc_usage(USAGE) ;
  s = getenv("RELAY_CTRL_DRAC_ALLOW") ;
  if (!s) rc_fatal(100, "RELAY_CTRL_DRAC_ALLOW is not set: name a file of the senders allowed") ;
  read_allow(s) ;
  s = getenv("RELAY_CTRL_DRAC_PORT") ;
  if (s && (!uint0_scan(s, &port) || port > 65535)) rc_fatal(100, "RELAY_CTRL_DRAC_PORT=", rc_quote(q, s), " is not a port number") ;
  s = getenv("RELAY_CTRL_DRAC_RPCBIND") ;
  if (s && strcmp(s, "no") == 0) use_rpcbind = 0 ;
  else if (s && strcmp(s, "yes") != 0) rc_fatal(100, "RELAY_CTRL_DRAC_RPCBIND=", rc_quote(q, s), " is not yes or no") ;
  if (!use_rpcbind && !port) rc_fatal(100, "RELAY_CTRL_DRAC_RPCBIND=no needs a fixed RELAY_CTRL_DRAC_PORT") ;
  logips = !!getenv("RELAY_CTRL_LOG_IPS") ;
  rc_settings_read(&set, 0) ;
  if (!set.redisonly) rc_spool_or_die(&set) ;
  s = getenv("RELAY_CTRL_DRAC_BIND") ;
  if (!s) s = "127.0.0.1" ;
  sock = rc_drac_bind(s, (uint16_t)port, &bound) ;
  if (sock == -2) rc_fatal(100, "RELAY_CTRL_DRAC_BIND=", rc_quote(q, s), " is not an IP address") ;
  if (sock < 0) rc_fatalsys(111, "unable to bind to ", s) ;
  if (use_rpcbind)
  {
    (void)signal(SIGTERM, &on_term) ;
    (void)signal(SIGINT, &on_term) ;
    (void)signal(SIGHUP, &on_term) ;
    if (!rc_drac_register(bound)) rc_fatal(111, "unable to register with rpcbind (is it running?)") ;
  }
  fmt[uint_fmt(fmt, bound)] = 0 ;
  rc_info("listening on UDP port ", fmt, use_rpcbind ? ", registered with rpcbind" : "") ;
  for (;;)
  {
    struct sockaddr_in6 from ;
    socklen_t fromlen = sizeof(from) ;
    ssize_t r = recvfrom(sock, in, sizeof(in), MSG_TRUNC, (struct sockaddr *)&from, &fromlen) ;
    if (r < 0)
    {
      if (errno == EINTR) continue ;
      rc_drac_unregister() ;
      rc_fatalsys(111, "unable to receive") ;
    }
    if ((size_t)r > sizeof(in)) { rc_warn("ignoring a datagram longer than 8800 bytes") ; continue ; }
    if (from.sin6_family != AF_INET6) continue ;
    handle(sock, in, (size_t)r, &from) ;
  }
}
