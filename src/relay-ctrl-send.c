/* relay-ctrl-send PROG...: reports a successful login to relay-ctrl-udp
   on other hosts, in the background, and runs PROG at once. */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <sys/prctl.h>
#include <arpa/inet.h>
#include <skalibs/types.h>
#include <skalibs/tai.h>
#include <skalibs/iopause.h>
#include <skalibs/ip46.h>
#include "rc_say.h"
#include "rc_packet.h"

#define USAGE "relay-ctrl-send prog..."
#define NOT_DONE "not sending login from "
#define REMOTES_MAX 32
#define SENT_MAX 16
#define UNSET "RELAY_CTRL_KEY_FD\0RELAY_CTRL_KEY_OLD_FD\0RELAY_CTRL_DIR_FD"

typedef struct remote_s remote ;
struct remote_s
{
  ip46 ip ;
  uint16_t port ;
  char text[RC_INPUT_MAX] ;
  int answered ;
  char sent[SENT_MAX][RC_TIMESTAMP_MAX + 1] ;
  unsigned int nsent ;
} ;

static remote remotes[REMOTES_MAX] ;
static unsigned int nremotes ;
static rc_key key ;
static int authenticated ;
static char addr[RC_ADDR_MAX] ;
static char ip[16] ;
static int is6 ;
static char records[RC_RECORDS_MAX] ;
static size_t recordslen ;
static int have_records ;

/* The login's records, read from the environment once (its warnings
   once too), for the local entry and the packet alike. */
static void get_records (void)
{
  if (have_records) return ;
  recordslen = rc_records_from_env(records, sizeof(records), addr) ;
  have_records = 1 ;
}

static unsigned int setting (char const *var, unsigned int def, unsigned int max)
{
  char q[RC_QUOTE_MAX] ;
  char fmt[UINT_FMT] ;
  char const *s = getenv(var) ;
  unsigned int n ;
  if (!s) return def ;
  if (uint0_scan(s, &n) && n && n <= max) return n ;
  fmt[uint_fmt(fmt, max)] = 0 ;
  rc_warn(var, "=", rc_quote(q, s), " is not a number from 1 to ", fmt, ": using the default") ;
  return def ;
}

/* "a.b.c.d", "a.b.c.d:port", "v6", "[v6]" or "[v6]:port". */
static int remote_scan (remote *r, char const *s, size_t len, uint16_t port)
{
  char text[RC_INPUT_MAX] ;
  char *host = text, *colon ;
  if (!len || len >= sizeof(text)) return 0 ;
  memcpy(text, s, len) ;
  text[len] = 0 ;
  memcpy(r->text, text, len + 1) ;
  if (text[0] == '[')
  {
    char *end = strchr(text, ']') ;
    if (!end) return 0 ;
    *end++ = 0 ;
    host++ ;
    if (*end && (*end != ':' || !uint160_scan(end + 1, &port) || !port)) return 0 ;
  }
  else if ((colon = strchr(text, ':')) && !strchr(colon + 1, ':'))
  {
    *colon++ = 0 ;
    if (!uint160_scan(colon, &port) || !port) return 0 ;
  }
  r->port = port ;
  if (inet_pton(AF_INET, host, r->ip.ip) == 1) r->ip.is6 = 0 ;
  else if (inet_pton(AF_INET6, host, r->ip.ip) == 1) r->ip.is6 = rc_ip_unmap(r->ip.ip, r->ip.ip) ;
  else return 0 ;
  return 1 ;
}

static void remotes_scan (void)
{
  char q[RC_QUOTE_MAX] ;
  char const *s = getenv("RELAY_CTRL_REMOTES") ;
  uint16_t port = (uint16_t)setting("RELAY_CTRL_PORT", 811, 65535) ;
  if (!s) return ;
  s += strspn(s, ", ") ;
  while (*s)
  {
    size_t len = strcspn(s, ", ") ;
    if (nremotes >= REMOTES_MAX) { rc_warn("RELAY_CTRL_REMOTES lists more than 32 remotes: ignoring the rest") ; return ; }
    if (remote_scan(remotes + nremotes, s, len, port)) nremotes++ ;
    else
    {
      char bad[RC_INPUT_MAX] ;
      size_t n = len < sizeof(bad) - 1 ? len : sizeof(bad) - 1 ;
      memcpy(bad, s, n) ;
      bad[n] = 0 ;
      rc_warn("ignoring remote ", rc_quote(q, bad), " in RELAY_CTRL_REMOTES: not an address with an optional port") ;
    }
    s += len ;
    s += strspn(s, ", ") ;
  }
}

static void send_one (int fd, remote *r)
{
  char packet[RC_PACKET_MAX] ;
  size_t n ;
  if (fd < 0) return ;
  if (authenticated)
  {
    /* Naming the receiver in the MAC: a copy is good nowhere else. */
    char rcv[RC_RECEIVER_MAX] ;
    size_t rcvlen = rc_receiver_pack(rcv, r->ip.ip, r->ip.is6, r->port) ;
    char *ts = r->sent[r->nsent++ % SENT_MAX] ;
    rc_timestamp_now(ts) ;
    n = rc_packet_build(packet, 0, ts, ip, is6, rcv, rcvlen, records, recordslen, key.key, key.len) ;
  }
  else n = strlen(addr), memcpy(packet, addr, n) ;
  if (socket_send46(fd, packet, n, &r->ip, r->port) < 0 && errno != EAGAIN)
    rc_warnsys("unable to send login from ", addr, " to ", r->text) ;
}

static int answer_ok (remote const *r, char const *buf, size_t len)
{
  rc_packet p ;
  if (!authenticated) return len >= 1 ;
  if (rc_packet_parse(&p, buf, len) || !p.response || p.is6 != is6 || memcmp(p.ip, ip, is6 ? 16 : 4)) return 0 ;
  if (!rc_packet_verify(&p, buf, key.key, key.len)) return 0 ;
  for (unsigned int i = 0 ; i < SENT_MAX && i < r->nsent ; i++)
    if (!strcmp(p.ts, r->sent[i])) return 1 ;
  return 0 ;
}

static unsigned int receive (int fd, int fd6)
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
    for (unsigned int i = 0 ; i < nremotes ; i++)
    {
      remote *r = remotes + i ;
      if (r->answered || r->port != port || r->ip.is6 != src.is6 || memcmp(r->ip.ip, src.ip, src.is6 ? 16 : 4)) continue ;
      if (answer_ok(r, buf, (size_t)len)) { r->answered = 1 ; got++ ; }
      else rc_warn("ignored a bad answer from ", r->text) ;
      break ;
    }
  }
}

static void send_all (void)
{
  unsigned int tries = setting("RELAY_CTRL_TRIES", 5, 100) ;
  unsigned int timeout = setting("RELAY_CTRL_TIMEOUT", 1, 3600) ;
  unsigned int left = nremotes ;
  int fds[2] = { socket_udp4_nbcoe(), socket_udp6_nbcoe() } ;
  if (fds[0] < 0) rc_warnsys("unable to create an IPv4 UDP socket") ;
  if (fds[1] < 0) rc_warnsys("unable to create an IPv6 UDP socket") ;
  for (unsigned int t = 0 ; t < tries && left ; t++)
  {
    tain deadline ;
    for (unsigned int i = 0 ; i < nremotes ; i++)
      if (!remotes[i].answered) send_one(fds[remotes[i].ip.is6], remotes + i) ;
    tain_now_g() ;
    tain_addsec_g(&deadline, timeout) ;
    while (left)
    {
      iopause_fd x[2] = { { .fd = fds[0], .events = IOPAUSE_READ }, { .fd = fds[1], .events = IOPAUSE_READ } } ;
      int r = iopause_g(x, 2, &deadline) ;
      if (r < 0) { if (errno == EINTR) continue ; rc_warnsys("unable to wait for answers") ; break ; }
      if (!r) break ;
      for (unsigned int j = 0 ; j < 2 ; j++)
        if (x[j].fd >= 0 && x[j].revents) left -= receive(x[j].fd, (int)j) ;
    }
  }
  for (unsigned int i = 0 ; i < nremotes ; i++)
    if (!remotes[i].answered)
    {
      char fmt[UINT_FMT] ;
      fmt[uint_fmt(fmt, tries)] = 0 ;
      rc_warn("login from ", addr, " not recorded on ", remotes[i].text, ": no answer after ", fmt, " tries") ;
    }
}

/* Whatever happens here, the POP session goes on. 1 if there is
   something to send. */
static int prepare (void)
{
  char q[RC_QUOTE_MAX] ;
  char const *s = rc_login_ip() ;
  int r ;
  if (!rc_login_counts()) return 0 ;
  if (!s) { rc_warn("not sending login: neither TCPREMOTEIP nor IP is set") ; return 0 ; }
  if (!rc_addr_canon(addr, s, strlen(s))) { rc_warn(NOT_DONE, rc_quote(q, s), ": not an IP address") ; return 0 ; }
  {
    struct rc_settings local ;
    struct rc_why w ;
    rc_settings_spool(&local) ;
    if (local.fdstate) get_records() ;
    if (local.fdstate && rc_store_record(&local, RC_STORE_SPOOL, addr, records, recordslen, &w) < 0)
      rc_say_why("not recording login locally from ", addr, &w) ;
  }
  if (strchr(addr, '%')) { rc_warn(NOT_DONE, addr, ": an address with a zone means nothing on other hosts") ; return 0 ; }
  remotes_scan() ;
  if (!nremotes) { rc_warn(NOT_DONE, addr, ": no remotes in RELAY_CTRL_REMOTES") ; return 0 ; }
  r = rc_key_load(&key, "RELAY_CTRL_KEY") ;
  if (r < 0) { rc_warn(NOT_DONE, addr, ": no usable key") ; return 0 ; }
  authenticated = r ;
  if (!authenticated) return 1 ;
  is6 = inet_pton(AF_INET6, addr, ip) == 1 ;
  if (!is6) inet_pton(AF_INET, addr, ip) ;
  get_records() ;
  {
    char packet[RC_PACKET_MAX] ;
    char ts[RC_TIMESTAMP_MAX + 1] ;
    rc_timestamp_now(ts) ;
    char rcv[RC_RECEIVER_MAX] = { 0 } ;
    if (!rc_packet_build(packet, 0, ts, ip, is6, rcv, RC_RECEIVER_MAX, records, recordslen, key.key, key.len))
    {
      rc_warn("sending login from ", addr, " without its variables: they do not fit in a packet") ;
      recordslen = 0 ;
    }
  }
  return 1 ;
}

static void close_fd (char const *var)
{
  char const *s = getenv(var) ;
  unsigned int n ;
  if (s && uint0_scan(s, &n) && n > 2 && n <= 1U << 30) close((int)n) ;
}

/* Two forks, so the sender is nobody's child and PROG reaps nothing; it
   lets go of the client's connection on 0 and 1. */
static void spawn (void)
{
  pid_t pid = fork() ;
  if (pid < 0) { rc_warnsys(NOT_DONE, addr, ": unable to fork") ; return ; }
  if (!pid)
  {
    int null ;
    if (fork()) _exit(0) ;
    null = open("/dev/null", O_RDWR) ;
    if (null >= 0) { dup2(null, 0) ; dup2(null, 1) ; if (null > 2) close(null) ; }
    send_all() ;
    _exit(0) ;
  }
  while (waitpid(pid, 0, 0) < 0 && errno == EINTR) ;
}

int main (int argc, char const *const *argv)
{
  prctl(PR_SET_DUMPABLE, 0) ;  /* first of all: doc/security.md */
  rc_log_name("relay-ctrl-send") ;
  if (argc < 2) rc_usage(USAGE) ;
  tain_now_set_stopwatch_g() ;
  if (prepare()) spawn() ;
  memset(key.key, 0, sizeof(key.key)) ;
  close_fd("RELAY_CTRL_KEY_FD") ;
  close_fd("RELAY_CTRL_KEY_OLD_FD") ;
  close_fd("RELAY_CTRL_DIR_FD") ;
  rc_exec(argv + 1, UNSET, sizeof(UNSET)) ;
}
