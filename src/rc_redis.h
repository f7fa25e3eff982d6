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
extern size_t rc_redis_hide (char *) ;
/* RELAY_CTRL_REDIS_TIMEOUT's junk, if a connection would say it (at
   most once): for a caller to say before a walk. */
extern char const *rc_redis_timeout_junk (int) ;

/* A walk's callback: the key's address, the key, its value (0: the key
   is not a string, which grants nothing), its length and TTL. */
typedef int rc_redis_func (char const *, char const *, char const *, size_t, long, void *) ;

/* The operations, silent; the caller logs (rc_say.c): 1 done or found,
   0 none (or not configured), -1 failed with the reason in why. Its
   server is the endpoint tried, or 0 when the endpoint itself (or the
   build: nobuild) is the problem. timeout: RELAY_CTRL_REDIS_TIMEOUT's
   junk, the first time a connection was tried with it (to be said
   once). notstring: 0 came back because the key named in text is not a
   string. */
#define RC_REDIS_REASON_MAX 256
typedef struct rc_redis_why_s rc_redis_why ;
struct rc_redis_why_s
{
  char const *server ;
  char const *timeout ;
  int nobuild ;
  int notstring ;
  char text[RC_REDIS_REASON_MAX] ;
} ;
extern int rc_redis_set (char const *, char const *, size_t, unsigned int, rc_redis_why *) ;
extern int rc_redis_lookup (char const *, char *, size_t, size_t *, rc_redis_why *) ;
extern int rc_redis_fetch (char const *, char *, size_t, size_t *, long *, rc_redis_why *) ;
extern int rc_redis_remove (char const *, char *, size_t, size_t *, rc_redis_why *) ;
extern int rc_redis_walk (int, rc_redis_func *, rc_redis_func *, void *, rc_redis_why *) ;

#endif
