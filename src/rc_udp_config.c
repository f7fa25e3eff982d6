/* relay-ctrl-udp's settings: keys, legacy mode, senders, address and
   port, logging. */

#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <skalibs/types.h>
#include "rc.h"
#include "rc_udp.h"

static char const *say (char *msg, char const *a, char const *b, char const *c)
{
  size_t n = 0 ;
  for (char const *const *p = (char const *const []){ a, b, c, 0 } ; *p ; p++)
    for (char const *t = *p ; *t && n < RC_UDP_MSG_MAX - 1 ; t++) msg[n++] = *t ;
  msg[n] = 0 ;
  return msg ;
}

char const *rc_udp_settings_read (rc_udp_settings *c, char *msg)
{
  char q[RC_QUOTE_MAX] ;
  char const *s ;
  unsigned int nkeys ;
  int r ;
  c->keywhy.text[0] = 0 ;
  r = rc_key_load(c->keys, "RELAY_CTRL_KEY", &c->keywhy) ;
  if (r < 0) return say(msg, "no usable key", "", "") ;
  nkeys = (unsigned int)r ;
  r = rc_key_load(c->keys + nkeys, "RELAY_CTRL_KEY_OLD", &c->keywhy) ;
  if (r < 0) return say(msg, "no usable old key", "", "") ;
  if (r && !nkeys) return say(msg, "RELAY_CTRL_KEY_OLD is set without RELAY_CTRL_KEY", "", "") ;
  c->receiver.keys = c->keys ;
  c->receiver.nkeys = nkeys + (unsigned int)r ;
  s = getenv("RELAY_CTRL_LEGACY") ;
  c->legacy = s && *s && strcmp(s, "0") ;
  if (!c->receiver.nkeys && !c->legacy) return say(msg, "no key configured: set RELAY_CTRL_KEY to a key file, or RELAY_CTRL_LEGACY=1 to accept unauthenticated datagrams", "", "") ;
  s = getenv("RELAY_CTRL_SENDERS") ;
  c->restricted = !!s ;
  if (s)
  {
    char const *bad ;
    c->nnets = rc_nets_scan(c->nets, RC_UDP_NETS_MAX, s, &bad) ;
    if (bad) return say(msg, "RELAY_CTRL_SENDERS: not an address or network: ", rc_quote(q, bad), "") ;
  }
  else if (c->legacy) return say(msg, "RELAY_CTRL_LEGACY needs RELAY_CTRL_SENDERS: otherwise anyone who can reach the port can open relaying", "", "") ;
  s = getenv("RELAY_CTRL_BIND") ;
  if (!s) s = "127.0.0.1" ;
  if (inet_pton(AF_INET, s, c->bind.ip) == 1) c->bind.is6 = 0 ;
  else if (inet_pton(AF_INET6, s, c->bind.ip) == 1) c->bind.is6 = 1 ;
  else return say(msg, "RELAY_CTRL_BIND=", rc_quote(q, s), " is not an IP address") ;
  c->log_ips = !!getenv("RELAY_CTRL_LOG_IPS") ;
  s = getenv("RELAY_CTRL_PORT") ;
  c->receiver.port = 811 ;
  if (s && (!uint160_scan(s, &c->receiver.port) || !c->receiver.port)) return say(msg, "RELAY_CTRL_PORT=", rc_quote(q, s), " is not a port number") ;
  return 0 ;
}
