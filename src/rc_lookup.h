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
  unsigned int expiry ;
  char const *why ;
  int err ;
} ;

/* dirfd: the spool, or -1 for none (Redis only). Logs nothing itself;
   the Redis backend still logs its own failures (one line). */
extern enum rc_lookup_e rc_lookup (int, char const *, unsigned int, struct rc_lookup *) ;

/* Its two steps, for the SMTP-side front ends (relay-ctrl-check, which
   acts on the spool's verdict and lets go of the spool before Redis is
   asked, and -policy). rc_lookup_spool: the spool alone; with
   RC_LOOKUP_KEEP the entry's fd (close-on-exec) is left open for an
   exec to close. On ALLOW with readable 0, err says why the records
   could not be read (0: the entry is not readable). An expiry of 0
   means RELAY_CTRL_EXPIRY, read only when an entry is found (as
   relay-ctrl-check(8) says); l->expiry is the one used. rc_lookup_redis:
   Redis's verdict when one is configured, else v; its failures and "no
   login recorded" (under logips) are logged as "not relaying for ADDR:
   ...", as relay-ctrl-check always has. */
#define RC_LOOKUP_KEEP 1
extern enum rc_lookup_e rc_lookup_spool (int, char const *, unsigned int, int, struct rc_lookup *) ;
extern enum rc_lookup_e rc_lookup_redis (char const *, enum rc_lookup_e, int, struct rc_lookup *) ;

/* One log line for a spool verdict of rc_lookup_spool, as the SMTP-side
   front ends say it (rc_lookup_say.c; logips: RELAY_CTRL_LOG_IPS). */
extern void rc_lookup_say (enum rc_lookup_e, struct rc_lookup const *, char const *, int) ;

#endif
