/* relay-ctrl: log lines for the store seam's verdicts and reasons
   (rc_say.c), said by programs only. */

#ifndef RC_SAY_H
#define RC_SAY_H

#include "rc_store.h"

extern void rc_say_why (char const *, char const *, struct rc_why const *) ;
extern void rc_say_verdict (enum rc_verdict_e, struct rc_found const *, char const *, int, int) ;
extern void rc_say_relaying (char const *, char const *, int, int) ;
extern void rc_say_expiry (struct rc_settings *) ;
/* The spool for the operations tools, or death: 100 not configured,
   111 unusable. */
extern int rc_spool_or_die (struct rc_settings *) ;

#endif
