/* relay-ctrl-udp's parts: the replay cache, the datagram batches, the
   checks of a request, and the entries it keeps open to refresh. */

#ifndef RC_UDP_H
#define RC_UDP_H

#include <stddef.h>
#include <stdint.h>
#include <skalibs/ip46.h>
#include "rc.h"
#include "rc_packet.h"

/* rc_replay.c: MACs of the requests accepted within the skew window,
   and the floor at or before which a request may have been forgotten,
   kept in the spool (RC_REPLAY_FLOOR) across restarts. */
#define RC_REPLAY_FLOOR ".udp-floor"
extern void rc_replay_floor_load (int, uint64_t) ;
extern int rc_replay_floor_keep (int, uint64_t) ;
extern int rc_replay_too_old (uint64_t) ;
extern int rc_replay_seen (char const *) ;
extern void rc_replay_remember (char const *, uint64_t, uint64_t) ;

/* rc_udp_batch.c: the datagrams of one recvmmsg, and their answers, sent
   with one sendmmsg. */
#define RC_UDP_FROM_MAX (IP46_FMT + UINT16_FMT + 4)
typedef struct rc_datagram_s rc_datagram ;
struct rc_datagram_s
{
  char const *buf ;
  size_t len ;
  ip46 src ;
  uint16_t port ;
  ip46 to ;
  unsigned int slot ;
} ;
extern int rc_udp_batch_recv (int, ip46 const *, rc_datagram const **) ;
extern void rc_udp_batch_reply (rc_datagram const *, char const *, size_t, char const *) ;
extern char const *rc_udp_batch_flush (int) ;

/* rc_udp_request.c: an authenticated request, checked. */
typedef struct rc_udp_receiver_s rc_udp_receiver ;
struct rc_udp_receiver_s
{
  rc_key const *keys ;
  unsigned int nkeys ;
  uint16_t port ;
} ;
/* rc_udp_config.c: the settings, from the environment: 0, or why they
   are wrong (msg, RC_UDP_MSG_MAX bytes, says it; keywhy, when not
   empty, why a key is unusable, to be said first). */
#define RC_UDP_NETS_MAX 64
#define RC_UDP_MSG_MAX 256
typedef struct rc_udp_settings_s rc_udp_settings ;
struct rc_udp_settings_s
{
  rc_key keys[2] ;
  rc_udp_receiver receiver ;
  rc_net nets[RC_UDP_NETS_MAX] ;
  size_t nnets ;
  int restricted, legacy, log_ips ;
  ip46 bind ;
  struct rc_why keywhy ;
} ;
extern char const *rc_udp_settings_read (rc_udp_settings *, char *) ;

typedef struct rc_udp_login_s rc_udp_login ;
struct rc_udp_login_s
{
  rc_packet p ;
  rc_key const *key ;
  char addr[IP46_FMT] ;
  char records[RC_PACKET_MAX] ;
  size_t recordslen ;
} ;
extern char const *rc_udp_request_check (rc_udp_login *, rc_udp_receiver const *, char const *, size_t, ip46 const *, uint64_t, char *) ;

/* rc_udp_entries.c: the entries this receiver wrote, kept open to be
   refreshed in place. */
extern size_t rc_udp_entries_init (int, unsigned int) ;
extern int rc_udp_entries_refresh (int, char const *, char const *, size_t, int64_t) ;
extern void rc_udp_entries_keep (char const *, char const *, size_t, int, int64_t) ;
extern void rc_udp_entries_sweep (int64_t) ;

#endif
