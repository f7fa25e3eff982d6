/* relay-ctrl: "may this address relay now?", asked once for every front
   end: the spool first, then Redis when it is configured. */

#ifndef RC_LOOKUP_H
#define RC_LOOKUP_H

#include <stddef.h>
#include <sys/stat.h>
#include "rc.h"

enum rc_lookup_e { RC_LOOKUP_ALLOW, RC_LOOKUP_NONE, RC_LOOKUP_STALE, RC_LOOKUP_FUTURE, RC_LOOKUP_ERROR } ;

/* What a lookup found. On ALLOW: the raw records (not yet filtered by
   rc_records_parse; readable says whether there were any to read) and
   whether they came from Redis. On ERROR: why, errno (0 when the reason
   says it all), and redis set when Redis failed. */
struct rc_lookup
{
  char data[RC_RECORDS_MAX] ;
  size_t len ;
  int redis ;
  int readable ;
  struct stat st ;
  char const *why ;
  int err ;
} ;

/* dirfd: the spool, or -1 for none (Redis only). Logs nothing itself;
   the Redis backend still logs its own failures (one line). */
extern enum rc_lookup_e rc_lookup (int, char const *, unsigned int, struct rc_lookup *) ;

#endif
