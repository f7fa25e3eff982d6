/* relay-ctrl: the UDP packet format (doc/packet-format.md), its MAC,
   keys and sender lists for relay-ctrl-send and relay-ctrl-udp. */

#ifndef RC_PACKET_H
#define RC_PACKET_H

#include <stddef.h>
#include <stdint.h>

#define RC_PACKET_MAX 512
#define RC_PACKET_VERSION 1
enum rc_item_e
{
  RC_ITEM_END, RC_ITEM_REQUEST, RC_ITEM_RESPONSE, RC_ITEM_TIMESTAMP,
  RC_ITEM_IPV4, RC_ITEM_IPV6, RC_ITEM_ENV, RC_ITEM_MAC, RC_ITEM_RECEIVER
} ;
/* RECEIVER: the address (4 or 16 bytes) and port (2, big-endian) the
   request was sent to. */
#define RC_RECEIVER_MAX 18
#define RC_MAC_LEN 32
#define RC_TIMESTAMP_MAX 21
/* Seconds a request's timestamp may differ from the receiver's clock. */
#define RC_SKEW 30
#define RC_KEY_MIN 16
#define RC_KEY_MAX 1024

extern void rc_hmac_sha256 (char *, char const *, size_t, char const *, size_t) ;

typedef struct rc_packet_s rc_packet ;
struct rc_packet_s
{
  int response ;
  char ts[RC_TIMESTAMP_MAX + 1] ;
  uint64_t tsns ;
  char ip[16] ;
  int is6 ;
  char rcv[RC_RECEIVER_MAX] ;
  size_t rcvlen ;
  char records[RC_PACKET_MAX] ;
  size_t recordslen ;
  char const *mac ;
  size_t maclen ;
} ;

extern size_t rc_timestamp_now (char *) ;
extern int rc_timestamp_scan (char const *, size_t, uint64_t *) ;
extern size_t rc_receiver_pack (char *, char const *, int, uint16_t) ;
extern size_t rc_packet_build (char *, int, char const *, char const *, int, char const *, size_t, char const *, size_t, char const *, size_t) ;
extern char const *rc_packet_parse (rc_packet *, char const *, size_t) ;
extern int rc_packet_verify (rc_packet const *, char const *, char const *, size_t) ;

/* Keys: RELAY_CTRL_KEY (a file) or RELAY_CTRL_KEY_FD (relay-ctrl-keyfd),
   and the same with _OLD during a change. */
struct rc_why ;
typedef struct rc_key_s rc_key ;
struct rc_key_s
{
  char key[RC_KEY_MAX] ;
  size_t len ;
} ;
extern int rc_key_configured (char const *) ;
extern int rc_key_check (int, char const *, struct rc_why *) ;
extern int rc_key_load (rc_key *, char const *, struct rc_why *) ;

/* Networks: "addr" or "addr/bits", IPv4 or IPv6. */
typedef struct rc_net_s rc_net ;
struct rc_net_s
{
  char ip[16] ;
  int is6 ;
  unsigned int bits ;
} ;
extern size_t rc_nets_scan (rc_net *, size_t, char const *, char const **) ;
extern int rc_nets_match (rc_net const *, size_t, char const *, int) ;
extern int rc_ip_unmap (char *, char const *) ;

#endif
