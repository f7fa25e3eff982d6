/* libFuzzer harness: rc_records_from_env, what relay-ctrl-allow stores
   from the login's environment (USER and what the POP server sets can
   come from the client). Input: newline-separated RELAY_CTRL_IMPORT,
   then USER, DOMAIN, QUOTA, FOO, IFS values (a missing line leaves the
   variable unset), the last byte of the input choosing the output room.
   Checks that what -allow writes is exactly what -check imports again:
   parsed back under the same RELAY_CTRL_IMPORT, nothing is refused. */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rc.h"

int LLVMFuzzerTestOneInput (uint8_t const *, size_t) ;

static void bad (char const *what)
{
  fprintf(stderr, "fuzz/env: invariant broken: %s\n", what) ;
  abort() ;
}

/* A variable left out: its name and reason are only checked to be
   strings, a name of at most 64 bytes and a reason. */
static void skipped (char const *name, char const *why, void *ctx)
{
  if (!*why || strlen(name) > 64) bad("a skipped variable's name or reason") ;
  (void)ctx ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  static char const *const names[] = { "RELAY_CTRL_IMPORT", "USER", "DOMAIN", "QUOTA", "FOO", "IFS" } ;
  char text[2048] ;
  char back[RC_RECORDS_MAX] ;
  char const *why ;
  unsigned int rejected ;
  size_t max, w, w2, pos = 0, i ;
  char *out ;
  if (!size || size > sizeof(text)) return 0 ;
  max = data[size - 1] ? (size_t)data[size - 1] * 16 : RC_RECORDS_MAX ;
  memcpy(text, data, size - 1) ;
  text[size - 1] = 0 ;
  if (strlen(text) != size - 1) return 0 ;
  for (i = 0 ; i < sizeof(names) / sizeof(*names) ; i++)
  {
    char *nl ;
    if (pos >= size) { unsetenv(names[i]) ; continue ; }
    nl = strchr(text + pos, '\n') ;
    if (nl) *nl = 0 ;
    setenv(names[i], text + pos, 1) ;
    pos += strlen(text + pos) + 1 ;
  }
  out = malloc(max) ;
  if (!out) return 0 ;
  w = rc_records_from_env(out, max, &skipped, 0) ;
  if (w > max) bad("output past its room") ;
  if (w && out[w - 1]) bad("output not NUL-terminated") ;
  w2 = rc_records_parse(back, sizeof(back), 0, out, w, 0, 0, &rejected, &why) ;
  if (rejected) { fprintf(stderr, "fuzz/env: %u refused: %s\n", rejected, why) ; bad("relay-ctrl-check would refuse what relay-ctrl-allow writes") ; }
  if (w2 != w || memcmp(back, out, w)) bad("records not read back as written") ;
  free(out) ;
  return 0 ;
}
