/* The test vectors of doc/packet-format.md: our code must produce
   exactly these bytes, and parse and verify them back. */

#include <stdio.h>
#include <string.h>
#include "rc_packet.h"

static void hex (char *out, char const *in, size_t len)
{
  for (size_t i = 0 ; i < len ; i++) sprintf(out + 2 * i, "%02x", (unsigned char)in[i]) ;
}

static int vector (char const *name, int response, char const *ts, char const *ip, int is6, char const *rcv, size_t rcvlen, char const *records, size_t recordslen, char const *want)
{
  char key[32] ;
  char packet[RC_PACKET_MAX] ;
  char got[2 * RC_PACKET_MAX + 1] ;
  rc_packet p ;
  char const *why ;
  size_t n ;
  int ok ;
  for (int i = 0 ; i < 32 ; i++) key[i] = (char)i ;
  n = rc_packet_build(packet, response, ts, ip, is6, rcv, rcvlen, records, recordslen, key, 32) ;
  hex(got, packet, n) ;
  ok = !strcmp(got, want) ;
  printf("%s %s: bytes\n", ok ? "ok" : "FAIL", name) ;
  if (!ok) printf("  got  %s\n  want %s\n", got, want) ;
  why = rc_packet_parse(&p, packet, n) ;
  int back = !why && p.response == response && !strcmp(p.ts, ts) && p.is6 == is6
    && !memcmp(p.ip, ip, is6 ? 16 : 4) && p.rcvlen == rcvlen && !memcmp(p.rcv, rcv, rcvlen) && p.recordslen == recordslen && !memcmp(p.records, records, recordslen)
    && rc_packet_verify(&p, packet, key, 32) ;
  printf("%s %s: parses back and verifies%s%s\n", back ? "ok" : "FAIL", name, why ? ": " : "", why ? why : "") ;
  key[0] ^= 1 ;
  int wrong = !why && !rc_packet_verify(&p, packet, key, 32) ;
  printf("%s %s: refused with another key\n", wrong ? "ok" : "FAIL", name) ;
  return ok && back && wrong ;
}

int main (void)
{
  int ok = 1 ;
  ok &= vector("vector 1 (IPv4 request)", 0, "1700000000.123456789", "\300\0\2\1", 0, "\300\0\2\031\003\053", 6, "USER=joe\0DOMAIN=example.org", 28,
    "0101000314313730303030303030302e3132333435363738390404c00002010806c0000219032b0608555345523d6a6f650612444f4d41494e3d6578616d706c652e6f726707202ca653cc24b9084c253f392bbaa0c2419740f3acab36f363cc43f15e369533ac00") ;
  ok &= vector("vector 2 (IPv6 request)", 0, "1700000000.5", "\040\001\015\270\0\0\0\0\0\0\0\0\0\0\0\1", 1, "\040\001\015\270\0\0\0\0\0\0\0\0\0\0\0\045\003\053", 18, "USER=ann", 9,
    "010100030c313730303030303030302e35051020010db8000000000000000000000001081220010db8000000000000000000000025032b0608555345523d616e6e07204120f54b3afcb09f4710fad97eab9bd682890b392b58f54206d380c48c8e828300") ;
  ok &= vector("vector 3 (response to vector 1)", 1, "1700000000.123456789", "\300\0\2\1", 0, "", 0, "", 0,
    "0102000314313730303030303030302e3132333435363738390404c000020107201da63b386e1df95dad0b822f3a5201eda8a74fc7f553e71ad66ddd651c106bda00") ;
  return !ok ;
}
