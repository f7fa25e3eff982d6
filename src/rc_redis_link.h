/* relay-ctrl: one connection to a Redis server, bounded in time and
   size. Takes its settings as values and reads no environment; a
   failure leaves its reason in the link's why. */

#ifndef RC_REDIS_LINK_H
#define RC_REDIS_LINK_H

#include <stdint.h>
#include <skalibs/tai.h>

#define RC_REDIS_WHY_MAX 256
#define RC_REDIS_TIMEOUT_MAX 60000

/* /unix/socket, or host[:port] as rc_hostport_scan reads it (6379). */
typedef struct rc_redis_ep_s rc_redis_ep ;
struct rc_redis_ep_s
{
  char const *text ;
  char const *path ;
  char ip[16] ;
  int is6 ;
  uint16_t port ;
} ;
extern int rc_redis_ep_scan (rc_redis_ep *, char const *) ;

/* What a connection needs to know: the ACL user (or 0), the password
   file's descriptor (-1 none), and the milliseconds each exchange may
   take (connecting and the first command share them). */
typedef struct rc_redis_auth_s rc_redis_auth ;
struct rc_redis_auth_s
{
  char const *user ;
  int fd ;
  unsigned int timeout_ms ;
} ;

#ifndef RC_NO_REDIS

#include <hiredis/hiredis.h>

typedef struct rc_redis_link_s rc_redis_link ;
struct rc_redis_link_s
{
  int fd ;
  char *auth ;
  size_t authlen ;
  unsigned int timeout_ms ;
  tain deadline ;
  char why[RC_REDIS_WHY_MAX] ;
} ;

/* Connects (AUTH, when a password is configured, goes out with the
   first command, in the same write). 1 done, 0 failed (why). */
extern int rc_redis_link_open (rc_redis_link *, rc_redis_ep const *, rc_redis_auth const *) ;
/* One command, its reply; 0 on failure (why). */
extern redisReply *rc_redis_link_ask (rc_redis_link *, int, char const **, size_t const *) ;
extern void rc_redis_link_close (rc_redis_link *) ;
/* The reason for a reply that was not the one wanted. */
extern void rc_redis_link_describe (char *, char const *, redisReply const *) ;
/* What a failed link says for itself, into why. */
extern void rc_redis_say (char *, char const *, char const *) ;

#endif
#endif
