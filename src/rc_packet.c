/* Building and parsing packets: version byte, then (type, length, data)
   items, a MAC over everything before it, and a zero type byte. */

#include <string.h>
#include <time.h>
#include <skalibs/types.h>
#include "rc_packet.h"

/* "seconds.nanoseconds", nine digits of fraction: unique per packet. */
size_t rc_timestamp_now (char *s)
{
  struct timespec ts ;
  size_t n ;
  clock_gettime(CLOCK_REALTIME, &ts) ;
  n = uint64_fmt(s, (uint64_t)ts.tv_sec) ;
  s[n++] = '.' ;
  n += uint0_fmt(s + n, (unsigned int)ts.tv_nsec, 9) ;
  s[n] = 0 ;
  return n ;
}

/* Digits, optionally '.' and 1 to 9 digits; in nanoseconds. */
int rc_timestamp_scan (char const *s, size_t len, uint64_t *ns)
{
  uint64_t sec = 0, frac = 0 ;
  size_t i = 0, digits = 0 ;
  if (!len || len > RC_TIMESTAMP_MAX) return 0 ;
  for (; i < len && s[i] >= '0' && s[i] <= '9' ; i++) sec = sec * 10 + (uint64_t)(s[i] - '0') ;
  if (!i || i > 11 || sec >= 18000000000ULL) return 0 ;
  if (i < len)
  {
    if (s[i++] != '.') return 0 ;
    for (; i < len && s[i] >= '0' && s[i] <= '9' ; i++, digits++) frac = frac * 10 + (uint64_t)(s[i] - '0') ;
    if (i < len || !digits || digits > 9) return 0 ;
    for (; digits < 9 ; digits++) frac *= 10 ;
  }
  *ns = sec * 1000000000ULL + frac ;
  return 1 ;
}

static size_t item (char *buf, size_t w, unsigned char type, char const *data, size_t len)
{
  if (!w || len > 255 || w + 2 + len > RC_PACKET_MAX) return 0 ;
  buf[w] = (char)type ;
  buf[w + 1] = (char)len ;
  if (len) memcpy(buf + w + 2, data, len) ;
  return w + 2 + len ;
}

size_t rc_receiver_pack (char *out, char const *ip, int is6, uint16_t port)
{
  size_t n = is6 ? 16 : 4 ;
  memcpy(out, ip, n) ;
  out[n] = (char)(port >> 8) ;
  out[n + 1] = (char)(port & 0xff) ;
  return n + 2 ;
}

/* rcv: a RECEIVER item's data, if rcvlen. records: "NAME=VALUE\0"...,
   one ENV item each. 0 if it does not fit. */
size_t rc_packet_build (char *buf, int response, char const *ts, char const *ip, int is6, char const *rcv, size_t rcvlen, char const *records, size_t recordslen, char const *key, size_t keylen)
{
  size_t w = 1, pos = 0 ;
  buf[0] = RC_PACKET_VERSION ;
  w = item(buf, w, response ? RC_ITEM_RESPONSE : RC_ITEM_REQUEST, 0, 0) ;
  w = item(buf, w, RC_ITEM_TIMESTAMP, ts, strlen(ts)) ;
  w = item(buf, w, is6 ? RC_ITEM_IPV6 : RC_ITEM_IPV4, ip, is6 ? 16 : 4) ;
  if (rcvlen) w = item(buf, w, RC_ITEM_RECEIVER, rcv, rcvlen) ;
  while (pos < recordslen)
  {
    size_t n = strlen(records + pos) ;
    w = item(buf, w, RC_ITEM_ENV, records + pos, n) ;
    pos += n + 1 ;
  }
  if (!w || w + 2 + RC_MAC_LEN + 1 > RC_PACKET_MAX) return 0 ;
  buf[w] = RC_ITEM_MAC ;
  buf[w + 1] = RC_MAC_LEN ;
  rc_hmac_sha256(buf + w + 2, key, keylen, buf, w) ;
  w += 2 + RC_MAC_LEN ;
  buf[w++] = RC_ITEM_END ;
  return w ;
}

/* 0 if well formed (the MAC is not checked here), else why not. */
char const *rc_packet_parse (rc_packet *p, char const *buf, size_t len)
{
  size_t pos = 1 ;
  int kind = 0, ts = 0, addr = 0 ;
  p->recordslen = 0 ;
  p->rcvlen = 0 ;
  p->mac = 0 ;
  if (!len) return "empty packet" ;
  if (len > RC_PACKET_MAX) return "oversized packet" ;
  if (buf[0] != RC_PACKET_VERSION) return "unknown packet version" ;
  for (;;)
  {
    unsigned char type ;
    size_t n ;
    char const *data ;
    if (pos >= len) return "truncated packet: no end marker" ;
    type = (unsigned char)buf[pos] ;
    if (type == RC_ITEM_END)
    {
      if (pos + 1 != len) return "bytes after the end marker" ;
      break ;
    }
    if (p->mac) return "item after the MAC" ;
    if (pos + 2 > len) return "truncated item" ;
    n = (unsigned char)buf[pos + 1] ;
    if (pos + 2 + n > len) return "truncated item" ;
    data = buf + pos + 2 ;
    switch (type)
    {
      case RC_ITEM_REQUEST :
      case RC_ITEM_RESPONSE :
        if (n) return "bad length of request/response item" ;
        if (kind++) return "more than one request/response item" ;
        p->response = type == RC_ITEM_RESPONSE ;
        break ;
      case RC_ITEM_TIMESTAMP :
        if (ts++) return "more than one timestamp" ;
        if (!rc_timestamp_scan(data, n, &p->tsns)) return "malformed timestamp" ;
        memcpy(p->ts, data, n) ;
        p->ts[n] = 0 ;
        break ;
      case RC_ITEM_IPV4 :
      case RC_ITEM_IPV6 :
        if (addr++) return "more than one address" ;
        p->is6 = type == RC_ITEM_IPV6 ;
        if (n != (p->is6 ? 16U : 4U)) return "bad length of address item" ;
        memcpy(p->ip, data, n) ;
        break ;
      case RC_ITEM_ENV :
        if (!n || memchr(data, 0, n) || !memchr(data, '=', n)) return "malformed variable item" ;
        memcpy(p->records + p->recordslen, data, n) ;
        p->recordslen += n ;
        p->records[p->recordslen++] = 0 ;
        break ;
      case RC_ITEM_RECEIVER :
        if (p->rcvlen) return "more than one receiver item" ;
        if (n != 6 && n != 18) return "bad length of receiver item" ;
        memcpy(p->rcv, data, n) ;
        p->rcvlen = n ;
        break ;
      case RC_ITEM_MAC :
        if (n != RC_MAC_LEN) return "bad length of MAC item" ;
        p->mac = data ;
        p->maclen = pos ;
        break ;
      default : return "unknown item type" ;
    }
    pos += 2 + n ;
  }
  if (!p->mac) return "no MAC" ;
  if (!kind) return "no request/response item" ;
  if (!ts) return "no timestamp" ;
  if (!addr) return "no address" ;
  return 0 ;
}

/* 1 if the packet's MAC was made with key; constant time. */
int rc_packet_verify (rc_packet const *p, char const *buf, char const *key, size_t keylen)
{
  char mac[RC_MAC_LEN] ;
  unsigned char diff = 0 ;
  rc_hmac_sha256(mac, key, keylen, buf, p->maclen) ;
  for (unsigned int i = 0 ; i < RC_MAC_LEN ; i++) diff |= (unsigned char)(mac[i] ^ p->mac[i]) ;
  return !diff ;
}
