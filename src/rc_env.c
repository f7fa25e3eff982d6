/* A descriptor named by an environment variable (RELAY_CTRL_DIR_FD,
   RELAY_CTRL_KEY_FD, RELAY_CTRL_REDIS_AUTH_FD, ...). */

#include <stdlib.h>
#include <string.h>
#include <skalibs/types.h>
#include "rc_spool.h"

/* 0: name is unset. 1: it is fd *fd. -1: it is not a file descriptor
   (*text, when not 0, is its value either way). */
int rc_env_fd (char const *name, int *fd, char const **text)
{
  char const *s = getenv(name) ;
  unsigned int n ;
  if (text) *text = s ;
  if (!s) return 0 ;
  if (!uint0_scan(s, &n) || n > 1U << 30) return -1 ;
  *fd = (int)n ;
  return 1 ;
}

/* The spool's settings (the rest: rc_settings_read, rc_store.c). */
void rc_settings_spool (struct rc_settings *s)
{
  memset(s, 0, sizeof(*s)) ;
  s->dirfd = s->envfd = -1 ;
  s->fdstate = rc_env_fd("RELAY_CTRL_DIR_FD", &s->envfd, &s->fdtext) ;
  s->dir = getenv("RELAY_CTRL_DIR") ;
  s->direrrno = getenv("RELAY_CTRL_DIR_ERRNO") ;
}
