/* DRAC's calls and our replies, in ONC RPC over UDP. */

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <rpc/pmap_clnt.h>
#include "rc_drac.h"

static volatile int registered ;

int rc_drac_bind (char const *bindaddr, uint16_t port, uint16_t *bound)
{
  struct sockaddr_in6 sa ;
  socklen_t salen = sizeof(sa) ;
  unsigned char ip4[4] ;
  int off = 0, e ;
  int s ;
  memset(&sa, 0, sizeof(sa)) ;
  sa.sin6_family = AF_INET6 ;
  sa.sin6_port = htons(port) ;
  if (inet_pton(AF_INET, bindaddr, ip4) == 1) rc_drac_map4(sa.sin6_addr.s6_addr, ip4) ;
  else if (inet_pton(AF_INET6, bindaddr, &sa.sin6_addr) != 1) return -2 ;
  s = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0) ;
  if (s < 0) return -1 ;
  setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) ;
  if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 || getsockname(s, (struct sockaddr *)&sa, &salen) < 0)
  {
    e = errno ;
    close(s) ;
    errno = e ;
    return -1 ;
  }
  *bound = ntohs(sa.sin6_port) ;
  return s ;
}

int rc_drac_register (uint16_t port)
{
  pmap_unset(RC_DRAC_PROG, RC_DRAC_VERS4) ;
  pmap_unset(RC_DRAC_PROG, RC_DRAC_VERS6) ;
  if (!pmap_set(RC_DRAC_PROG, RC_DRAC_VERS4, IPPROTO_UDP, port) || !pmap_set(RC_DRAC_PROG, RC_DRAC_VERS6, IPPROTO_UDP, port))
  {
    pmap_unset(RC_DRAC_PROG, RC_DRAC_VERS4) ;
    return 0 ;
  }
  registered = 1 ;
  return 1 ;
}

void rc_drac_unregister (void)
{
  if (!registered) return ;
  pmap_unset(RC_DRAC_PROG, RC_DRAC_VERS4) ;
  pmap_unset(RC_DRAC_PROG, RC_DRAC_VERS6) ;
  registered = 0 ;
}

enum rc_drac_e rc_drac_decode (rc_drac_call *c, char *in, size_t len)
{
  struct rpc_msg *m = &c->msg ;
  XDR x ;
  memset(m, 0, sizeof(*m)) ;
  m->rm_call.cb_cred.oa_base = c->cred ;
  m->rm_call.cb_verf.oa_base = c->verf ;
  xdrmem_create(&x, in, (unsigned int)len, XDR_DECODE) ;
  if (!xdr_callmsg(&x, m) || m->rm_direction != CALL) return RC_DRAC_NOT_RPC ;
  if (m->rm_call.cb_rpcvers != 2 || m->rm_call.cb_prog != RC_DRAC_PROG) return RC_DRAC_NOT_PROG ;
  if (m->rm_call.cb_vers != RC_DRAC_VERS4 && m->rm_call.cb_vers != RC_DRAC_VERS6) return RC_DRAC_NOT_VERS ;
  if (m->rm_call.cb_proc == 0) return RC_DRAC_NULLPROC ;
  if (m->rm_call.cb_proc != RC_DRAC_ADD) return RC_DRAC_NO_PROC ;
  if (m->rm_call.cb_vers == RC_DRAC_VERS4)
  {
    u_int a ;
    if (!xdr_u_int(&x, &a)) return RC_DRAC_GARBAGE ;
    rc_drac_map4(c->ip, (unsigned char[4]){ a >> 24, a >> 16, a >> 8, a }) ;
  }
  else
  {
    /* char ip_addr6[16]: XDR sends each char as a 4-byte integer, sign
       extended where char is signed (0xffffffdb for 0xdb). */
    for (unsigned int i = 0 ; i < 16 ; i++)
    {
      u_int u ;
      if (!xdr_u_int(&x, &u) || (u > 0xff && u < 0xffffff80)) return RC_DRAC_GARBAGE ;
      c->ip[i] = (unsigned char)(u & 0xff) ;
    }
  }
  if (xdr_getpos(&x) != len) return RC_DRAC_GARBAGE ;
  {
    char text[INET6_ADDRSTRLEN] ;
    if (IN6_IS_ADDR_V4MAPPED((struct in6_addr *)c->ip)) inet_ntop(AF_INET, c->ip + 12, text, sizeof(text)) ;
    else inet_ntop(AF_INET6, c->ip, text, sizeof(text)) ;
    return rc_addr_canon(c->addr, text, strlen(text)) ? RC_DRAC_ADD_CALL : RC_DRAC_GARBAGE ;
  }
}

/* The NULL procedure's empty result. */
static bool_t no_result (XDR *x __attribute__((unused)), void *p __attribute__((unused)))
{
  return 1 ;
}

char const *rc_drac_reply (int s, struct sockaddr_in6 const *to, struct rpc_msg const *call, enum accept_stat st, int *result)
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
    m.acpted_rply.ar_vers.low = RC_DRAC_VERS4 ;
    m.acpted_rply.ar_vers.high = RC_DRAC_VERS6 ;
  }
  xdrmem_create(&x, out, sizeof(out), XDR_ENCODE) ;
  if (!xdr_replymsg(&x, &m)) return "encode" ;
  if (sendto(s, out, xdr_getpos(&x), 0, (struct sockaddr const *)to, sizeof(*to)) < 0) return "send" ;
  return 0 ;
}
