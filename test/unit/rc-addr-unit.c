/* Reads lines from stdin (NUL bytes allowed), prints each canonical
   address, or "-" for a refused one. With -p PORT: reads host[:port]
   lines as rc_hostport_scan does (PORT the default) and prints
   "4 a.b.c.d port" or "6 v6 port", or "-". */

#include <stdio.h>
#include <string.h>
#include <skalibs/types.h>
#include <skalibs/fmtscan.h>
#include "rc.h"

static void hostport (char const *s, size_t len, uint16_t port)
{
  char ip[16] ;
  char text[IP6_FMT] ;
  int is6 ;
  if (!rc_hostport_scan(ip, &is6, &port, s, len)) { puts("-") ; return ; }
  text[is6 ? ip6_fmt(text, ip) : ip4_fmt(text, ip)] = 0 ;
  printf("%c %s %u\n", is6 ? '6' : '4', text, (unsigned int)port) ;
}

int main (int argc, char const *const *argv)
{
  static char in[1 << 16] ;
  uint16_t port = 0 ;
  int ports = argc == 3 && !strcmp(argv[1], "-p") && uint160_scan(argv[2], &port) ;
  size_t len = fread(in, 1, sizeof(in), stdin), pos = 0 ;
  while (pos < len)
  {
    char out[RC_ADDR_MAX] ;
    char *nl = memchr(in + pos, '\n', len - pos) ;
    size_t n = nl ? (size_t)(nl - in) - pos : len - pos ;
    if (ports) hostport(in + pos, n, port) ;
    else puts(rc_addr_canon(out, in + pos, n) ? out : "-") ;
    pos += n + 1 ;
  }
  return 0 ;
}
