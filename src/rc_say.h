/* relay-ctrl: log lines for the store seam's verdicts and reasons
   (rc_say.c), said by programs only. */

#ifndef RC_SAY_H
#define RC_SAY_H

#include "rc_store.h"

extern void rc_say_why (char const *, char const *, struct rc_why const *) ;
extern void rc_say_verdict (enum rc_verdict_e, struct rc_found const *, char const *, int, int) ;
extern void rc_say_relaying (char const *, char const *, int, int) ;
extern void rc_say_expiry (struct rc_settings *) ;
/* RELAY_CTRL_EXPIRY's text parsed (rc_expiry_scan), junk said. */
extern unsigned int rc_say_expiry_scan (char const *) ;
/* What Redis said (struct rc_redis_said), as the programs have always
   worded it: the SMTP side's lookup, the tools' lookup, a login
   recorded, a key revoked, a walk (reading: listed, else revoked); a
   key that is not a string (1 if it was one). Each says the one-time
   RELAY_CTRL_REDIS_TIMEOUT warning first when it came with it. */
extern void rc_say_redis_read (struct rc_redis_said const *, char const *, int) ;
extern void rc_say_redis_query (struct rc_redis_said const *, char const *) ;
extern void rc_say_redis_record (struct rc_redis_said const *, char const *, int) ;
extern void rc_say_redis_revoke (struct rc_redis_said const *, char const *) ;
extern void rc_say_redis_walk (struct rc_redis_said const *, int) ;
extern int rc_say_not_string (struct rc_item const *) ;
extern void rc_say_redis_timeout (char const *) ;
/* The spool for the operations tools, or death: 100 not configured,
   111 unusable. */
extern int rc_spool_or_die (struct rc_settings *) ;
/* A variable not recorded for addr (ctx), for rc_records_from_env. */
extern void rc_say_skipped (char const *, char const *, void *) ;
/* The operations tools without settings: RC_ETC's (rc_etc_read), said,
   and the program run again with them; or death (100, 111). */
extern void rc_etc_settings (char const *const *) ;

#endif
