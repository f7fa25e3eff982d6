/* relay-ctrl-udp: records in the spool the logins that relay-ctrl-send
   reports from other hosts. Runs for ever under supervise. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <skalibs/types.h>
#include <skalibs/ip46.h>
#include <skalibs/socket.h>
#include "rc_say.h"
#include "rc_udp.h"
#include "rc_store.h"

#define USAGE "relay-ctrl-udp"

static rc_udp_settings set ;
static int dirfd ;
static rc_spool_self writer ;

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

/* A login this receiver recorded, with the same records, is refreshed
   in place (rc_udp_entries.c says why that is safe); else written. */
static int record (char const *from, char const *addr, char const *data, size_t len)
{
  int64_t now = (int64_t)time(0) ;
  if (!rc_udp_entries_refresh(dirfd, addr, data, len, now))
  {
    int fd = rc_spool_write_self(&writer, dirfd, addr, data, len, RC_ENTRY_MODE) ;
    if (fd < 0)
    {
      rc_warnsys("not recording login from ", addr, " sent by ", from, ": unable to write its spool entry") ;
      return 0 ;
    }
    if (writer.keepfd) rc_udp_entries_keep(addr, data, len, fd, now) ;
  }
  if (set.log_ips) rc_info("recorded login from ", addr, " sent by ", from) ;
  return 1 ;
}

static void authenticated (rc_datagram const *d, char const *from)
{
  rc_udp_login login ;
  char answer[RC_PACKET_MAX] ;
  char detail[RC_QUOTE_MAX] ;
  uint64_t now = now_ns() ;
  char const *why = rc_udp_request_check(&login, &set.receiver, d->buf, d->len, &d->to, now, detail) ;
  if (why) { reject(from, why, detail) ; return ; }
  if (!rc_replay_floor_keep(dirfd, login.p.tsns))
  {
    rc_warnsys("not recording a login sent by ", from, ": unable to keep the replay floor in " RC_REPLAY_FLOOR " in the spool") ;
    return ;
  }
  if (!record(from, login.addr, login.records, login.recordslen)) return ;
  rc_replay_remember(login.p.mac, login.p.tsns, now) ;
  rc_udp_batch_reply(d, answer, rc_packet_build(answer, 1, login.p.ts, login.p.ip, login.p.is6, 0, 0, 0, 0, login.key->key, login.key->len), from) ;
}

/* relay-ctrl 3.2's datagram: the address in text, nothing else. */
static void unauthenticated (rc_datagram const *d, char const *from)
{
  char addr[RC_ADDR_MAX] ;
  if (!set.legacy) { reject(from, "unauthenticated datagram, and RELAY_CTRL_LEGACY is not set", "") ; return ; }
  if (!rc_addr_canon(addr, d->buf, d->len) || strchr(addr, '%')) { reject(from, "unauthenticated datagram that is not an IP address", "") ; return ; }
  if (record(from, addr, "", 0)) rc_udp_batch_reply(d, "", 1, from) ;
}

static void handle (rc_datagram const *d)
{
  char from[RC_UDP_FROM_MAX] ;
  char ip[16] ;
  int is6 = d->src.is6 ? rc_ip_unmap(ip, d->src.ip) : (memcpy(ip, d->src.ip, 4), 0) ;
  size_t n = 0 ;
  if (is6) from[n++] = '[' ;
  n += is6 ? ip6_fmt(from + n, ip) : ip4_fmt(from + n, ip) ;
  if (is6) from[n++] = ']' ;
  from[n++] = ':' ;
  n += uint16_fmt(from + n, d->port) ;
  from[n] = 0 ;
  if (set.restricted && !rc_nets_match(set.nets, set.nnets, ip, is6)) reject(from, "sender not in RELAY_CTRL_SENDERS", "") ;
  else if (!d->len) reject(from, "empty packet", "") ;
  else if (d->len > RC_PACKET_MAX) reject(from, "oversized packet", "") ;
  else if (d->buf[0] == RC_PACKET_VERSION) authenticated(d, from) ;
  else if ((unsigned char)d->buf[0] < 0x20) reject(from, "unknown packet version", "") ;
  else unauthenticated(d, from) ;
}

int main (int argc, char const *const *argv)
{
  char text[IP46_FMT] ;
  char fmt[UINT16_FMT] ;
  char msg[RC_UDP_MSG_MAX] ;
  ip46 const *bind = &set.bind ;
  struct stat st ;
  int fd, one = 1 ;
  prctl(PR_SET_DUMPABLE, 0) ;  /* first of all: doc/security.md */
  (void)argv ;
  rc_log_name("relay-ctrl-udp") ;
  if (argc > 1) rc_usage(USAGE) ;
  if (rc_udp_settings_read(&set, msg)) { if (set.keywhy.text[0]) rc_log_why(&set.keywhy) ; rc_fatal(100, msg) ; }
  {
    struct rc_settings spool ;
    struct rc_why w ;
    rc_settings_spool(&spool) ;
    dirfd = rc_spool_dir(&spool, 0, &w) ;
    if (dirfd < 0) { rc_say_why("no login can be recorded", "", &w) ; rc_fatal(100, "no spool") ; }
  }
  if (fstat(dirfd, &st) < 0 || !S_ISDIR(st.st_mode)) rc_fatal(100, "the spool is not a directory") ;
  fd = socket_udp46_b(bind->is6) ;
  if (fd < 0) rc_fatalsys(111, "unable to create a UDP socket") ;
  text[ip46_fmt(text, bind)] = 0 ;
  fmt[uint16_fmt(fmt, set.receiver.port)] = 0 ;
  if (socket_bind46(fd, bind, set.receiver.port) < 0) rc_fatalsys(111, "unable to bind to ", text, " port ", fmt) ;
  if ((bind->is6 ? setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one))
                : setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one))) < 0)
    rc_fatalsys(111, "unable to ask for the destination address of datagrams") ;
  rc_replay_floor_load(dirfd, now_ns()) ;
  rc_info("listening on ", text, " port ", fmt, set.receiver.nkeys ? (set.legacy ? ", authenticated and legacy" : ", authenticated") : ", legacy only", set.restricted ? "" : ", from any sender") ;
  /* Files are made with their final mode, so rc_spool_write needs no
     fchmod; and the pid for their temporary names is got once. */
  umask(0) ;
  writer.pid = (uint64_t)getpid() ;
  writer.umask0 = 1 ;
  writer.keepfd = rc_udp_entries_init(dirfd, rc_say_expiry_scan(getenv("RELAY_CTRL_EXPIRY"))) > 0 ;
  /* Wakes up once a minute when idle, to close the files kept too long. */
  if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &(struct timeval){ .tv_sec = 60 }, sizeof(struct timeval)) < 0)
    rc_fatalsys(111, "unable to set a receive timeout") ;
  for (;;)
  {
    rc_datagram const *d ;
    char const *from ;
    int n = rc_udp_batch_recv(fd, bind, &d) ;
    if (n < 0 && errno != EINTR && errno != EAGAIN) rc_warnsys("unable to receive a packet") ;
    for (int i = 0 ; i < n ; i++) handle(d + i) ;
    while ((from = rc_udp_batch_flush(fd))) rc_warnsys("unable to answer ", from) ;
    rc_udp_entries_sweep((int64_t)time(0)) ;
  }
}
