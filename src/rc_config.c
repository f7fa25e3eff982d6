/* The expiry setting. */

#include <stdlib.h>
#include <skalibs/types.h>
#include "rc.h"

/* 1 and *n when s is a positive number of seconds, else 0 and the
   default in *n. */
int rc_expiry_scan (char const *s, unsigned int *n)
{
  if (s && uint0_scan(s, n) && *n) return 1 ;
  *n = RC_EXPIRY_DEFAULT ;
  return !s ;
}
