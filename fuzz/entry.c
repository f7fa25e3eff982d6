/* libFuzzer harness: rc_entry_read, how relay-ctrl-policy, -list, -query
   and -revoke read a spool entry (written by the mail user, so hostile)
   and make "user" or "user@domain" of it. The input is the file. Checks:
   name and user are NUL-terminated strings without control characters,
   user is name or name@domain, and name is the value of a USER record.
   (An empty USER= with a DOMAIN gives the user "@domain": allowed here,
   see doc/static-analysis.md.) */

#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include "rc_spool.h"

int LLVMFuzzerInitialize (int *, char ***) ;
int LLVMFuzzerTestOneInput (uint8_t const *, size_t) ;

static int dirfd = -1, filefd = -1 ;
static struct rc_entry e ;

static void bad (char const *what)
{
  fprintf(stderr, "fuzz/entry: invariant broken: %s\n", what) ;
  abort() ;
}

int LLVMFuzzerInitialize (int *argc, char ***argv)
{
  static char dir[4096] ;
  (void)argc ; (void)argv ;
  char const *tmp = getenv("TMPDIR") ;
  snprintf(dir, sizeof(dir), "%s/rc-fuzz-entry.XXXXXX", tmp ? tmp : "/tmp") ;
  if (!mkdtemp(dir)) bad("cannot make the spool") ;
  dirfd = open(dir, O_RDONLY | O_DIRECTORY) ;
  if (dirfd < 0) bad("cannot open the spool") ;
  filefd = openat(dirfd, "192.0.2.1", O_RDWR | O_CREAT | O_TRUNC, 0644) ;
  if (filefd < 0) bad("cannot make the entry") ;
  return 0 ;
}

static int printable (char const *s, size_t max)
{
  size_t n = strnlen(s, max) ;
  if (n == max) return 0 ;
  for (size_t i = 0 ; i < n ; i++) if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) return 0 ;
  return 1 ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  size_t n ;
  if (ftruncate(filefd, 0) < 0 || (size && pwrite(filefd, data, size, 0) != (ssize_t)size)) bad("cannot write the entry") ;
  memset(&e, 'x', sizeof(e)) ;
  if (rc_entry_read(dirfd, "192.0.2.1", &e) != RC_ENTRY_OK || !e.readable) bad("a regular file not read") ;
  if (!printable(e.name, sizeof(e.name)) || !printable(e.user, sizeof(e.user))) bad("name or user unterminated or with control characters") ;
  n = strlen(e.name) ;
  if (strncmp(e.user, e.name, n) || (e.user[n] && e.user[n] != '@')) bad("user is not name or name@domain") ;
  if (n)
  {
    /* The name comes from a whole USER record within what was read. */
    char rec[RC_RECORDS_MAX + 8] ;
    size_t m = (size_t)snprintf(rec, sizeof(rec), "USER=%s", e.name) + 1 ;
    size_t lim = size < RC_RECORDS_MAX ? size : RC_RECORDS_MAX ;
    if (!memmem(data, lim, rec, m)) bad("name is not the value of a USER record") ;
  }
  return 0 ;
}
