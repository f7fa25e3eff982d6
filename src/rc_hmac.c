/* HMAC-SHA256 (RFC 2104) over skalibs' SHA-256. */

#include <string.h>
#include <skalibs/sha256.h>
#include "rc_packet.h"

#define BLOCK 64

void rc_hmac_sha256 (char *mac, char const *key, size_t keylen, char const *data, size_t len)
{
  SHA256Schedule ctx ;
  char k[BLOCK] = { 0 } ;
  char pad[BLOCK] ;
  char inner[32] ;
  if (keylen > BLOCK)
  {
    sha256_init(&ctx) ;
    sha256_update(&ctx, key, keylen) ;
    sha256_final(&ctx, k) ;
  }
  else memcpy(k, key, keylen) ;
  for (unsigned int i = 0 ; i < BLOCK ; i++) pad[i] = k[i] ^ 0x36 ;
  sha256_init(&ctx) ;
  sha256_update(&ctx, pad, BLOCK) ;
  sha256_update(&ctx, data, len) ;
  sha256_final(&ctx, inner) ;
  for (unsigned int i = 0 ; i < BLOCK ; i++) pad[i] = k[i] ^ 0x5c ;
  sha256_init(&ctx) ;
  sha256_update(&ctx, pad, BLOCK) ;
  sha256_update(&ctx, inner, 32) ;
  sha256_final(&ctx, mac) ;
  memset(k, 0, BLOCK) ;
  memset(pad, 0, BLOCK) ;
}
