/* relay-ctrl-udp's datagram batches: up to BATCH queued datagrams per
   recvmmsg, with each one's sender and destination address, and their
   answers sent with one sendmmsg once all are handled. */

#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <skalibs/types.h>
#include "rc_udp.h"

#define BATCH 32

static struct mmsghdr inmsg[BATCH], outmsg[BATCH] ;
static struct iovec iniov[BATCH], outiov[BATCH] ;
static struct sockaddr_storage peer[BATCH] ;
static char inbuf[BATCH][RC_PACKET_MAX + 1] ;
static char outbuf[BATCH][RC_PACKET_MAX] ;
static char outfrom[BATCH][RC_UDP_FROM_MAX] ;
static rc_datagram got[BATCH] ;
/* Each datagram's IP_PKTINFO or IPV6_PKTINFO (in6_pktinfo, glibc shows
   it only under _GNU_SOURCE: the 16-byte address first). */
#define CMSG_MAX (CMSG_SPACE(16 + sizeof(unsigned int)) + CMSG_SPACE(sizeof(struct in_pktinfo)))
static union { struct cmsghdr h ; char buf[CMSG_MAX] ; } incmsg[BATCH] ;
static unsigned int nout, sent ;

/* What socket_recv46 would have said of a datagram's sender. */
static int peer_scan (struct sockaddr_storage const *ss, socklen_t len, ip46 *src, uint16_t *port)
{
  if (ss->ss_family == AF_INET6 && len >= sizeof(struct sockaddr_in6))
  {
    struct sockaddr_in6 const *sa = (struct sockaddr_in6 const *)ss ;
    memcpy(src->ip, &sa->sin6_addr, 16) ;
    src->is6 = 1 ;
    *port = ntohs(sa->sin6_port) ;
    return 1 ;
  }
  if (ss->ss_family == AF_INET && len >= sizeof(struct sockaddr_in))
  {
    struct sockaddr_in const *sa = (struct sockaddr_in const *)ss ;
    memcpy(src->ip, &sa->sin_addr, 4) ;
    src->is6 = 0 ;
    *port = ntohs(sa->sin_port) ;
    return 1 ;
  }
  return 0 ;
}

/* The address a datagram was sent to, from its IP_PKTINFO or
   IPV6_PKTINFO (when bound to every address); to is left as it is
   without one. */
static void dest_scan (struct msghdr *m, ip46 *to)
{
  for (struct cmsghdr *h = CMSG_FIRSTHDR(m) ; h ; h = CMSG_NXTHDR(m, h))
  {
    if (h->cmsg_level == IPPROTO_IP && h->cmsg_type == IP_PKTINFO)
    {
      struct in_pktinfo pi ;
      memcpy(&pi, CMSG_DATA(h), sizeof(pi)) ;
      memcpy(to->ip, &pi.ipi_addr, 4) ;
      to->is6 = 0 ;
    }
    else if (h->cmsg_level == IPPROTO_IPV6 && h->cmsg_type == IPV6_PKTINFO)
    {
      memcpy(to->ip, CMSG_DATA(h), 16) ;
      to->is6 = 1 ;
    }
  }
}

/* Waits for one datagram, then takes those already queued: their number
   (*d their list, bound the socket's address), or -1 and errno. */
int rc_udp_batch_recv (int fd, ip46 const *bound, rc_datagram const **d)
{
  unsigned int n = 0 ;
  int r ;
  for (unsigned int i = 0 ; i < BATCH ; i++)
  {
    memset(&inmsg[i], 0, sizeof(inmsg[i])) ;
    iniov[i].iov_base = inbuf[i] ;
    iniov[i].iov_len = sizeof(inbuf[i]) ;
    inmsg[i].msg_hdr.msg_name = &peer[i] ;
    inmsg[i].msg_hdr.msg_namelen = sizeof(peer[i]) ;
    inmsg[i].msg_hdr.msg_iov = &iniov[i] ;
    inmsg[i].msg_hdr.msg_iovlen = 1 ;
    inmsg[i].msg_hdr.msg_control = incmsg[i].buf ;
    inmsg[i].msg_hdr.msg_controllen = sizeof(incmsg[i].buf) ;
  }
  r = recvmmsg(fd, inmsg, BATCH, MSG_WAITFORONE, 0) ;
  if (r < 0) return -1 ;
  for (unsigned int i = 0 ; i < (unsigned int)r ; i++)
  {
    rc_datagram *g = got + n ;
    g->src.is6 = bound->is6 ;
    g->to = *bound ;
    if (!peer_scan(&peer[i], inmsg[i].msg_hdr.msg_namelen, &g->src, &g->port)) continue ;
    dest_scan(&inmsg[i].msg_hdr, &g->to) ;
    g->buf = inbuf[i] ;
    g->len = inmsg[i].msg_len ;
    g->slot = i ;
    n++ ;
  }
  *d = got ;
  return (int)n ;
}

/* Queues an answer to datagram d. */
void rc_udp_batch_reply (rc_datagram const *d, char const *s, size_t n, char const *from)
{
  unsigned int i = d->slot ;
  memcpy(outbuf[nout], s, n) ;
  outiov[nout].iov_base = outbuf[nout] ;
  outiov[nout].iov_len = n ;
  memset(&outmsg[nout], 0, sizeof(outmsg[nout])) ;
  outmsg[nout].msg_hdr.msg_name = &peer[i] ;
  outmsg[nout].msg_hdr.msg_namelen = inmsg[i].msg_hdr.msg_namelen ;
  outmsg[nout].msg_hdr.msg_iov = &outiov[nout] ;
  outmsg[nout].msg_hdr.msg_iovlen = 1 ;
  memcpy(outfrom[nout], from, strlen(from) + 1) ;
  nout++ ;
}

/* Sends the queued answers, in one system call (the raw one: musl's
   sendmmsg makes one sendmsg per message). 0 once all are sent, or the
   sender of an answer that could not be sent (errno says why): call
   again for the rest. */
char const *rc_udp_batch_flush (int fd)
{
  while (sent < nout)
  {
    long r = syscall(SYS_sendmmsg, fd, outmsg + sent, nout - sent, 0) ;
    if (r > 0) { sent += (unsigned int)r ; continue ; }
    if (r < 0 && errno == EINTR) continue ;
    return outfrom[sent++] ;
  }
  nout = sent = 0 ;
  return 0 ;
}
