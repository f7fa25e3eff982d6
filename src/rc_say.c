/* The programs' side of the store seam: one phrasing of each verdict,
   reason and setting, for every front end (the stores log nothing). */

#include <errno.h>
#include "rc_say.h"

#define NOT_DONE "not relaying for "

void rc_say_why (char const *not_done, char const *addr, struct rc_why const *w)
{
  if (w->err) { errno = w->err ; rc_warnsys(not_done, addr, ": ", w->text) ; }
  else rc_warn(not_done, addr, ": ", w->text) ;
}

/* none_said: a miss was said already (the SMTP side's Redis says it). */
void rc_say_verdict (enum rc_verdict_e v, struct rc_found const *f, char const *addr, int logips, int none_said)
{
  switch (v)
  {
    case RC_VERDICT_NONE :
      if (logips && !none_said) rc_info(NOT_DONE, addr, ": no login recorded") ;
      break ;
    case RC_VERDICT_ERROR :
      if (f->err) { errno = f->err ; rc_warnsys(NOT_DONE, addr, ": ", f->why) ; }
      else rc_warn(NOT_DONE, addr, ": ", f->why) ;
      break ;
    case RC_VERDICT_FUTURE :
      rc_warn(NOT_DONE, addr, ": its spool entry is dated in the future") ;
      break ;
    case RC_VERDICT_STALE :
      if (logips) rc_info(NOT_DONE, addr, ": its login has expired") ;
      break ;
    case RC_VERDICT_ALLOW : break ;
  }
}

/* with_user: name the user of a Redis login too. */
void rc_say_relaying (char const *addr, char const *user, int redis, int with_user)
{
  char q[RC_QUOTE_MAX] ;
  char const *r = redis ? " (Redis)" : "" ;
  if (redis && !with_user) user = 0 ;
  if (user && *user) rc_info("relaying for ", addr, " (user ", rc_quote(q, user), ")", r) ;
  else rc_info("relaying for ", addr, r) ;
}

void rc_say_expiry (struct rc_settings *s)
{
  char q[RC_QUOTE_MAX] ;
  if (s->expirybad != 1) return ;
  s->expirybad = 2 ;
  rc_warn("RELAY_CTRL_EXPIRY=", rc_quote(q, s->expirytext), " is not a positive number of seconds, using 900") ;
}

int rc_spool_or_die (struct rc_settings *s)
{
  struct rc_why w ;
  int fd = rc_spool_dir(s, 1, &w) ;
  if (fd >= 0) return fd ;
  if (w.err) { errno = w.err ; rc_fatalsys(w.exitcode, w.text) ; }
  rc_fatal(w.exitcode, w.text) ;
}

/* For the programs not (yet) given settings: the spool, or -1 and one
   line "<not_done><addr>: <why>". */
int rc_spool_open (int *inherited, char const *not_done, char const *addr)
{
  struct rc_settings s ;
  struct rc_why w ;
  int fd ;
  rc_settings_spool(&s) ;
  fd = rc_spool_dir(&s, 0, &w) ;
  *inherited = s.fdstate != 0 ;
  if (fd < 0) rc_say_why(not_done, addr, &w) ;
  return fd ;
}

size_t rc_spool_hide (char *modif)
{
  struct rc_settings s ;
  rc_settings_spool(&s) ;
  return rc_spool_hide_fd(&s, modif) ;
}
