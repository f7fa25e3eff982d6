/* libFuzzer harness: rc_records_parse, what relay-ctrl-check reads from
   a spool file (written by the mail user, so hostile).
   Input: byte 0 picks RELAY_CTRL_IMPORT (a fixed list, or, with bit 7
   set, the text up to the first newline of the rest), byte 1 the output
   room (1..255 times 16 bytes, 0 for RC_RECORDS_MAX), byte 2 how much of
   it is already used; the rest is the file. Checks the output against an
   independent reading of the rules: only USER, DOMAIN and names listed
   in RELAY_CTRL_IMPORT that are not forbidden, values without control
   characters, records kept in order and whole, counts that add up. */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rc.h"

int LLVMFuzzerTestOneInput (uint8_t const *, size_t) ;

static char const *const imports[] =
{
  0, "", "QUOTA", "QUOTA MAILDIR", "FOO, BAR,BAZ", " , ,", "PATH LD_PRELOAD RELAYCLIENT IFS TCPREMOTEIP RELAY_CTRL_DIR HOME",
  "USER DOMAIN", "A_1,_B,c9", "9X QUOTA=1 QU-OTA", "LD_,TCP,RELAY_CTRL_,LDX,TCQ,RELAY_CTRLX",
} ;

static void bad (char const *what, char const *rec, size_t len)
{
  fprintf(stderr, "fuzz/records: invariant broken: %s: record \"", what) ;
  for (size_t i = 0 ; i < len ; i++)
    fprintf(stderr, (unsigned char)rec[i] < 0x20 || (unsigned char)rec[i] >= 0x7f ? "\\x%02x" : "%c", (unsigned char)rec[i]) ;
  fprintf(stderr, "\"\n") ;
  abort() ;
}

static int forbidden (char const *s, size_t n)
{
  static char const *const names[] = { "RELAYCLIENT", "PATH", "IFS", "ENV", "BASH_ENV", "SHELL", "HOME", "QMAILQUEUE" } ;
  for (size_t i = 0 ; i < sizeof(names) / sizeof(*names) ; i++)
    if (strlen(names[i]) == n && !memcmp(names[i], s, n)) return 1 ;
  return (n >= 3 && !memcmp(s, "LD_", 3)) || (n >= 3 && !memcmp(s, "TCP", 3)) || (n >= 11 && !memcmp(s, "RELAY_CTRL_", 11)) ;
}

static int listed (char const *list, char const *s, size_t n)
{
  if (!list) return 0 ;
  for (char const *p = list ; *p ;)
  {
    size_t k = 0 ;
    while (p[k] && p[k] != ',' && p[k] != ' ') k++ ;
    if (k == n && !memcmp(p, s, n)) return 1 ;
    p += k ;
    while (*p == ',' || *p == ' ') p++ ;
  }
  return 0 ;
}

/* Whether a whole, NUL-terminated record of the file should be imported. */
static int wanted (char const *import, char const *rec, size_t len)
{
  char const *eq = memchr(rec, '=', len) ;
  size_t n ;
  if (!eq) return 0 ;
  n = (size_t)(eq - rec) ;
  if (!n || n > 64 || (rec[0] >= '0' && rec[0] <= '9')) return 0 ;
  for (size_t i = 0 ; i < n ; i++)
    if (!((rec[i] >= 'A' && rec[i] <= 'Z') || (rec[i] >= 'a' && rec[i] <= 'z') || (rec[i] >= '0' && rec[i] <= '9') || rec[i] == '_')) return 0 ;
  for (size_t i = n + 1 ; i < len ; i++)
    if ((unsigned char)rec[i] < 0x20 || rec[i] == 0x7f) return 0 ;
  if ((n == 4 && !memcmp(rec, "USER", 4)) || (n == 6 && !memcmp(rec, "DOMAIN", 6))) return 1 ;
  return !forbidden(rec, n) && listed(import, rec, n) ;
}

struct seen { char const *out ; size_t w ; unsigned int calls ; } ;

static void each (char const *rec, size_t len, void *ctx)
{
  struct seen *s = ctx ;
  if (rec != s->out + s->w || strlen(rec) != len) bad("callback not given the record just stored", rec, len) ;
  s->w += len + 1 ;
  s->calls++ ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  char importbuf[256] ;
  char const *import, *why, *file ;
  size_t max, w0, w, len, pos = 0, in = 0 ;
  unsigned int rejected, expect_rejected = 0, accepted = 0 ;
  struct seen seen ;
  char *out ;
  if (size < 3) return 0 ;
  file = (char const *)data + 3 ;
  len = size - 3 ;
  if (data[0] & 0x80)
  {
    char const *nl = memchr(file, '\n', len) ;
    size_t n = nl ? (size_t)(nl - file) : len ;
    if (n >= sizeof(importbuf) || memchr(file, 0, n)) return 0 ;
    memcpy(importbuf, file, n) ;
    importbuf[n] = 0 ;
    import = importbuf ;
    if (nl) n++ ;
    file += n ;
    len -= n ;
  }
  else import = imports[data[0] % (sizeof(imports) / sizeof(*imports))] ;
  if (import) setenv("RELAY_CTRL_IMPORT", import, 1) ; else unsetenv("RELAY_CTRL_IMPORT") ;
  max = data[1] ? (size_t)data[1] * 16 : RC_RECORDS_MAX ;
  w0 = data[2] % (max + 1) ;
  /* Exactly max bytes, so AddressSanitizer sees any write past them. */
  out = malloc(max) ;
  if (!out) return 0 ;
  memset(out, 'x', w0) ;
  seen.out = out ; seen.w = w0 ; seen.calls = 0 ;
  w = rc_records_parse(out, max, w0, file, len, &each, &seen, &rejected, &why) ;
  if (w < w0 || w > max) bad("output length out of bounds", "", 0) ;
  if (seen.w != w) bad("callbacks do not cover the output", "", 0) ;
  for (size_t i = 0 ; i < w0 ; i++) if (out[i] != 'x') bad("bytes before the start overwritten", out, w0) ;
  /* Walk the file's records and the output side by side. */
  while (pos < len)
  {
    char const *rec = file + pos ;
    char const *end = memchr(rec, 0, len - pos) ;
    size_t reclen = end ? (size_t)(end - rec) : len - pos ;
    pos += reclen + 1 ;
    if (!reclen) continue ;
    if (end && wanted(import, rec, reclen) && in + w0 + reclen + 1 <= max)
    {
      if (in + w0 + reclen + 1 > w || memcmp(out + w0 + in, rec, reclen + 1)) bad("importable record not imported as it is", rec, reclen) ;
      in += reclen + 1 ;
      accepted++ ;
    }
    else expect_rejected++ ;
  }
  if (w0 + in != w) bad("output holds records the rules refuse", out + w0 + in, w - w0 - in) ;
  if (accepted != seen.calls) bad("callback count differs from the records imported", "", 0) ;
  if (rejected != expect_rejected) bad("rejected count wrong", "", 0) ;
  if (!rejected != !why) bad("reason given without rejection or the reverse", why ? why : "", why ? strlen(why) : 0) ;
  free(out) ;
  return 0 ;
}
