/* Who may make DRAC calls: a file of networks, one a line. */

#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <skalibs/types.h>
#include <skalibs/buffer.h>
#include <skalibs/skamisc.h>
#include "rc_drac.h"

static int prefix_match (unsigned char const *a, unsigned char const *b, unsigned int bits)
{
  unsigned int n = bits / 8 ;
  if (memcmp(a, b, n) != 0) return 0 ;
  if (bits % 8) { unsigned char m = (unsigned char)(0xff << (8 - bits % 8)) ; return (a[n] & m) == (b[n] & m) ; }
  return 1 ;
}

/* IPv4 senders are compared as IPv4-mapped IPv6 addresses. */
void rc_drac_map4 (unsigned char *ip6, unsigned char const *ip4)
{
  memset(ip6, 0, 10) ; ip6[10] = ip6[11] = 0xff ; memcpy(ip6 + 12, ip4, 4) ;
}

int rc_drac_allowed (rc_drac_net const *nets, unsigned int n, unsigned char const *ip6)
{
  for (unsigned int i = 0 ; i < n ; i++)
    if (prefix_match(ip6, nets[i].ip, nets[i].bits)) return 1 ;
  return 0 ;
}

/* A line: "MASK ADDRESS" as in dracd.allow (IPv4), "ADDRESS/BITS", or
   one ADDRESS; '#' starts a comment. 1 read, 0 empty, -1 bad. */
static int allow_line (char *s, rc_drac_net *n)
{
  char *w[3] ;
  unsigned int nw = 0 ;
  unsigned char ip[16], mask[4] ;
  char *hash = strchr(s, '#'), *slash, *save = 0 ;
  if (hash) *hash = 0 ;
  for (char *t = strtok_r(s, " \t\r", &save) ; t ; t = strtok_r(0, " \t\r", &save)) { if (nw == 3) return -1 ; w[nw++] = t ; }
  if (!nw) return 0 ;
  if (nw == 2)
  {
    unsigned int bits = 0 ;
    if (inet_pton(AF_INET, w[0], mask) != 1 || inet_pton(AF_INET, w[1], ip) != 1) return -1 ;
    while (bits < 32 && mask[bits / 8] & (0x80 >> (bits % 8))) bits++ ;
    for (unsigned int b = bits ; b < 32 ; b++) if (mask[b / 8] & (0x80 >> (b % 8))) return -1 ;
    rc_drac_map4(n->ip, ip) ; n->bits = 96 + bits ;
    return 1 ;
  }
  if (nw != 1) return -1 ;
  slash = strchr(w[0], '/') ;
  if (slash) *slash++ = 0 ;
  if (inet_pton(AF_INET, w[0], ip) == 1)
  {
    unsigned int bits = 32 ;
    if (slash && (!uint0_scan(slash, &bits) || bits > 32)) return -1 ;
    rc_drac_map4(n->ip, ip) ; n->bits = 96 + bits ;
    return 1 ;
  }
  if (inet_pton(AF_INET6, w[0], n->ip) != 1) return -1 ;
  n->bits = 128 ;
  if (slash && (!uint0_scan(slash, &n->bits) || n->bits > 128)) return -1 ;
  return 1 ;
}

int rc_drac_allow_read (int fd, rc_drac_net *nets, unsigned int *n, unsigned int *lineno)
{
  char line[512] ;
  char buf[BUFFER_INSIZE] ;
  buffer b ;
  buffer_init(&b, &buffer_read, fd, buf, sizeof(buf)) ;
  *n = *lineno = 0 ;
  for (;;)
  {
    size_t w = 0 ;
    int r = getlnmax(&b, line, sizeof(line) - 1, &w, '\n') ;
    if (r < 0) return errno == ERANGE ? -2 : -1 ;
    if (!r && !w) return 1 ;
    ++*lineno ;
    if (w && line[w - 1] == '\n') w-- ;
    line[w] = 0 ;
    if (*n == RC_DRAC_ALLOW_MAX) return -3 ;
    switch (allow_line(line, &nets[*n]))
    {
      case 1 : ++*n ; break ;
      case 0 : break ;
      default : return 0 ;
    }
    if (!r) return 1 ;
  }
}
