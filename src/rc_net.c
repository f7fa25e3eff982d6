/* Lists of networks: who may send to relay-ctrl-udp. */

#include <string.h>
#include <arpa/inet.h>
#include <skalibs/types.h>
#include "rc_packet.h"

static char const mapped[12] = "\0\0\0\0\0\0\0\0\0\0\377\377" ;

/* An IPv4-mapped IPv6 address as the IPv4 address it is. Returns is6. */
int rc_ip_unmap (char *ip, char const *ip6)
{
  if (memcmp(ip6, mapped, 12)) { memmove(ip, ip6, 16) ; return 1 ; }
  memmove(ip, ip6 + 12, 4) ;
  return 0 ;
}

static int net_scan (rc_net *net, char const *s, size_t len)
{
  char text[64] ;
  char *slash ;
  unsigned int max ;
  if (!len || len >= sizeof(text)) return 0 ;
  memcpy(text, s, len) ;
  text[len] = 0 ;
  slash = strchr(text, '/') ;
  if (slash) *slash++ = 0 ;
  if (inet_pton(AF_INET, text, net->ip) == 1) net->is6 = 0, max = 32 ;
  else if (inet_pton(AF_INET6, text, net->ip) == 1)
  {
    net->is6 = 1, max = 128 ;
    if (!memcmp(net->ip, mapped, 12))
    {
      if (slash) return 0 ;
      net->is6 = rc_ip_unmap(net->ip, net->ip), max = 32 ;
    }
  }
  else return 0 ;
  net->bits = max ;
  if (slash && (!*slash || !uint0_scan(slash, &net->bits) || net->bits > max)) return 0 ;
  return 1 ;
}

/* Comma- or space-separated. Returns how many, or 0 with *bad pointing
   at the first entry that is not a network (or the list is too long). */
size_t rc_nets_scan (rc_net *nets, size_t max, char const *s, char const **bad)
{
  size_t n = 0 ;
  *bad = 0 ;
  s += strspn(s, ", ") ;
  while (*s)
  {
    size_t len = strcspn(s, ", ") ;
    if (n >= max || !net_scan(nets + n, s, len)) { *bad = s ; return 0 ; }
    n++ ;
    s += len ;
    s += strspn(s, ", ") ;
  }
  return n ;
}

static int prefix_equal (char const *a, char const *b, unsigned int bits)
{
  unsigned int bytes = bits / 8, rest = bits % 8 ;
  if (memcmp(a, b, bytes)) return 0 ;
  if (!rest) return 1 ;
  unsigned char m = (unsigned char)(0xff << (8 - rest)) ;
  return ((unsigned char)a[bytes] & m) == ((unsigned char)b[bytes] & m) ;
}

int rc_nets_match (rc_net const *nets, size_t n, char const *ip, int is6)
{
  for (size_t i = 0 ; i < n ; i++)
    if (nets[i].is6 == is6 && prefix_equal(nets[i].ip, ip, nets[i].bits)) return 1 ;
  return 0 ;
}
