/* Canonical text of a client address: the spool file name. */

#include <string.h>
#include <arpa/inet.h>
#include <skalibs/types.h>
#include <skalibs/fmtscan.h>
#include "rc.h"

static char const mapped[12] = "\0\0\0\0\0\0\0\0\0\0\377\377" ;

static int zone_valid (char const *s, size_t len)
{
  if (!len || len >= RC_ZONE_MAX) return 0 ;
  for (size_t i = 0 ; i < len ; i++)
  {
    char c = s[i] ;
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
       || c == '_' || c == '-' || c == '.')) return 0 ;
  }
  return 1 ;
}

/* inet_pton, not skalibs' ip46_scan: the latter reads 256.1.1.1 as
   0.1.1.1 and stops at an embedded dotted quad (::ffff:1.2.3.4). */
size_t rc_addr_canon (char *out, char const *in, size_t len)
{
  char text[RC_INPUT_MAX] ;
  char ip[16] ;
  char *zone ;
  size_t zonelen = 0, n ;
  if (!len || len >= RC_INPUT_MAX || memchr(in, 0, len)) return 0 ;
  memcpy(text, in, len) ;
  text[len] = 0 ;
  zone = strchr(text, '%') ;
  if (zone)
  {
    *zone++ = 0 ;
    zonelen = strlen(zone) ;
    if (!zone_valid(zone, zonelen)) return 0 ;
  }
  if (inet_pton(AF_INET6, text, ip) == 1)
  {
    if (!memcmp(ip, mapped, 12))
    {
      if (zone) return 0 ;
      n = ip4_fmt(out, ip + 12) ;
    }
    else
    {
      n = ip6_fmt(out, ip) ;
      if (zone)
      {
        out[n++] = '%' ;
        memcpy(out + n, zone, zonelen) ;
        n += zonelen ;
      }
    }
  }
  else if (!zone && inet_pton(AF_INET, text, ip) == 1) n = ip4_fmt(out, ip) ;
  else return 0 ;
  out[n] = 0 ;
  return n ;
}

/* Whether name (len bytes) is already the canonical text of an address,
   as spool files and Redis keys are named. */
int rc_addr_is_canonical (char const *name, size_t len)
{
  char canon[RC_ADDR_MAX] ;
  return len < RC_ADDR_MAX && rc_addr_canon(canon, name, len) == len && !memcmp(canon, name, len) ;
}

/* An IPv4-mapped IPv6 address comes out as the IPv4 one (*is6 = 0). */
int rc_hostport_scan (char *ip, int *is6, uint16_t *port, char const *s, size_t len)
{
  char text[RC_INPUT_MAX] ;
  char *host = text, *colon ;
  uint16_t p = *port ;
  if (!len || len >= sizeof(text) || memchr(s, 0, len)) return 0 ;
  memcpy(text, s, len) ;
  text[len] = 0 ;
  if (text[0] == '[')
  {
    char *end = strchr(text, ']') ;
    if (!end) return 0 ;
    *end++ = 0 ;
    host++ ;
    if (*end && (*end != ':' || !uint160_scan(end + 1, &p) || !p)) return 0 ;
    if (inet_pton(AF_INET6, host, ip) != 1) return 0 ;
    *is6 = 1 ;
  }
  else if ((colon = strchr(text, ':')) && strchr(colon + 1, ':'))
  {
    if (inet_pton(AF_INET6, text, ip) != 1) return 0 ;
    *is6 = 1 ;
  }
  else
  {
    if (colon && (*colon = 0, !uint160_scan(colon + 1, &p) || !p)) return 0 ;
    if (inet_pton(AF_INET, text, ip) != 1) return 0 ;
    *is6 = 0 ;
  }
  if (*is6 && !memcmp(ip, mapped, 12)) { memmove(ip, ip + 12, 4) ; *is6 = 0 ; }
  *port = p ;
  return 1 ;
}
