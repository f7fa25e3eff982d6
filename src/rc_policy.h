/* relay-ctrl: Postfix policy requests (rc_policy.c), for
   relay-ctrl-policy. */

#ifndef RC_POLICY_H
#define RC_POLICY_H

#include <stddef.h>
#include "rc.h"

#define RC_POLICY_ATTR_MAX 100

/* What relay-ctrl-policy needs of a request; bad: why it is malformed. */
struct rc_policy_request
{
  char client[RC_INPUT_MAX] ;
  size_t clientlen ;
  int has_client, has_request ;
  unsigned int attrs ;
  char const *bad ;
} ;

/* 1: a request, ended by an empty line. 0: the client closed the
   connection between requests. -1: it closed it within one. The first
   line may take idle seconds to come (else -2), the whole request
   timeout seconds from there (else -3). -4: reading failed (errno). */
extern int rc_policy_get (struct rc_policy_request *, unsigned int, unsigned int) ;

#endif
