/* libFuzzer harness: rc_addr_canon, the address text relay-ctrl-check
   and -allow get from TCPREMOTEIP or IP. Its output is a file name in
   the spool, so beyond memory errors it checks that the output is short,
   made of address characters only (no '/', not starting with '.'), and
   canonical: canonicalising it again gives it back, and so does
   canonicalising the same address as glibc's inet_ntop writes it. */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "rc.h"

int LLVMFuzzerTestOneInput (uint8_t const *, size_t) ;

static void bad (char const *what, char const *out)
{
  fprintf(stderr, "fuzz/addr: invariant broken: %s: output \"%s\"\n", what, out) ;
  abort() ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  char out[RC_ADDR_MAX], again[RC_ADDR_MAX] ;
  size_t n = rc_addr_canon(out, (char const *)data, size) ;
  if (!n) return 0 ;
  if (n >= RC_ADDR_MAX) bad("too long", "") ;
  if (strlen(out) != n) bad("length differs from the returned one", out) ;
  if (out[0] == '.' || strchr(out, '/')) bad("not a safe file name", out) ;
  for (size_t i = 0 ; i < n ; i++)
  {
    char c = out[i] ;
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == ':' || c == '.' || c == '%' || c == '_' || c == '-'))
      bad("character outside an address", out) ;
  }
  /* Hex digits are lower case before any zone id; the zone id is kept. */
  for (size_t i = 0 ; i < n && out[i] != '%' ; i++)
    if (out[i] >= 'A' && out[i] <= 'Z') bad("upper case in the address part", out) ;
  if (strchr(out, '%') && !strchr(out, ':')) bad("zone id on an IPv4 address", out) ;
  if (!strncmp(out, "::ffff:", 7) && strcspn(out, ".%") < strcspn(out, "%")) bad("IPv4-mapped address not reduced to IPv4", out) ;
  if (rc_addr_canon(again, out, n) != n || memcmp(again, out, n + 1)) bad("not canonical: canonicalising it again changes it", out) ;
  {
    char text[RC_ADDR_MAX], other[INET6_ADDRSTRLEN + RC_ZONE_MAX + 2], ip[16] ;
    size_t z = strcspn(out, "%") ;
    int is6 = !!memchr(out, ':', z) ;
    memcpy(text, out, z) ;
    text[z] = 0 ;
    if (inet_pton(is6 ? AF_INET6 : AF_INET, text, ip) != 1) bad("output is not an address", out) ;
    if (!inet_ntop(is6 ? AF_INET6 : AF_INET, ip, other, INET6_ADDRSTRLEN)) bad("inet_ntop failed", out) ;
    strcat(other, out + z) ;
    if (rc_addr_canon(again, other, strlen(other)) != n || memcmp(again, out, n + 1)) bad("another form of the same address gives another name", other) ;
  }
  return 0 ;
}
