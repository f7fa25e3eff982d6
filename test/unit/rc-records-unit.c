/* Parses a spool file from stdin; prints each imported record on a line,
   then "rejected N: why". */

#include <stdio.h>
#include "rc.h"

static void show (char const *record, size_t len, void *ctx)
{
  (void)len ; (void)ctx ;
  puts(record) ;
}

int main (void)
{
  static char in[1 << 20] ;
  char out[RC_RECORDS_MAX] ;
  char const *why ;
  unsigned int rejected ;
  size_t len = fread(in, 1, sizeof(in), stdin) ;
  rc_records_parse(out, sizeof(out), 0, in, len, &show, 0, &rejected, &why) ;
  printf("rejected %u: %s\n", rejected, why ? why : "-") ;
  return 0 ;
}
