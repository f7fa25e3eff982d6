/* Logins to remote relay-ctrl-udp receivers: one datagram per remote,
   sent again with a new timestamp to those that have not answered. */

#include <errno.h>
#include <string.h>
#include <skalibs/types.h>
#include <skalibs/tai.h>
#include <skalibs/iopause.h>
#include <skalibs/socket.h>
#include "rc_sender.h"

unsigned int rc_sender_remotes (rc_sender *s, char const *list, uint16_t port)
{
  char q[RC_QUOTE_MAX] ;
  s->nremotes = 0 ;
  list += strspn(list, ", ") ;
  while (*list)
  {
    size_t len = strcspn(list, ", ") ;
    rc_remote *r = s->remotes + s->nremotes ;
    int is6 ;
    if (s->nremotes >= RC_REMOTES_MAX) { rc_warn("RELAY_CTRL_REMOTES lists more than 32 remotes: ignoring the rest") ; break ; }
    r->port = port ;
    if (len < sizeof(r->text) && rc_hostport_scan(r->ip.ip, &is6, &r->port, list, len))
    {
      r->ip.is6 = is6 ;
      memcpy(r->text, list, len) ;
      r->text[len] = 0 ;
      r->answered = 0 ;
      r->nsent = 0 ;
      s->nremotes++ ;
    }
    else
    {
      char bad[RC_INPUT_MAX] ;
      size_t n = len < sizeof(bad) - 1 ? len : sizeof(bad) - 1 ;
      memcpy(bad, list, n) ;
      bad[n] = 0 ;
      rc_warn("ignoring remote ", rc_quote(q, bad), " in RELAY_CTRL_REMOTES: not an address with an optional port") ;
    }
    list += len ;
    list += strspn(list, ", ") ;
  }
  return s->nremotes ;
}

int rc_sender_fits (rc_sender const *s)
{
  char packet[RC_PACKET_MAX] ;
  char ts[RC_TIMESTAMP_MAX + 1] ;
  char rcv[RC_RECEIVER_MAX] = { 0 } ;
  rc_timestamp_now(ts) ;
  return !!rc_packet_build(packet, 0, ts, s->ip, s->is6, rcv, RC_RECEIVER_MAX, s->records, s->recordslen, s->key->key, s->key->len) ;
}

static void send_one (rc_sender *s, int fd, rc_remote *r)
{
  char packet[RC_PACKET_MAX] ;
  size_t n ;
  if (fd < 0) return ;
  if (s->key)
  {
    /* Naming the receiver in the MAC: a copy is good nowhere else. */
    char rcv[RC_RECEIVER_MAX] ;
    size_t rcvlen = rc_receiver_pack(rcv, r->ip.ip, r->ip.is6, r->port) ;
    char *ts = r->sent[r->nsent++ % RC_SENT_MAX] ;
    rc_timestamp_now(ts) ;
    n = rc_packet_build(packet, 0, ts, s->ip, s->is6, rcv, rcvlen, s->records, s->recordslen, s->key->key, s->key->len) ;
  }
  else n = strlen(s->addr), memcpy(packet, s->addr, n) ;
  if (socket_send46(fd, packet, n, &r->ip, r->port) < 0 && errno != EAGAIN)
    rc_warnsys("unable to send login from ", s->addr, " to ", r->text) ;
}

static int answer_ok (rc_sender const *s, rc_remote const *r, char const *buf, size_t len)
{
  rc_packet p ;
  if (!s->key) return len >= 1 ;
  if (rc_packet_parse(&p, buf, len) || !p.response || p.is6 != s->is6 || memcmp(p.ip, s->ip, s->is6 ? 16 : 4)) return 0 ;
  if (!rc_packet_verify(&p, buf, s->key->key, s->key->len)) return 0 ;
  for (unsigned int i = 0 ; i < RC_SENT_MAX && i < r->nsent ; i++)
    if (!strcmp(p.ts, r->sent[i])) return 1 ;
  return 0 ;
}

/* Reads the answers waiting on fd; returns how many remotes answered. */
static unsigned int receive (rc_sender *s, int fd, int fd6)
{
  char buf[RC_PACKET_MAX + 1] ;
  unsigned int got = 0 ;
  for (;;)
  {
    ip46 src = { .is6 = fd6 } ;
    uint16_t port ;
    ssize_t len = socket_recv46(fd, buf, sizeof(buf), &src, &port) ;
    if (len < 0) return got ;
    if (src.is6) src.is6 = rc_ip_unmap(src.ip, src.ip) ;
    for (unsigned int i = 0 ; i < s->nremotes ; i++)
    {
      rc_remote *r = s->remotes + i ;
      if (r->answered || r->port != port || r->ip.is6 != src.is6 || memcmp(r->ip.ip, src.ip, src.is6 ? 16 : 4)) continue ;
      if (answer_ok(s, r, buf, (size_t)len)) { r->answered = 1 ; got++ ; }
      else rc_warn("ignored a bad answer from ", r->text) ;
      break ;
    }
  }
}

void rc_sender_run (rc_sender *s, unsigned int tries, unsigned int timeout)
{
  unsigned int left = s->nremotes ;
  int fds[2] = { socket_udp4_nbcoe(), socket_udp6_nbcoe() } ;
  if (fds[0] < 0) rc_warnsys("unable to create an IPv4 UDP socket") ;
  if (fds[1] < 0) rc_warnsys("unable to create an IPv6 UDP socket") ;
  for (unsigned int t = 0 ; t < tries && left ; t++)
  {
    tain deadline ;
    for (unsigned int i = 0 ; i < s->nremotes ; i++)
      if (!s->remotes[i].answered) send_one(s, fds[s->remotes[i].ip.is6], s->remotes + i) ;
    tain_now_g() ;
    tain_addsec_g(&deadline, timeout) ;
    while (left)
    {
      iopause_fd x[2] = { { .fd = fds[0], .events = IOPAUSE_READ }, { .fd = fds[1], .events = IOPAUSE_READ } } ;
      int r = iopause_g(x, 2, &deadline) ;
      if (r < 0) { if (errno == EINTR) continue ; rc_warnsys("unable to wait for answers") ; break ; }
      if (!r) break ;
      for (unsigned int j = 0 ; j < 2 ; j++)
        if (x[j].fd >= 0 && x[j].revents) left -= receive(s, x[j].fd, (int)j) ;
    }
  }
  for (unsigned int i = 0 ; i < s->nremotes ; i++)
    if (!s->remotes[i].answered)
    {
      char fmt[UINT_FMT] ;
      fmt[uint_fmt(fmt, tries)] = 0 ;
      rc_warn("login from ", s->addr, " not recorded on ", s->remotes[i].text, ": no answer after ", fmt, " tries") ;
    }
}
