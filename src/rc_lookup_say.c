/* The log line of a spool verdict, as relay-ctrl-check and
   relay-ctrl-policy both say it: the lookup itself logs nothing. */

#include <errno.h>
#include "rc_lookup.h"
#include "rc_redis.h"

#define NOT_DONE "not relaying for "

void rc_lookup_say (enum rc_lookup_e v, struct rc_lookup const *l, char const *addr, int logips)
{
  switch (v)
  {
    case RC_LOOKUP_NONE :
      if (logips && !rc_redis_endpoint(1)) rc_info(NOT_DONE, addr, ": no login recorded") ;
      break ;
    case RC_LOOKUP_ERROR :
      if (l->err) { errno = l->err ; rc_warnsys(NOT_DONE, addr, ": ", l->why) ; }
      else rc_warn(NOT_DONE, addr, ": ", l->why) ;
      break ;
    case RC_LOOKUP_FUTURE :
      rc_warn(NOT_DONE, addr, ": its spool entry is dated in the future") ;
      break ;
    case RC_LOOKUP_STALE :
      if (logips) rc_info(NOT_DONE, addr, ": its login has expired") ;
      break ;
    case RC_LOOKUP_ALLOW : break ;
  }
}
