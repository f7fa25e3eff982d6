/* Reasons (struct rc_why, rc.h): what a library says went wrong, for
   the program to log. */

#include <string.h>
#include "rc.h"

int rc_why_setv (struct rc_why *w, int exitcode, int err, char const *const *v, unsigned int n)
{
  size_t len = 0 ;
  for (unsigned int i = 0 ; i < n ; i++)
  {
    size_t k = strlen(v[i]) ;
    if (k > RC_WHY_MAX - 1 - len) k = RC_WHY_MAX - 1 - len ;
    memcpy(w->text + len, v[i], k) ;
    len += k ;
  }
  w->text[len] = 0 ;
  w->err = err ;
  w->exitcode = exitcode ;
  return -1 ;
}
