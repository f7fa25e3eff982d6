/* relay-ctrl-send's background half: a login sent to each remote
   relay-ctrl-udp, again and again until it answers. */

#ifndef RC_SENDER_H
#define RC_SENDER_H

#include <stddef.h>
#include <stdint.h>
#include <skalibs/ip46.h>
#include "rc.h"
#include "rc_packet.h"

#define RC_REMOTES_MAX 32
#define RC_SENT_MAX 16

typedef struct rc_remote_s rc_remote ;
struct rc_remote_s
{
  ip46 ip ;
  uint16_t port ;
  char text[RC_INPUT_MAX] ;
  int answered ;
  char sent[RC_SENT_MAX][RC_TIMESTAMP_MAX + 1] ;
  unsigned int nsent ;
} ;

/* What is sent (the address, with a key its binary form and records)
   and to whom. key is 0 for relay-ctrl 3.2's bare datagrams. */
typedef struct rc_sender_s rc_sender ;
struct rc_sender_s
{
  char const *addr ;
  char ip[16] ;
  int is6 ;
  char const *records ;
  size_t recordslen ;
  rc_key const *key ;
  rc_remote remotes[RC_REMOTES_MAX] ;
  unsigned int nremotes ;
} ;

/* Parses RELAY_CTRL_REMOTES's value; bad entries are skipped with a
   warning. Returns how many remotes. */
extern unsigned int rc_sender_remotes (rc_sender *, char const *, uint16_t) ;
/* Whether the records fit in a packet with the address. */
extern int rc_sender_fits (rc_sender const *) ;
/* Sends, up to tries rounds of timeout seconds; warns for each remote
   that never answered. */
extern void rc_sender_run (rc_sender *, unsigned int, unsigned int) ;

#endif
