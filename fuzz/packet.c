/* libFuzzer harness: rc_packet_parse, what relay-ctrl-udp reads from the
   network before it checks the MAC. For a packet it accepts: the fields
   are within bounds, the records are "NAME=value" strings, the MAC lies
   inside the packet, and building a packet from the fields gives one of
   the same length that parses to the same fields and verifies. */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rc_packet.h"

int LLVMFuzzerTestOneInput (uint8_t const *, size_t) ;

static void bad (char const *what)
{
  fprintf(stderr, "fuzz/packet: invariant broken: %s\n", what) ;
  abort() ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  static char const key[] = "fuzzing key, sixteen bytes at least" ;
  static rc_packet p, q ;
  char buf[RC_PACKET_MAX] ;
  char const *in = (char const *)data ;
  uint64_t ns ;
  size_t n, pos ;
  if (rc_packet_parse(&p, in, size)) return 0 ;
  (void)rc_packet_verify(&p, in, key, sizeof(key) - 1) ;
  if (size > RC_PACKET_MAX) bad("oversized packet accepted") ;
  if (p.recordslen > RC_PACKET_MAX) bad("records too long") ;
  if (p.mac < in || p.mac + RC_MAC_LEN > in + size || p.maclen + 2 != (size_t)(p.mac - in)) bad("MAC outside the packet") ;
  n = strlen(p.ts) ;
  if (n > RC_TIMESTAMP_MAX || !rc_timestamp_scan(p.ts, n, &ns) || ns != p.tsns) bad("timestamp not what was scanned") ;
  for (pos = 0 ; pos < p.recordslen ; pos += strlen(p.records + pos) + 1)
  {
    if (!memchr(p.records + pos, 0, p.recordslen - pos)) bad("record not NUL-terminated") ;
    if (!strchr(p.records + pos, '=') || !p.records[pos]) bad("record without '='") ;
  }
  n = rc_packet_build(buf, p.response, p.ts, p.ip, p.is6, p.rcv, p.rcvlen, p.records, p.recordslen, key, sizeof(key) - 1) ;
  if (n != size) bad("rebuilt packet differs in length") ;
  if (rc_packet_parse(&q, buf, n)) bad("rebuilt packet does not parse") ;
  if (q.response != p.response || q.is6 != p.is6 || memcmp(q.ip, p.ip, p.is6 ? 16 : 4) || strcmp(q.ts, p.ts)
   || q.tsns != p.tsns || q.recordslen != p.recordslen || memcmp(q.records, p.records, p.recordslen))
    bad("rebuilt packet parses to other fields") ;
  if (!rc_packet_verify(&q, buf, key, sizeof(key) - 1)) bad("rebuilt packet does not verify") ;
  return 0 ;
}
