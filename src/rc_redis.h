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
extern void rc_redis_allow (char const *, char const *, size_t) ;
extern size_t rc_redis_check (char *, size_t, char const *, int, rc_record_func *) ;
extern size_t rc_redis_hide (char *) ;

#endif
