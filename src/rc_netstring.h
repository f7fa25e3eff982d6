/* relay-ctrl: netstrings on stdin (rc_netstring.c), for
   relay-ctrl-socketmap. */

#ifndef RC_NETSTRING_H
#define RC_NETSTRING_H

#include <stddef.h>

#define RC_NETSTRING_MAX 1000

/* One netstring of at most RC_NETSTRING_MAX bytes, within timeout
   seconds (the stopwatch must be set). 1 read, 0 the client closed
   between requests, -1 idle too long, -2 read error, -3 malformed
   (*why). */
extern int rc_netstring_get (char *, size_t *, unsigned int, char const **) ;

#endif
