/* Reads lines from stdin (NUL bytes allowed), prints each canonical
   address, or "-" for a refused one. */

#include <stdio.h>
#include <string.h>
#include "rc.h"

int main (void)
{
  static char in[1 << 16] ;
  size_t len = fread(in, 1, sizeof(in), stdin), pos = 0 ;
  while (pos < len)
  {
    char out[RC_ADDR_MAX] ;
    char *nl = memchr(in + pos, '\n', len - pos) ;
    size_t n = nl ? (size_t)(nl - in) - pos : len - pos ;
    puts(rc_addr_canon(out, in + pos, n) ? out : "-") ;
    pos += n + 1 ;
  }
  return 0 ;
}
