/* The operations tools (list, query, revoke), typed at a shell prompt,
   have no envdir in front of them: then they read the installed one,
   RC_ETC (conf-etc), as "envdir RC_ETC prog" would; the program says so
   (rc_etc_settings, rc_say.c). */

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

char const rc_etc_path[] = RC_ETC ;

/* The value NAME gets in the modifications, or 0. */
static char const *value_of (stralloc const *sa, char const *name)
{
  size_t n = strlen(name) ;
  for (size_t i = 0 ; i < sa->len ; i += strlen(sa->s + i) + 1)
    if (!strncmp(sa->s + i, name, n) && sa->s[i + n] == '=' && sa->s[i + n + 1]) return sa->s + i + n + 1 ;
  return 0 ;
}

/* RC_ETC's settings into sa when the environment names no store; *dir
   is their RELAY_CTRL_DIR (RC_ETC_SPOOL). */
enum rc_etc_e rc_etc_read (stralloc *sa, char const **dir)
{
  if (getenv("RELAY_CTRL_DIR_FD") || getenv("RELAY_CTRL_DIR") || getenv("RELAY_CTRL_REDIS") || getenv("RELAY_CTRL_REDIS_READ")) return RC_ETC_NOT_NEEDED ;
  if (envdir(RC_ETC, sa) < 0) return errno == ENOENT ? RC_ETC_MISSING : RC_ETC_UNREADABLE ;
  *dir = value_of(sa, "RELAY_CTRL_DIR") ;
  if (*dir) return RC_ETC_SPOOL ;
  if (value_of(sa, "RELAY_CTRL_REDIS") || value_of(sa, "RELAY_CTRL_REDIS_READ")) return RC_ETC_REDIS ;
  return RC_ETC_NO_STORE ;
}

void rc_etc_exec (char const *const *argv, stralloc const *sa)
{
  mexec_am("/proc/self/exe", argv, sa->s, sa->len) ;
}
