/* Spool file content: "NAME=value\0" records, only for allowed names. */

#include <stdlib.h>
#include <string.h>
#include "rc.h"

#define NAME_MAX_LEN 64

static int is_name (char const *s, size_t len)
{
  if (!len || len > NAME_MAX_LEN || (s[0] >= '0' && s[0] <= '9')) return 0 ;
  for (size_t i = 0 ; i < len ; i++)
  {
    char c = s[i] ;
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return 0 ;
  }
  return 1 ;
}

static int is (char const *s, size_t len, char const *word)
{
  return strlen(word) == len && !memcmp(s, word, len) ;
}

static int starts (char const *s, size_t len, char const *prefix)
{
  size_t n = strlen(prefix) ;
  return len >= n && !memcmp(s, prefix, n) ;
}

/* Names that steer the SMTP server or the programs it runs: never taken
   from a file, whatever RELAY_CTRL_IMPORT says. */
int rc_name_importable (char const *s, size_t len)
{
  static char const *const forbidden[] =
    { "RELAYCLIENT", "PATH", "IFS", "ENV", "BASH_ENV", "SHELL", "HOME", "QMAILQUEUE", 0 } ;
  if (!is_name(s, len)) return 0 ;
  for (char const *const *f = forbidden ; *f ; f++) if (is(s, len, *f)) return 0 ;
  return !starts(s, len, "LD_") && !starts(s, len, "TCP") && !starts(s, len, "RELAY_CTRL_") ;
}

/* USER, DOMAIN, and the names listed in RELAY_CTRL_IMPORT. */
int rc_name_wanted (char const *s, size_t len)
{
  char const *list ;
  if (is(s, len, "USER") || is(s, len, "DOMAIN")) return 1 ;
  if (!rc_name_importable(s, len)) return 0 ;
  list = getenv("RELAY_CTRL_IMPORT") ;
  while (list && *list)
  {
    size_t n = strcspn(list, ", ") ;
    if (n == len && !memcmp(list, s, len)) return 1 ;
    list += n ;
    list += strspn(list, ", ") ;
  }
  return 0 ;
}

static int is_value (char const *s, size_t len)
{
  return rc_printable(s, len, 0) == len ;
}

static size_t add (char *out, size_t max, size_t w, char const *name, size_t namelen, char const *value, size_t valuelen)
{
  if (w + namelen + valuelen + 2 > max) return w ;
  memcpy(out + w, name, namelen) ;
  out[w + namelen] = '=' ;
  memcpy(out + w + namelen + 1, value, valuelen) ;
  out[w + namelen + 1 + valuelen] = 0 ;
  return w + namelen + valuelen + 2 ;
}

/* The client's address of a login: TCPREMOTEIP (tcpserver), else IP
   (Dovecot's post-login scripts); 0 if neither is set. */
char const *rc_login_ip (void)
{
  char const *s = getenv("TCPREMOTEIP") ;
  return s ? s : getenv("IP") ;
}

/* Courier's authlib runs its modules whether or not the password was
   good; only AUTHENTICATED says it was. */
int rc_login_counts (void)
{
  char const *a ;
  if (!getenv("AUTHUSER") || !getenv("AUTHARGV0")) return 1 ;
  a = getenv("AUTHENTICATED") ;
  return a && *a ;
}

/* Who logged in: USER, or, from Courier (which sets no USER), the
   non-empty AUTHENTICATED; 0 if neither. */
char const *rc_login_user (void)
{
  char const *s = getenv("USER") ;
  if (s) return s ;
  s = getenv("AUTHENTICATED") ;
  return s && *s ? s : 0 ;
}

/* What relay-ctrl-allow stores: each wanted variable that is set and
   printable. One that is not is skipped: skipped (if not 0) is told its
   name and why, for the program to log. */
size_t rc_records_from_env (char *out, size_t max, rc_skipped_func *skipped, void *ctx)
{
  char const *list = getenv("RELAY_CTRL_IMPORT") ;
  size_t w = 0 ;
  char name[NAME_MAX_LEN + 1] ;
  char const *fixed[] = { "USER", "DOMAIN" } ;
  for (unsigned int i = 0 ; i < 2 || (list && *list) ; i++)
  {
    char const *value ;
    char const *why ;
    size_t n ;
    if (i < 2) n = strlen(fixed[i]), memcpy(name, fixed[i], n + 1) ;
    else
    {
      n = strcspn(list, ", ") ;
      int take = n <= NAME_MAX_LEN && rc_name_importable(list, n)
              && !is(list, n, "USER") && !is(list, n, "DOMAIN") ;
      if (take) memcpy(name, list, n), name[n] = 0 ;
      list += n ;
      list += strspn(list, ", ") ;
      if (!take) continue ;
    }
    value = i ? getenv(name) : rc_login_user() ;
    if (!value) continue ;
    if (!is_value(value, strlen(value))) why = "it contains control characters" ;
    else if (add(out, max, w, name, n, value, strlen(value)) == w) why = "it does not fit in the entry's 4096 bytes" ;
    else why = 0 ;
    if (why)
    {
      if (skipped) (*skipped)(name, why, ctx) ;
      continue ;
    }
    w = add(out, max, w, name, n, value, strlen(value)) ;
  }
  return w ;
}

/* Appends to out (max bytes, w used) the records of data that may be
   imported; calls f on each. Returns the new w; *rejected counts the rest
   (an unterminated tail counts as one), *why says what the first was. */
size_t rc_records_parse (char *out, size_t max, size_t w, char const *data, size_t len, rc_record_func *f, void *ctx, unsigned int *rejected, char const **why)
{
  size_t pos = 0 ;
  *rejected = 0 ;
  *why = 0 ;
  while (pos < len)
  {
    char const *rec = data + pos ;
    char const *end = memchr(rec, 0, len - pos) ;
    char const *reason = 0 ;
    size_t reclen = end ? (size_t)(end - rec) : len - pos ;
    char const *eq = memchr(rec, '=', reclen) ;
    pos += reclen + 1 ;
    if (!reclen) continue ;
    if (!end) reason = "unterminated record" ;
    else if (!eq || !is_name(rec, eq - rec)) reason = "malformed record" ;
    else if (!rc_name_wanted(rec, eq - rec)) reason = "name not importable" ;
    else if (!is_value(eq + 1, reclen - (eq - rec) - 1)) reason = "control characters in value" ;
    else if (w + reclen + 1 > max) reason = "too many records" ;
    if (reason)
    {
      if (!(*rejected)++) *why = reason ;
      continue ;
    }
    memcpy(out + w, rec, reclen + 1) ;
    if (f) (*f)(out + w, reclen, ctx) ;
    w += reclen + 1 ;
  }
  return w ;
}
