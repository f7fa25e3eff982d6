/* relay-ctrl-udp: whether an authenticated request is to be recorded,
   checked in order: well formed, a MAC made with one of the keys, a
   request, for this receiver, dated within the skew window and after
   the replay floor, not a replay, and carrying only variables that may
   be imported. */

#include <string.h>
#include <skalibs/types.h>
#include "rc.h"
#include "rc_udp.h"

static char const *skew (uint64_t ts, uint64_t now)
{
  uint64_t window = (uint64_t)RC_SKEW * 1000000000ULL ;
  if (ts + window < now) return "timestamp too old (more than 30 s behind this host's clock)" ;
  if (ts > now + window) return "timestamp in the future (more than 30 s ahead of this host's clock)" ;
  if (rc_replay_too_old(ts)) return "timestamp older than what the replay cache covers (receiver restarted or cache full)" ;
  return 0 ;
}

/* 0 if every variable may be imported (login->records then holds
   them), else why not (detail: the name). */
static char const *env_allowed (rc_udp_login *login, char *detail)
{
  rc_packet const *p = &login->p ;
  char const *why ;
  unsigned int rejected ;
  for (size_t pos = 0 ; pos < p->recordslen ; pos += strlen(p->records + pos) + 1)
  {
    char const *rec = p->records + pos ;
    char const *eq = strchr(rec, '=') ;
    if (!rc_name_wanted(rec, (size_t)(eq - rec)))
    {
      char name[RC_QUOTE_MAX] ;
      size_t n = (size_t)(eq - rec) < sizeof(name) - 1 ? (size_t)(eq - rec) : sizeof(name) - 1 ;
      memcpy(name, rec, n) ;
      name[n] = 0 ;
      rc_quote(detail, name) ;
      return "variable not accepted: " ;
    }
  }
  login->recordslen = rc_records_parse(login->records, RC_PACKET_MAX, 0, p->records, p->recordslen, 0, 0, &rejected, &why) ;
  if (rejected)
  {
    size_t n = strlen(why) < RC_QUOTE_MAX - 1 ? strlen(why) : RC_QUOTE_MAX - 1 ;
    memcpy(detail, why, n) ;
    detail[n] = 0 ;
    return "variable not accepted: " ;
  }
  return 0 ;
}

/* 0 if the request in buf is to be recorded (login says what), else why
   not, and detail (RC_QUOTE_MAX bytes) what in it. to: the address the
   datagram was sent to. */
char const *rc_udp_request_check (rc_udp_login *login, rc_udp_receiver const *self, char const *buf, size_t len, ip46 const *to, uint64_t now, char *detail)
{
  rc_packet *p = &login->p ;
  char own[RC_RECEIVER_MAX] ;
  char dst[16], ip[16] ;
  char const *why ;
  size_t ownlen ;
  int dst6, is6 ;
  detail[0] = 0 ;
  login->key = 0 ;
  if (!self->nkeys) return "authenticated packet, but no key is configured" ;
  why = rc_packet_parse(p, buf, len) ;
  if (why) return why ;
  for (unsigned int i = 0 ; i < self->nkeys && !login->key ; i++)
    if (rc_packet_verify(p, buf, self->keys[i].key, self->keys[i].len)) login->key = self->keys + i ;
  if (!login->key) return "bad MAC (wrong key or altered packet)" ;
  if (p->response) return "a response, not a request" ;
  if (!p->rcvlen) return "no receiver item (a sender older than this receiver?)" ;
  dst6 = to->is6 ? rc_ip_unmap(dst, to->ip) : (memcpy(dst, to->ip, 4), 0) ;
  ownlen = rc_receiver_pack(own, dst, dst6, self->port) ;
  if (ownlen != p->rcvlen || memcmp(own, p->rcv, ownlen)) return "sent to another receiver" ;
  why = skew(p->tsns, now) ;
  if (why) return why ;
  if (rc_replay_seen(p->mac)) return "replay of a packet already accepted" ;
  is6 = p->is6 ? rc_ip_unmap(ip, p->ip) : (memcpy(ip, p->ip, 4), 0) ;
  login->addr[is6 ? ip6_fmt(login->addr, ip) : ip4_fmt(login->addr, ip)] = 0 ;
  return env_allowed(login, detail) ;
}
