/* relay-ctrl-list's rows: kept, sorted by address, printed as a table
   for people or tab-separated for scripts. */

#include <stdlib.h>
#include <string.h>
#include <skalibs/types.h>
#include <skalibs/buffer.h>
#include <skalibs/stralloc.h>
#include <skalibs/genalloc.h>
#include "rc_rows.h"

static genalloc rows = GENALLOC_ZERO ;
static stralloc users = STRALLOC_ZERO ;
static size_t nrows ;
static int good = 1 ;

int rc_rows_add (struct rc_row *r, char const *user)
{
  r->user = users.len ;
  return stralloc_catb(&users, user, strlen(user) + 1) && genalloc_append(struct rc_row, &rows, r) ;
}

static int by_address (void const *a, void const *b)
{
  struct rc_row const *x = a, *y = b ;
  int c = strcmp(x->addr, y->addr) ;
  return c ? c : x->redis - y->redis ;
}

/* Sorted; a Redis key met twice (SCAN may return one twice) once. */
size_t rc_rows_sort (void)
{
  struct rc_row *r = genalloc_s(struct rc_row, &rows) ;
  size_t n = genalloc_len(struct rc_row, &rows), k = 1 ;
  if (!n) return nrows = 0 ;
  qsort(r, n, sizeof(struct rc_row), &by_address) ;
  for (size_t i = 1 ; i < n ; i++)
    if (!r[i].redis || !r[k - 1].redis || strcmp(r[i].addr, r[k - 1].addr) != 0) r[k++] = r[i] ;
  return nrows = k ;
}

void rc_rows_free (void)
{
  genalloc_free(struct rc_row, &rows) ;
  stralloc_free(&users) ;
}

static char const *state (struct rc_row const *r)
{
  return r->redis ? "redis" : r->age == RC_FRESH ? "fresh" : r->age == RC_STALE ? "expired" : "future" ;
}

static void put (char const *s)
{
  if (buffer_puts(buffer_1, s) < 0) good = 0 ;
}

static void putn (long n)
{
  char fmt[LONG_FMT] ;
  fmt[long_fmt(fmt, n)] = 0 ;
  put(fmt) ;
}

static void pad (char const *s, size_t width)
{
  size_t n = strlen(s) ;
  put(s) ;
  while (n++ < width + 2) put(" ") ;
}

/* The table is for people: bytes that could steer a terminal become '?'. */
static char const *printable (char *s)
{
  for (char *p = s ; *p ; p++) if (!rc_printable(p, 1, 1)) *p = '?' ;
  return s ;
}

int rc_rows_table (time_t now)
{
  struct rc_row *r = genalloc_s(struct rc_row, &rows) ;
  size_t n = nrows ;
  size_t aw = 7, uw = 4 ;
  for (size_t i = 0 ; i < n ; i++)
  {
    size_t len = strlen(users.s + r[i].user) ;
    if (strlen(r[i].addr) > aw) aw = strlen(r[i].addr) ;
    if (len > uw) uw = len ;
  }
  pad("ADDRESS", aw) ; pad("USER", uw) ; put("AGE     LEFT    STATE\n") ;
  for (size_t i = 0 ; i < n ; i++)
  {
    char num[LONG_FMT] ;
    pad(r[i].addr, aw) ;
    pad(users.s[r[i].user] ? printable(users.s + r[i].user) : "-", uw) ;
    num[long_fmt(num, (long)(now - r[i].mtime))] = 0 ; pad(num, 6) ;
    num[long_fmt(num, r[i].left)] = 0 ; pad(num, 6) ;
    put(state(&r[i])) ;
    put("\n") ;
  }
  return buffer_flush(buffer_1) && good ;
}

int rc_rows_machine (time_t now)
{
  struct rc_row *r = genalloc_s(struct rc_row, &rows) ;
  size_t n = nrows ;
  for (size_t i = 0 ; i < n ; i++)
  {
    put(r[i].addr) ; put("\t") ;
    put(users.s + r[i].user) ; put("\t") ;
    putn((long)r[i].mtime) ; put("\t") ;
    putn((long)(now - r[i].mtime)) ; put("\t") ;
    putn(r[i].left) ; put("\t") ;
    put(state(&r[i])) ; put("\n") ;
  }
  return buffer_flush(buffer_1) && good ;
}

