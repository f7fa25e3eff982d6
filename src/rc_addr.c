/* Canonical text of a client address: the spool file name. */

#include <string.h>
#include <arpa/inet.h>
#include <skalibs/fmtscan.h>
#include "rc.h"

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
  static char const mapped[12] = "\0\0\0\0\0\0\0\0\0\0\377\377" ;
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
