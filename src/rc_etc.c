/* The operations tools (list, query, revoke), typed at a shell prompt,
   have no envdir in front of them: then they read the installed one,
   RC_ETC (conf-etc), as "envdir RC_ETC prog" would, and say so. */

#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include <skalibs/stralloc.h>
#include <skalibs/env.h>
#include <skalibs/exec.h>
#include "rc.h"

#ifndef RC_ETC
#define RC_ETC "/etc/relay-ctrl"
#endif

/* The value NAME gets in the modifications, or 0. */
static char const *value_of (stralloc const *sa, char const *name)
{
  size_t n = strlen(name) ;
  for (size_t i = 0 ; i < sa->len ; i += strlen(sa->s + i) + 1)
    if (!strncmp(sa->s + i, name, n) && sa->s[i + n] == '=' && sa->s[i + n + 1]) return sa->s + i + n + 1 ;
  return 0 ;
}

void rc_etc_settings (char const *const *argv)
{
  stralloc sa = STRALLOC_ZERO ;
  char q[RC_QUOTE_MAX] ;
  char const *dir ;
  if (getenv("RELAY_CTRL_DIR_FD") || getenv("RELAY_CTRL_DIR") || getenv("RELAY_CTRL_REDIS") || getenv("RELAY_CTRL_REDIS_READ")) return ;
  if (envdir(RC_ETC, &sa) < 0)
  {
    if (errno == ENOENT) rc_fatal(100, "neither RELAY_CTRL_DIR_FD nor RELAY_CTRL_DIR is set, and there is no " RC_ETC " to read them from") ;
    rc_fatalsys(111, "neither RELAY_CTRL_DIR_FD nor RELAY_CTRL_DIR is set: unable to read " RC_ETC) ;
  }
  dir = value_of(&sa, "RELAY_CTRL_DIR") ;
  if (dir) rc_info("reading spool ", rc_quote(q, dir), " (RELAY_CTRL_DIR in " RC_ETC ")") ;
  else if (value_of(&sa, "RELAY_CTRL_REDIS") || value_of(&sa, "RELAY_CTRL_REDIS_READ")) rc_info("reading Redis as set in " RC_ETC) ;
  else rc_fatal(100, "neither RELAY_CTRL_DIR_FD nor RELAY_CTRL_DIR is set, nor RELAY_CTRL_DIR in " RC_ETC) ;
  mexec_am("/proc/self/exe", argv, sa.s, sa.len) ;
  rc_fatalsys(111, "unable to exec myself with the settings of " RC_ETC) ;
}
