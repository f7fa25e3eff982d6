/* relay-ctrl-udp: records in the spool the logins that relay-ctrl-send
   reports from other hosts. Runs for ever under supervise. */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/prctl.h>
#include <skalibs/types.h>
#include <skalibs/ip46.h>
#include "rc.h"
#include "rc_packet.h"

#define USAGE "relay-ctrl-udp"
#define FROM_MAX (IP46_FMT + UINT16_FMT + 4)
#define NETS_MAX 64
#define REPLAY_MAX 4096
/* Datagrams taken and answered per recvmmsg and sendmmsg. */
#define BATCH 32

static rc_key keys[2] ;
static unsigned int nkeys ;
static rc_net nets[NETS_MAX] ;
static size_t nnets ;
static int restricted, legacy, dirfd, inherited, log_ips ;
static rc_spool_self self ;
static uint16_t own_port ;

/* MACs of the requests accepted within the skew window. A request dated
   at or before floor may have been forgotten, so it is refused. At start
   floor is the later of the start time and the time of FLOOR_NAME in the
   spool, which is kept at or above every timestamp accepted (rounded up
   to the second) before the login is recorded: a restart forgets
   nothing that could be replayed, even a request dated ahead. */
#define FLOOR_NAME ".udp-floor"
static struct { uint64_t ts ; char mac[RC_MAC_LEN] ; } replay[REPLAY_MAX] ;
static size_t replay_n, replay_next ;
static uint64_t floor_ns, persisted_ns ;

/* An index of the ring by MAC: chains through replay_link, headed in
   replay_head (slot + 1, 0 for none), bucket from the MAC's first bytes
   (HMAC output, so evenly spread). A lookup compares one MAC or two,
   not all 4096. */
#define REPLAY_HASH (2 * REPLAY_MAX)
static uint16_t replay_head[REPLAY_HASH], replay_link[REPLAY_MAX] ;

static size_t bucket (char const *mac)
{
  uint32_t h ;
  memcpy(&h, mac, sizeof(h)) ;
  return h % REPLAY_HASH ;
}

static int replayed (char const *mac)
{
  for (unsigned int i = replay_head[bucket(mac)] ; i ; i = replay_link[i - 1])
    if (!memcmp(replay[i - 1].mac, mac, RC_MAC_LEN)) return 1 ;
  return 0 ;
}

static void unindex (size_t slot)
{
  uint16_t *p = replay_head + bucket(replay[slot].mac) ;
  while (*p && *p != slot + 1) p = replay_link + *p - 1 ;
  if (*p) *p = replay_link[slot] ;
}

/* When full, forget the next entry of the ring that is not dated ahead
   of this host's clock (one dated ahead stays, or it could come back
   once forgotten), and the floor never passes this host's clock: one
   request dated ahead cannot make genuine logins look replayed. */
static void remember (char const *mac, uint64_t ts, uint64_t now)
{
  if (replay_n == REPLAY_MAX)
  {
    uint64_t f ;
    for (size_t tries = 0 ; replay[replay_next].ts > now && tries < REPLAY_MAX ; tries++)
      replay_next = (replay_next + 1) % REPLAY_MAX ;
    f = replay[replay_next].ts < now ? replay[replay_next].ts : now ;
    if (f > floor_ns) floor_ns = f ;
    unindex(replay_next) ;
  }
  replay[replay_next].ts = ts ;
  memcpy(replay[replay_next].mac, mac, RC_MAC_LEN) ;
  replay_link[replay_next] = replay_head[bucket(mac)] ;
  replay_head[bucket(mac)] = (uint16_t)(replay_next + 1) ;
  replay_next = (replay_next + 1) % REPLAY_MAX ;
  if (replay_n < REPLAY_MAX) replay_n++ ;
}

static void floor_load (uint64_t start)
{
  struct stat st ;
  floor_ns = start ;
  if (fstatat(dirfd, FLOOR_NAME, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode)) return ;
  persisted_ns = (uint64_t)st.st_mtim.tv_sec * 1000000000ULL + (uint64_t)st.st_mtim.tv_nsec ;
  if (persisted_ns > floor_ns) floor_ns = persisted_ns ;
}

/* FLOOR_NAME's time raised to ts, rounded up to the second (so a file
   system that keeps whole seconds loses nothing, and it is set at most
   once a second). 0 if that failed. */
static int floor_keep (uint64_t ts)
{
  struct timespec t[2] ;
  if (ts <= persisted_ns) return 1 ;
  t[0].tv_sec = (time_t)((ts + 999999999ULL) / 1000000000ULL) ;
  t[0].tv_nsec = 0 ;
  t[1] = t[0] ;
  if (utimensat(dirfd, FLOOR_NAME, t, AT_SYMLINK_NOFOLLOW) < 0)
  {
    int fd ;
    if (errno != ENOENT) return 0 ;
    fd = openat(dirfd, FLOOR_NAME, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644) ;
    if (fd < 0) return 0 ;
    close(fd) ;
    if (utimensat(dirfd, FLOOR_NAME, t, AT_SYMLINK_NOFOLLOW) < 0) return 0 ;
  }
  persisted_ns = (uint64_t)t[0].tv_sec * 1000000000ULL ;
  return 1 ;
}

/* The datagrams of one recvmmsg, and the answers to them, sent with one
   sendmmsg once all are handled. */
static struct mmsghdr inmsg[BATCH], outmsg[BATCH] ;
static struct iovec iniov[BATCH], outiov[BATCH] ;
static struct sockaddr_storage peer[BATCH] ;
static char inbuf[BATCH][RC_PACKET_MAX + 1] ;
static char outbuf[BATCH][RC_PACKET_MAX] ;
static char outfrom[BATCH][FROM_MAX] ;
/* Each datagram's IP_PKTINFO or IPV6_PKTINFO (in6_pktinfo, glibc shows
   it only under _GNU_SOURCE: the 16-byte address first). */
#define CMSG_MAX (CMSG_SPACE(16 + sizeof(unsigned int)) + CMSG_SPACE(sizeof(struct in_pktinfo)))
static union { struct cmsghdr h ; char buf[CMSG_MAX] ; } incmsg[BATCH] ;
static unsigned int nout, cur ;

/* Queues an answer to the datagram being handled. */
static void reply (char const *s, size_t n, char const *from)
{
  memcpy(outbuf[nout], s, n) ;
  outiov[nout].iov_base = outbuf[nout] ;
  outiov[nout].iov_len = n ;
  memset(&outmsg[nout], 0, sizeof(outmsg[nout])) ;
  outmsg[nout].msg_hdr.msg_name = &peer[cur] ;
  outmsg[nout].msg_hdr.msg_namelen = inmsg[cur].msg_hdr.msg_namelen ;
  outmsg[nout].msg_hdr.msg_iov = &outiov[nout] ;
  outmsg[nout].msg_hdr.msg_iovlen = 1 ;
  memcpy(outfrom[nout], from, strlen(from) + 1) ;
  nout++ ;
}

static void flush (int fd)
{
  for (unsigned int done = 0 ; done < nout ;)
  {
    int r = sendmmsg(fd, outmsg + done, nout - done, 0) ;
    if (r > 0) { done += (unsigned int)r ; continue ; }
    if (r < 0 && errno == EINTR) continue ;
    rc_warnsys("unable to answer ", outfrom[done]) ;
    done++ ;
  }
  nout = 0 ;
}

static uint64_t now_ns (void)
{
  struct timespec ts ;
  clock_gettime(CLOCK_REALTIME, &ts) ;
  return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec ;
}

static void reject (char const *from, char const *why, char const *detail)
{
  rc_warn("ignored packet from ", from, ": ", why, detail) ;
}

static int record (char const *from, char const *addr, char const *data, size_t len)
{
  if (rc_spool_write_self(&self, dirfd, addr, data, len, inherited ? 0644 : 0600) < 0)
  {
    rc_warnsys("not recording login from ", addr, " sent by ", from, ": unable to write its spool entry") ;
    return 0 ;
  }
  if (log_ips) rc_info("recorded login from ", addr, " sent by ", from) ;
  return 1 ;
}

static char const *skew (uint64_t ts, uint64_t now)
{
  uint64_t window = (uint64_t)RC_SKEW * 1000000000ULL ;
  if (ts + window < now) return "timestamp too old (more than 30 s behind this host's clock)" ;
  if (ts > now + window) return "timestamp in the future (more than 30 s ahead of this host's clock)" ;
  if (ts <= floor_ns) return "timestamp older than what the replay cache covers (receiver restarted or cache full)" ;
  return 0 ;
}

/* The first variable that may not be imported, if any. */
static int env_allowed (char const *from, rc_packet const *p, char *out, size_t *outlen)
{
  char q[RC_QUOTE_MAX] ;
  char const *why ;
  unsigned int rejected ;
  for (size_t pos = 0 ; pos < p->recordslen ; pos += strlen(p->records + pos) + 1)
  {
    char const *rec = p->records + pos ;
    char const *eq = strchr(rec, '=') ;
    if (!rc_name_wanted(rec, (size_t)(eq - rec)))
    {
      char name[RC_QUOTE_MAX] ;
      size_t n = (size_t)(eq - rec) < sizeof(name) - 1 ? (size_t)(eq - rec) : sizeof(name) - 1 ;
      memcpy(name, rec, n) ;
      name[n] = 0 ;
      reject(from, "variable not accepted: ", rc_quote(q, name)) ;
      return 0 ;
    }
  }
  *outlen = rc_records_parse(out, RC_PACKET_MAX, 0, p->records, p->recordslen, 0, 0, &rejected, &why) ;
  if (rejected) { reject(from, "variable not accepted: ", why) ; return 0 ; }
  return 1 ;
}

/* dst: the datagram's destination address (dst6: 16 bytes, else 4). */
static void authenticated (int fd, char const *buf, size_t len, ip46 const *src, uint16_t port, char const *from, char const *dst, int dst6)
{
  rc_packet p ;
  char addr[IP46_FMT] ;
  char data[RC_PACKET_MAX] ;
  char answer[RC_PACKET_MAX] ;
  char ip[16] ;
  char const *why ;
  rc_key const *key = 0 ;
  size_t datalen = 0, n ;
  int is6 ;
  uint64_t now ;
  if (!nkeys) { reject(from, "authenticated packet, but no key is configured", "") ; return ; }
  why = rc_packet_parse(&p, buf, len) ;
  if (why) { reject(from, why, "") ; return ; }
  for (unsigned int i = 0 ; i < nkeys && !key ; i++)
    if (rc_packet_verify(&p, buf, keys[i].key, keys[i].len)) key = keys + i ;
  if (!key) { reject(from, "bad MAC (wrong key or altered packet)", "") ; return ; }
  if (p.response) { reject(from, "a response, not a request", "") ; return ; }
  if (!p.rcvlen) { reject(from, "no receiver item (a sender older than this receiver?)", "") ; return ; }
  {
    char own[RC_RECEIVER_MAX] ;
    size_t ownlen = rc_receiver_pack(own, dst, dst6, own_port) ;
    if (ownlen != p.rcvlen || memcmp(own, p.rcv, ownlen)) { reject(from, "sent to another receiver", "") ; return ; }
  }
  now = now_ns() ;
  why = skew(p.tsns, now) ;
  if (why) { reject(from, why, "") ; return ; }
  if (replayed(p.mac)) { reject(from, "replay of a packet already accepted", "") ; return ; }
  is6 = p.is6 ? rc_ip_unmap(ip, p.ip) : (memcpy(ip, p.ip, 4), 0) ;
  addr[is6 ? ip6_fmt(addr, ip) : ip4_fmt(addr, ip)] = 0 ;
  if (!env_allowed(from, &p, data, &datalen)) return ;
  if (!floor_keep(p.tsns))
  {
    rc_warnsys("not recording a login sent by ", from, ": unable to keep the replay floor in " FLOOR_NAME " in the spool") ;
    return ;
  }
  if (!record(from, addr, data, datalen)) return ;
  remember(p.mac, p.tsns, now) ;
  n = rc_packet_build(answer, 1, p.ts, p.ip, p.is6, 0, 0, 0, 0, key->key, key->len) ;
  (void)fd ; (void)src ; (void)port ;
  reply(answer, n, from) ;
}

/* relay-ctrl 3.2's datagram: the address in text, nothing else. */
static void unauthenticated (int fd, char const *buf, size_t len, ip46 const *src, uint16_t port, char const *from)
{
  char addr[RC_ADDR_MAX] ;
  if (!legacy) { reject(from, "unauthenticated datagram, and RELAY_CTRL_LEGACY is not set", "") ; return ; }
  if (!rc_addr_canon(addr, buf, len) || strchr(addr, '%')) { reject(from, "unauthenticated datagram that is not an IP address", "") ; return ; }
  if (!record(from, addr, "", 0)) return ;
  (void)fd ; (void)src ; (void)port ;
  reply("", 1, from) ;
}

static void handle (int fd, char const *buf, size_t len, ip46 *src, uint16_t port, ip46 const *to)
{
  char dst[16] ;
  int dst6 = to->is6 ? rc_ip_unmap(dst, to->ip) : (memcpy(dst, to->ip, 4), 0) ;
  char from[FROM_MAX] ;
  char ip[16] ;
  int is6 = src->is6 ? rc_ip_unmap(ip, src->ip) : (memcpy(ip, src->ip, 4), 0) ;
  size_t n = 0 ;
  if (is6) from[n++] = '[' ;
  n += is6 ? ip6_fmt(from + n, ip) : ip4_fmt(from + n, ip) ;
  if (is6) from[n++] = ']' ;
  from[n++] = ':' ;
  n += uint16_fmt(from + n, port) ;
  from[n] = 0 ;
  if (restricted && !rc_nets_match(nets, nnets, ip, is6)) reject(from, "sender not in RELAY_CTRL_SENDERS", "") ;
  else if (!len) reject(from, "empty packet", "") ;
  else if (len > RC_PACKET_MAX) reject(from, "oversized packet", "") ;
  else if (buf[0] == RC_PACKET_VERSION) authenticated(fd, buf, len, src, port, from, dst, dst6) ;
  else if ((unsigned char)buf[0] < 0x20) reject(from, "unknown packet version", "") ;
  else unauthenticated(fd, buf, len, src, port, from) ;
}

static void configure (ip46 *bind, uint16_t *port)
{
  char q[RC_QUOTE_MAX] ;
  char const *s ;
  int r = rc_key_load(keys, "RELAY_CTRL_KEY") ;
  if (r < 0) rc_fatal(100, "no usable key") ;
  nkeys = (unsigned int)r ;
  r = rc_key_load(keys + nkeys, "RELAY_CTRL_KEY_OLD") ;
  if (r < 0) rc_fatal(100, "no usable old key") ;
  if (r && !nkeys) rc_fatal(100, "RELAY_CTRL_KEY_OLD is set without RELAY_CTRL_KEY") ;
  nkeys += (unsigned int)r ;
  s = getenv("RELAY_CTRL_LEGACY") ;
  legacy = s && *s && strcmp(s, "0") ;
  if (!nkeys && !legacy) rc_fatal(100, "no key configured: set RELAY_CTRL_KEY to a key file, or RELAY_CTRL_LEGACY=1 to accept unauthenticated datagrams") ;
  s = getenv("RELAY_CTRL_SENDERS") ;
  if (s)
  {
    char const *bad ;
    nnets = rc_nets_scan(nets, NETS_MAX, s, &bad) ;
    if (bad) rc_fatal(100, "RELAY_CTRL_SENDERS: not an address or network: ", rc_quote(q, bad)) ;
    restricted = 1 ;
  }
  else if (legacy) rc_fatal(100, "RELAY_CTRL_LEGACY needs RELAY_CTRL_SENDERS: otherwise anyone who can reach the port can open relaying") ;
  s = getenv("RELAY_CTRL_BIND") ;
  if (!s) s = "127.0.0.1" ;
  if (inet_pton(AF_INET, s, bind->ip) == 1) bind->is6 = 0 ;
  else if (inet_pton(AF_INET6, s, bind->ip) == 1) bind->is6 = 1 ;
  else rc_fatal(100, "RELAY_CTRL_BIND=", rc_quote(q, s), " is not an IP address") ;
  log_ips = !!getenv("RELAY_CTRL_LOG_IPS") ;
  s = getenv("RELAY_CTRL_PORT") ;
  *port = 811 ;
  if (s && (!uint160_scan(s, port) || !*port)) rc_fatal(100, "RELAY_CTRL_PORT=", rc_quote(q, s), " is not a port number") ;
}

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

int main (int argc, char const *const *argv)
{
  char text[IP46_FMT] ;
  char fmt[UINT16_FMT] ;
  ip46 bind ;
  uint16_t port ;
  struct stat st ;
  int fd ;
  prctl(PR_SET_DUMPABLE, 0) ;  /* first of all: doc/security.md */
  (void)argv ;
  rc_log_name("relay-ctrl-udp") ;
  if (argc > 1) rc_usage(USAGE) ;
  configure(&bind, &port) ;
  dirfd = rc_spool_open(&inherited, "no login can be recorded", "") ;
  if (dirfd < 0) rc_fatal(100, "no spool") ;
  if (fstat(dirfd, &st) < 0 || !S_ISDIR(st.st_mode)) rc_fatal(100, "the spool is not a directory") ;
  fd = socket_udp46_b(bind.is6) ;
  if (fd < 0) rc_fatalsys(111, "unable to create a UDP socket") ;
  text[ip46_fmt(text, &bind)] = 0 ;
  fmt[uint16_fmt(fmt, port)] = 0 ;
  if (socket_bind46(fd, &bind, port) < 0) rc_fatalsys(111, "unable to bind to ", text, " port ", fmt) ;
  {
    int one = 1 ;
    if ((bind.is6 ? setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one))
                  : setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one))) < 0)
      rc_fatalsys(111, "unable to ask for the destination address of datagrams") ;
  }
  own_port = port ;
  floor_load(now_ns()) ;
  rc_info("listening on ", text, " port ", fmt, nkeys ? (legacy ? ", authenticated and legacy" : ", authenticated") : ", legacy only", restricted ? "" : ", from any sender") ;
  /* Files are made with their final mode, so rc_spool_write needs no
     fchmod; and the pid for their temporary names is got once. */
  umask(0) ;
  self.pid = (uint64_t)getpid() ;
  self.umask0 = 1 ;
  for (unsigned int i = 0 ; i < BATCH ; i++)
  {
    iniov[i].iov_base = inbuf[i] ;
    iniov[i].iov_len = sizeof(inbuf[i]) ;
  }
  for (;;)
  {
    int r ;
    for (unsigned int i = 0 ; i < BATCH ; i++)
    {
      memset(&inmsg[i], 0, sizeof(inmsg[i])) ;
      inmsg[i].msg_hdr.msg_name = &peer[i] ;
      inmsg[i].msg_hdr.msg_namelen = sizeof(peer[i]) ;
      inmsg[i].msg_hdr.msg_iov = &iniov[i] ;
      inmsg[i].msg_hdr.msg_iovlen = 1 ;
      inmsg[i].msg_hdr.msg_control = incmsg[i].buf ;
      inmsg[i].msg_hdr.msg_controllen = sizeof(incmsg[i].buf) ;
    }
    /* Waits for one datagram, then takes those already queued. */
    r = recvmmsg(fd, inmsg, BATCH, MSG_WAITFORONE, 0) ;
    if (r < 0)
    {
      if (errno != EINTR && errno != EAGAIN) rc_warnsys("unable to receive a packet") ;
      continue ;
    }
    for (cur = 0 ; cur < (unsigned int)r ; cur++)
    {
      ip46 src = { .is6 = bind.is6 }, to = bind ;
      uint16_t sport ;
      if (!peer_scan(&peer[cur], inmsg[cur].msg_hdr.msg_namelen, &src, &sport)) continue ;
      dest_scan(&inmsg[cur].msg_hdr, &to) ;
      handle(fd, inbuf[cur], inmsg[cur].msg_len, &src, sport, &to) ;
    }
    flush(fd) ;
  }
}
