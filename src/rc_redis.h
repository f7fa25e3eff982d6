/* relay-ctrl: authorizations kept in Redis, for fleets of hosts. */

#ifndef RC_REDIS_H
#define RC_REDIS_H

#include <stddef.h>
#include "rc.h"

#define RC_REDIS_PREFIX_DEFAULT "relay-ctrl:"
#define RC_REDIS_TIMEOUT_DEFAULT 200
#define RC_REDIS_HIDE_MAX 25

extern char const *rc_redis_endpoint (int) ;
extern int rc_redis_only (int) ;
extern void rc_redis_allow (char const *, char const *, size_t, unsigned int) ;
extern int rc_redis_read (char const *, char *, size_t, size_t *, int) ;
extern size_t rc_redis_hide (char *) ;

/* For relay-ctrl-list, -revoke and -query: 1 found or done, 0 none,
   -1 failed (one warning logged). */
typedef int rc_redis_func (char const *, char const *, size_t, long, void *) ;
extern int rc_redis_get (char const *, char *, size_t, size_t *, long *) ;
extern int rc_redis_del (char const *, char *, size_t, size_t *) ;
extern int rc_redis_each (int, rc_redis_func *, rc_redis_func *, void *) ;

/* The same operations, silent, for a caller that logs: 1 done or found,
   0 none (or not configured), -1 failed with the reason in why. Its
   server is the endpoint tried, or 0 when the endpoint itself (or the
   build) is the problem. */
#define RC_REDIS_REASON_MAX 256
typedef struct rc_redis_why_s rc_redis_why ;
struct rc_redis_why_s
{
  char const *server ;
  char text[RC_REDIS_REASON_MAX] ;
} ;
extern int rc_redis_set (char const *, char const *, size_t, unsigned int, rc_redis_why *) ;
extern int rc_redis_lookup (char const *, char *, size_t, size_t *, rc_redis_why *) ;
extern int rc_redis_fetch (char const *, char *, size_t, size_t *, long *, rc_redis_why *) ;
extern int rc_redis_remove (char const *, char *, size_t, size_t *, rc_redis_why *) ;
extern int rc_redis_walk (int, rc_redis_func *, rc_redis_func *, void *, rc_redis_why *) ;

#endif
