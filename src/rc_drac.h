/* relay-ctrl-drac: DRAC's ONC RPC calls (program 900101: version 1
   procedure 1 adds an IPv4 address, version 2 procedure 1 an IPv6
   address) and the list of senders allowed to make them. */

#ifndef RC_DRAC_H
#define RC_DRAC_H

#include <stdint.h>
#include <netinet/in.h>
#include <rpc/rpc.h>
#include "rc.h"

#define RC_DRAC_PROG 900101
#define RC_DRAC_VERS4 1
#define RC_DRAC_VERS6 2
#define RC_DRAC_ADD 1
enum { RC_DRAC_ADD_SUCCESS = 0, RC_DRAC_ADD_PERM = 1, RC_DRAC_ADD_SYSERR = 2 } ;

/* rc_drac_allow.c: networks as IPv6 prefixes, IPv4 ones mapped. */
typedef struct rc_drac_net_s rc_drac_net ;
struct rc_drac_net_s
{
  unsigned char ip[16] ;
  unsigned int bits ;
} ;
#define RC_DRAC_ALLOW_MAX 256
/* Reads a dracd.allow-style file from fd into nets (RC_DRAC_ALLOW_MAX);
   1 done, 0 a line is bad, -1 read error (errno), -2 a line is longer
   than 510 bytes, -3 too many networks; *lineno is the line. */
extern int rc_drac_allow_read (int, rc_drac_net *, unsigned int *, unsigned int *) ;
extern int rc_drac_allowed (rc_drac_net const *, unsigned int, unsigned char const *) ;
extern void rc_drac_map4 (unsigned char *, unsigned char const *) ;

/* rc_drac_rpc.c: one datagram, decoded by libtirpc's XDR within its own
   length, so a truncated call cannot borrow bytes from an earlier one;
   an ADD call's address, canonical, in addr.
   The call points into itself: decode it where it stays. */
typedef struct rc_drac_call_s rc_drac_call ;
struct rc_drac_call_s
{
  struct rpc_msg msg ;
  char cred[MAX_AUTH_BYTES] ;
  char verf[MAX_AUTH_BYTES] ;
  unsigned char ip[16] ;
  char addr[RC_ADDR_MAX] ;
} ;
enum rc_drac_e
{
  RC_DRAC_NOT_RPC,
  RC_DRAC_NOT_PROG,
  RC_DRAC_NOT_VERS,
  RC_DRAC_NULLPROC,
  RC_DRAC_NO_PROC,
  RC_DRAC_GARBAGE,
  RC_DRAC_ADD_CALL
} ;
extern enum rc_drac_e rc_drac_decode (rc_drac_call *, char *, size_t) ;
/* 0 sent, else what failed (errno set for "send"). */
extern char const *rc_drac_reply (int, struct sockaddr_in6 const *, struct rpc_msg const *, enum accept_stat, int *) ;
/* The service's UDP socket, IPv6 with IPv4 mapped: a descriptor, -1
   (errno) or -2 (not an address); registration with rpcbind, for both
   versions, undone by rc_drac_unregister (safe from a signal handler). */
extern int rc_drac_bind (char const *, uint16_t, uint16_t *) ;
extern int rc_drac_register (uint16_t) ;
extern void rc_drac_unregister (void) ;

#endif
