/* relay-ctrl-drac: a drop-in for DRAC's rpc.dracd. Receives DRAC's ONC
   RPC calls over UDP (program 900101: version 1 procedure 1 adds an
   IPv4 address, version 2 procedure 1 an IPv6 address) from the senders
   in RELAY_CTRL_DRAC_ALLOW, and records each address as relay-ctrl-allow
   does. Each datagram is decoded by libtirpc's XDR within its own
   length, so a truncated call cannot borrow bytes from an earlier one. */

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
#include <rpc/rpc.h>
#include <rpc/pmap_clnt.h>
#include <skalibs/types.h>
#include <skalibs/buffer.h>
#include <skalibs/skamisc.h>
#include "rc_say.h"
#include "rc_redis.h"

#define USAGE "relay-ctrl-drac"
#define DRAC_PROG 900101
#define DRAC_VERS4 1
#define DRAC_VERS6 2
#define DRAC_ADD 1
enum { ADD_SUCCESS = 0, ADD_PERM = 1, ADD_SYSERR = 2 } ;
#define DGRAM_MAX 8800
#define ALLOW_MAX 256

struct net { unsigned char ip[16] ; unsigned int bits ; } ;
static struct net allowed[ALLOW_MAX] ;
static unsigned int nallowed ;
static int logips ;
static struct rc_settings set ;
static int registered ;

static int prefix_match (unsigned char const *a, unsigned char const *b, unsigned int bits)
{
  unsigned int n = bits / 8 ;
  if (memcmp(a, b, n) != 0) return 0 ;
  if (bits % 8) { unsigned char m = (unsigned char)(0xff << (8 - bits % 8)) ; return (a[n] & m) == (b[n] & m) ; }
  return 1 ;
}

/* IPv4 senders are compared as IPv4-mapped IPv6 addresses. */
static void map4 (unsigned char *ip6, unsigned char const *ip4)
{
  memset(ip6, 0, 10) ; ip6[10] = ip6[11] = 0xff ; memcpy(ip6 + 12, ip4, 4) ;
}

static int sender_allowed (unsigned char const *ip6)
{
  for (unsigned int i = 0 ; i < nallowed ; i++)
    if (prefix_match(ip6, allowed[i].ip, allowed[i].bits)) return 1 ;
  return 0 ;
}

/* A line: "MASK ADDRESS" as in dracd.allow (IPv4), "ADDRESS/BITS", or
   one ADDRESS; '#' starts a comment. 1 read, 0 empty, -1 bad. */
static int allow_line (char *s, struct net *n)
{
  char *w[3] ;
  unsigned int nw = 0 ;
  unsigned char ip[16], mask[4] ;
  char *hash = strchr(s, '#'), *slash, *save = 0 ;
  if (hash) *hash = 0 ;
  for (char *t = strtok_r(s, " \t\r", &save) ; t ; t = strtok_r(0, " \t\r", &save)) { if (nw == 3) return -1 ; w[nw++] = t ; }
  if (!nw) return 0 ;
  if (nw == 2)
  {
    unsigned int bits = 0 ;
    if (inet_pton(AF_INET, w[0], mask) != 1 || inet_pton(AF_INET, w[1], ip) != 1) return -1 ;
    while (bits < 32 && mask[bits / 8] & (0x80 >> (bits % 8))) bits++ ;
    for (unsigned int b = bits ; b < 32 ; b++) if (mask[b / 8] & (0x80 >> (b % 8))) return -1 ;
    map4(n->ip, ip) ; n->bits = 96 + bits ;
    return 1 ;
  }
  if (nw != 1) return -1 ;
  slash = strchr(w[0], '/') ;
  if (slash) *slash++ = 0 ;
  if (inet_pton(AF_INET, w[0], ip) == 1)
  {
    unsigned int bits = 32 ;
    if (slash && (!uint0_scan(slash, &bits) || bits > 32)) return -1 ;
    map4(n->ip, ip) ; n->bits = 96 + bits ;
    return 1 ;
  }
  if (inet_pton(AF_INET6, w[0], n->ip) != 1) return -1 ;
  n->bits = 128 ;
  if (slash && (!uint0_scan(slash, &n->bits) || n->bits > 128)) return -1 ;
  return 1 ;
}

static void read_allow (char const *file)
{
  char line[512] ;
  char q[RC_QUOTE_MAX] ;
  char buf[BUFFER_INSIZE] ;
  unsigned int lineno = 0 ;
  buffer b ;
  int fd = open(file, O_RDONLY | O_CLOEXEC) ;
  if (fd < 0) rc_fatalsys(111, "unable to open RELAY_CTRL_DRAC_ALLOW=", rc_quote(q, file)) ;
  buffer_init(&b, &buffer_read, fd, buf, sizeof(buf)) ;
  for (;;)
  {
    size_t w = 0 ;
    int r = getlnmax(&b, line, sizeof(line) - 1, &w, '\n') ;
    if (r < 0 && errno == ERANGE) rc_fatal(100, file, ": a line is longer than 510 bytes") ;
    if (r < 0) rc_fatalsys(111, "unable to read ", rc_quote(q, file)) ;
    if (!r && !w) break ;
    lineno++ ;
    if (w && line[w - 1] == '\n') w-- ;
    line[w] = 0 ;
    if (nallowed == ALLOW_MAX) rc_fatal(100, file, ": more than 256 networks") ;
    switch (allow_line(line, &allowed[nallowed]))
    {
      case 1 : nallowed++ ; break ;
      case 0 : break ;
      default :
      {
        char fmt[UINT_FMT] ;
        fmt[uint_fmt(fmt, lineno)] = 0 ;
        rc_fatal(100, file, ": line ", fmt, " is not MASK ADDRESS, ADDRESS/BITS or ADDRESS") ;
      }
    }
    if (!r) break ;
  }
  close(fd) ;
}

/* Records addr as relay-ctrl-allow does: Redis when configured, and the
   spool unless Redis alone is; a DRAC call carries no user. */
static int record (char const *addr)
{
  struct rc_why w ;
  int r = rc_store_record(&set, RC_STORE_ALL, addr, "", 0, &w) ;
  rc_say_expiry(&set) ;
  if (r < 0)
  {
    rc_say_why("not recording login from ", addr, &w) ;
    return ADD_SYSERR ;
  }
  if (r && logips) rc_info("recorded login from ", addr) ;
  return ADD_SUCCESS ;
}

/* The NULL procedure's empty result. */
static bool_t no_result (XDR *x __attribute__((unused)), void *p __attribute__((unused)))
{
  return 1 ;
}

static void reply (int s, struct sockaddr_in6 const *to, struct rpc_msg const *call, enum accept_stat st, int *result)
{
  char out[512] ;
  struct rpc_msg m ;
  XDR x ;
  memset(&m, 0, sizeof(m)) ;
  m.rm_xid = call->rm_xid ;
  m.rm_direction = REPLY ;
  m.rm_reply.rp_stat = MSG_ACCEPTED ;
  m.acpted_rply.ar_verf = _null_auth ;
  m.acpted_rply.ar_stat = st ;
  if (st == SUCCESS)
  {
    m.acpted_rply.ar_results.where = (caddr_t)result ;
    m.acpted_rply.ar_results.proc = result ? (xdrproc_t)xdr_int : (xdrproc_t)no_result ;
  }
  else if (st == PROG_MISMATCH)
  {
    m.acpted_rply.ar_vers.low = DRAC_VERS4 ;
    m.acpted_rply.ar_vers.high = DRAC_VERS6 ;
  }
  xdrmem_create(&x, out, sizeof(out), XDR_ENCODE) ;
  if (!xdr_replymsg(&x, &m)) { rc_warn("unable to encode a reply") ; return ; }
  if (sendto(s, out, xdr_getpos(&x), 0, (struct sockaddr const *)to, sizeof(*to)) < 0)
    rc_warnsys("unable to send a reply") ;
}

static void handle (int s, char *in, size_t len, struct sockaddr_in6 const *from)
{
  char sender[INET6_ADDRSTRLEN + 8] ;
  char addr[RC_ADDR_MAX] ;
  char cred[MAX_AUTH_BYTES], verf[MAX_AUTH_BYTES] ;
  unsigned char ip[16] ;
  struct rpc_msg call ;
  XDR x ;
  int result ;
  if (IN6_IS_ADDR_V4MAPPED(&from->sin6_addr)) inet_ntop(AF_INET, (char const *)&from->sin6_addr + 12, sender, sizeof(sender)) ;
  else inet_ntop(AF_INET6, &from->sin6_addr, sender, sizeof(sender)) ;
  memset(&call, 0, sizeof(call)) ;
  call.rm_call.cb_cred.oa_base = cred ;
  call.rm_call.cb_verf.oa_base = verf ;
  xdrmem_create(&x, in, (unsigned int)len, XDR_DECODE) ;
  if (!xdr_callmsg(&x, &call) || call.rm_direction != CALL)
  {
    rc_warn("ignoring a datagram from ", sender, ": not an RPC call") ;
    return ;
  }
  if (call.rm_call.cb_rpcvers != 2 || call.rm_call.cb_prog != DRAC_PROG)
  {
    rc_warn("refusing a call from ", sender, ": not DRAC's program 900101") ;
    reply(s, from, &call, PROG_UNAVAIL, 0) ;
    return ;
  }
  if (call.rm_call.cb_vers != DRAC_VERS4 && call.rm_call.cb_vers != DRAC_VERS6)
  {
    rc_warn("refusing a call from ", sender, ": not version 1 or 2") ;
    reply(s, from, &call, PROG_MISMATCH, 0) ;
    return ;
  }
  if (call.rm_call.cb_proc == 0) { reply(s, from, &call, SUCCESS, 0) ; return ; }
  if (call.rm_call.cb_proc != DRAC_ADD)
  {
    rc_warn("refusing a call from ", sender, ": no such procedure") ;
    reply(s, from, &call, PROC_UNAVAIL, 0) ;
    return ;
  }
  if (call.rm_call.cb_vers == DRAC_VERS4)
  {
    u_int a ;
    if (!xdr_u_int(&x, &a)) goto garbage ;
    map4(ip, (unsigned char[4]){ a >> 24, a >> 16, a >> 8, a }) ;
  }
  else
  {
    /* char ip_addr6[16]: XDR sends each char as a 4-byte integer, sign
       extended where char is signed (0xffffffdb for 0xdb). */
    for (unsigned int i = 0 ; i < 16 ; i++)
    {
      u_int u ;
      if (!xdr_u_int(&x, &u) || (u > 0xff && u < 0xffffff80)) goto garbage ;
      ip[i] = (unsigned char)(u & 0xff) ;
    }
  }
  if (xdr_getpos(&x) != len) goto garbage ;
  {
    char text[INET6_ADDRSTRLEN] ;
    if (IN6_IS_ADDR_V4MAPPED((struct in6_addr *)ip)) inet_ntop(AF_INET, ip + 12, text, sizeof(text)) ;
    else inet_ntop(AF_INET6, ip, text, sizeof(text)) ;
    if (!rc_addr_canon(addr, text, strlen(text))) goto garbage ;
  }
  {
    unsigned char s6[16] ;
    memcpy(s6, &from->sin6_addr, 16) ;
    if (!sender_allowed(s6))
    {
      rc_warn("not recording login from ", addr, ": sender ", sender, " is not in RELAY_CTRL_DRAC_ALLOW") ;
      result = ADD_PERM ;
      reply(s, from, &call, SUCCESS, &result) ;
      return ;
    }
  }
  result = record(addr) ;
  reply(s, from, &call, SUCCESS, &result) ;
  return ;
 garbage:
  rc_warn("refusing a call from ", sender, ": its argument is not an address of the right length") ;
  result = ADD_SYSERR ;
  reply(s, from, &call, SUCCESS, &result) ;
}

static void unregister (void)
{
  if (!registered) return ;
  pmap_unset(DRAC_PROG, DRAC_VERS4) ;
  pmap_unset(DRAC_PROG, DRAC_VERS6) ;
  registered = 0 ;
}

static void on_term (int sig)
{
  (void)sig ;
  unregister() ;
  _exit(0) ;
}

static int bind_socket (char const *bindaddr, uint16_t port, uint16_t *bound)
{
  char q[RC_QUOTE_MAX] ;
  struct sockaddr_in6 sa ;
  socklen_t salen = sizeof(sa) ;
  unsigned char ip4[4] ;
  int off = 0 ;
  int s = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0) ;
  if (s < 0) rc_fatalsys(111, "unable to create a UDP socket") ;
  memset(&sa, 0, sizeof(sa)) ;
  sa.sin6_family = AF_INET6 ;
  sa.sin6_port = htons(port) ;
  if (inet_pton(AF_INET, bindaddr, ip4) == 1) map4(sa.sin6_addr.s6_addr, ip4) ;
  else if (inet_pton(AF_INET6, bindaddr, &sa.sin6_addr) != 1)
    rc_fatal(100, "RELAY_CTRL_DRAC_BIND=", rc_quote(q, bindaddr), " is not an IP address") ;
  setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) ;
  if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) rc_fatalsys(111, "unable to bind to ", bindaddr) ;
  if (getsockname(s, (struct sockaddr *)&sa, &salen) < 0) rc_fatalsys(111, "unable to read the bound port") ;
  *bound = ntohs(sa.sin6_port) ;
  return s ;
}

int main (int argc, char const *const *argv)
{
  char in[DGRAM_MAX] ;
  char q[RC_QUOTE_MAX] ;
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
  else read_allow(s) ;
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
  sock = bind_socket(s ? s : "127.0.0.1", (uint16_t)port, &bound) ;
  if (use_rpcbind)
  {
    (void)signal(SIGTERM, &on_term) ;
    (void)signal(SIGINT, &on_term) ;
    (void)signal(SIGHUP, &on_term) ;
    pmap_unset(DRAC_PROG, DRAC_VERS4) ;
    pmap_unset(DRAC_PROG, DRAC_VERS6) ;
    if (!pmap_set(DRAC_PROG, DRAC_VERS4, IPPROTO_UDP, bound) || !pmap_set(DRAC_PROG, DRAC_VERS6, IPPROTO_UDP, bound))
    {
      pmap_unset(DRAC_PROG, DRAC_VERS4) ;
      rc_fatal(111, "unable to register with rpcbind (is it running?)") ;
    }
    registered = 1 ;
  }
  {
    char fmt[UINT_FMT] ;
    fmt[uint_fmt(fmt, bound)] = 0 ;
    rc_info("listening on UDP port ", fmt, use_rpcbind ? ", registered with rpcbind" : "") ;
  }
  for (;;)
  {
    struct sockaddr_in6 from ;
    socklen_t fromlen = sizeof(from) ;
    ssize_t r = recvfrom(sock, in, sizeof(in), MSG_TRUNC, (struct sockaddr *)&from, &fromlen) ;
    if (r < 0)
    {
      if (errno == EINTR) continue ;
      unregister() ;
      rc_fatalsys(111, "unable to receive") ;
    }
    if ((size_t)r > sizeof(in)) { rc_warn("ignoring a datagram longer than 8800 bytes") ; continue ; }
    if (from.sin6_family != AF_INET6) continue ;
    handle(sock, in, (size_t)r, &from) ;
  }
}
