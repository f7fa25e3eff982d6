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

#endif
