/* One-line logs, "PROG[pid]: level: message", safe for hostile text. */

#include <errno.h>
#include <unistd.h>
#include <string.h>
#include <skalibs/types.h>
#include <skalibs/strerr.h>
#include "rc.h"

static char const *name = "relay-ctrl" ;
static char prog[64] ;

void rc_log_name (char const *s)
{
  name = s ;
  PROG = s ;
}

/* The pid costs a system call, so it is only looked up to log (or when a
   child should log under its parent's pid). */
void rc_log_pid (void)
{
  if (prog[0]) return ;
  size_t n = strlen(name) ;
  if (n > sizeof(prog) - UINT_FMT - 3) n = sizeof(prog) - UINT_FMT - 3 ;
  memcpy(prog, name, n) ;
  prog[n++] = '[' ;
  n += uint_fmt(prog + n, (unsigned int)getpid()) ;
  prog[n++] = ']' ;
  prog[n] = 0 ;
  PROG = prog ;
}

/* Copies s into buf (RC_QUOTE_MAX bytes), non-printable bytes as '?',
   cut with "..." when too long. */
char const *rc_quote (char *buf, char const *s)
{
  size_t i = 0 ;
  for (; s[i] && i < RC_QUOTE_MAX - 4 ; i++)
    buf[i] = rc_printable(s + i, 1, 1) ? s[i] : '?' ;
  if (s[i]) { memcpy(buf + i, "...", 3) ; i += 3 ; }
  buf[i] = 0 ;
  return buf ;
}

static void logv (char const *level, char const *const *v, unsigned int n, int sys)
{
  char const *all[n + 2] ;
  rc_log_pid() ;
  all[0] = PROG ;
  all[1] = level ;
  memcpy(all + 2, v, n * sizeof(char const *)) ;
  if (sys) strerr_warnvsys(all, n + 2) ;
  else strerr_warnv(all, n + 2) ;
}

void rc_log_info (char const *const *v, unsigned int n) { logv(": info: ", v, n, 0) ; }
void rc_log_warn (char const *const *v, unsigned int n) { logv(": warning: ", v, n, 0) ; }
void rc_log_warnsys (char const *const *v, unsigned int n) { logv(": warning: ", v, n, 1) ; }

void rc_die (int e, char const *const *v, unsigned int n)
{
  logv(": fatal: ", v, n, 0) ;
  _exit(e) ;
}

void rc_diesys (int e, char const *const *v, unsigned int n)
{
  logv(": fatal: ", v, n, 1) ;
  _exit(e) ;
}

void rc_log_why (struct rc_why const *w)
{
  if (w->err) { errno = w->err ; rc_warnsys(w->text) ; }
  else rc_warn(w->text) ;
}

void rc_die_why (struct rc_why const *w)
{
  if (w->err) { errno = w->err ; rc_fatalsys(w->exitcode, w->text) ; }
  rc_fatal(w->exitcode, w->text) ;
}
