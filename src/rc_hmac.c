/* HMAC-SHA256 (RFC 2104) over skalibs' SHA-256. */

#include <string.h>
#include <skalibs/sha256.h>
#include "rc_packet.h"
#include "rc_sha256.h"

#define BLOCK 64

/* The SHA-256 states after the key's inner and outer pad blocks, kept
   for the last two keys of at most a block (relay-ctrl-udp checks and
   signs every packet with one key, or two during a change): two of the
   five blocks of an HMAC of a packet. */
static struct
{
  char key[BLOCK] ;
  size_t len ;
  SHA256Schedule inner, outer ;
} cache[2] ;
static unsigned int cached, cache_next ;

static void pads (SHA256Schedule *inner, SHA256Schedule *outer, char const *k)
{
  char pad[BLOCK] ;
  for (unsigned int i = 0 ; i < BLOCK ; i++) pad[i] = k[i] ^ 0x36 ;
  sha256_init(inner) ;
  sha256_update(inner, pad, BLOCK) ;
  for (unsigned int i = 0 ; i < BLOCK ; i++) pad[i] = k[i] ^ 0x5c ;
  sha256_init(outer) ;
  sha256_update(outer, pad, BLOCK) ;
  memset(pad, 0, BLOCK) ;
}

void rc_hmac_sha256 (char *mac, char const *key, size_t keylen, char const *data, size_t len)
{
  SHA256Schedule inner, outer ;
  char k[BLOCK] = { 0 } ;
  char digest[32] ;
  unsigned int i = 0 ;
  if (keylen <= BLOCK)
  {
    while (i < cached && !(cache[i].len == keylen && !memcmp(cache[i].key, key, keylen))) i++ ;
    if (i == cached)
    {
      i = cache_next ;
      cache_next = (cache_next + 1) % 2 ;
      if (cached < 2) cached++ ;
      memcpy(k, key, keylen) ;
      memset(cache[i].key, 0, BLOCK) ;
      memcpy(cache[i].key, key, keylen) ;
      cache[i].len = keylen ;
      pads(&cache[i].inner, &cache[i].outer, k) ;
    }
    inner = cache[i].inner ;
    outer = cache[i].outer ;
  }
  else
  {
    sha256_init(&inner) ;
    sha256_update(&inner, key, keylen) ;
    sha256_final(&inner, k) ;
    pads(&inner, &outer, k) ;
  }
  /* with the pad blocks hashed (b == 0), the CPU's SHA instructions */
  if (inner.b || outer.b || !rc_sha256_hmac_fast(mac, inner.buf, outer.buf, data, len))
  {
  sha256_update(&inner, data, len) ;
  sha256_final(&inner, digest) ;
  sha256_update(&outer, digest, 32) ;
  sha256_final(&outer, mac) ;
  }
  memset(k, 0, BLOCK) ;
  memset(&inner, 0, sizeof(inner)) ;
  memset(&outer, 0, sizeof(outer)) ;
}
