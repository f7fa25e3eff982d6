/* HMAC-SHA256 against RFC 4231 test cases 1-4, 6 and 7 (case 5 is a
   truncated output, which we never use), and against the plain
   construction over skalibs' SHA-256 for every data length 0-300 and key
   length 1-140 (rc_hmac_sha256 may take the CPU's SHA instructions).
   Prints one line per case. */

#include <stdio.h>
#include <string.h>
#include <skalibs/sha256.h>
#include "rc_packet.h"
#include "rc_sha256.h"

static void hex (char *out, char const *in, size_t len)
{
  for (size_t i = 0 ; i < len ; i++) sprintf(out + 2 * i, "%02x", (unsigned char)in[i]) ;
}

static int check (char const *name, char const *key, size_t keylen, char const *data, size_t len, char const *want)
{
  char mac[RC_MAC_LEN] ;
  char got[2 * RC_MAC_LEN + 1] ;
  rc_hmac_sha256(mac, key, keylen, data, len) ;
  hex(got, mac, RC_MAC_LEN) ;
  int ok = !strcmp(got, want) ;
  printf("%s %s\n", ok ? "ok" : "FAIL", name) ;
  if (!ok) printf("  got  %s\n  want %s\n", got, want) ;
  return ok ;
}

static void plain (char *mac, char const *key, size_t keylen, char const *data, size_t len)
{
  SHA256Schedule c ;
  char k[64] = { 0 }, pad[64], inner[32] ;
  if (keylen > 64) { sha256_init(&c) ; sha256_update(&c, key, keylen) ; sha256_final(&c, k) ; }
  else memcpy(k, key, keylen) ;
  for (int i = 0 ; i < 64 ; i++) pad[i] = k[i] ^ 0x36 ;
  sha256_init(&c) ; sha256_update(&c, pad, 64) ; sha256_update(&c, data, len) ; sha256_final(&c, inner) ;
  for (int i = 0 ; i < 64 ; i++) pad[i] = k[i] ^ 0x5c ;
  sha256_init(&c) ; sha256_update(&c, pad, 64) ; sha256_update(&c, inner, 32) ; sha256_final(&c, mac) ;
}

static int lengths (void)
{
  char key[140], data[300], a[RC_MAC_LEN], b[RC_MAC_LEN] ;
  uint32_t s[8] = { 0 } ;
  int fast = rc_sha256_hmac_fast(a, s, s, data, 0) ;
  for (int i = 0 ; i < 140 ; i++) key[i] = (char)(i * 7 + 1) ;
  for (int i = 0 ; i < 300 ; i++) data[i] = (char)(i * 13 + 5) ;
  for (size_t kl = 1 ; kl <= 140 ; kl++)
    for (size_t n = 0 ; n <= 300 ; n++)
    {
      rc_hmac_sha256(a, key, kl, data, n) ;
      plain(b, key, kl, data, n) ;
      if (memcmp(a, b, RC_MAC_LEN)) { printf("FAIL data of %zu bytes, key of %zu (%s)\n", n, kl, fast ? "SHA instructions" : "skalibs") ; return 0 ; }
    }
  printf("ok data of 0-300 bytes, keys of 1-140 bytes, as the plain construction (%s)\n", fast ? "SHA instructions" : "skalibs") ;
  return 1 ;
}

int main (void)
{
  char k[131] ;
  char d[50] ;
  int ok = 1 ;
  memset(k, 0x0b, 20) ;
  ok &= check("rfc4231 case 1", k, 20, "Hi There", 8, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7") ;
  ok &= check("rfc4231 case 2", "Jefe", 4, "what do ya want for nothing?", 28, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843") ;
  memset(k, 0xaa, 20) ; memset(d, 0xdd, 50) ;
  ok &= check("rfc4231 case 3", k, 20, d, 50, "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe") ;
  for (int i = 0 ; i < 25 ; i++) k[i] = (char)(i + 1) ;
  memset(d, 0xcd, 50) ;
  ok &= check("rfc4231 case 4", k, 25, d, 50, "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b") ;
  memset(k, 0xaa, 131) ;
  ok &= check("rfc4231 case 6", k, 131, "Test Using Larger Than Block-Size Key - Hash Key First", 54, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54") ;
  ok &= check("rfc4231 case 7", k, 131, "This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.", 152, "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2") ;
  ok &= lengths() ;
  return !ok ;
}
