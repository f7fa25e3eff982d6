/* SHA-256 blocks with the x86 SHA extensions (SHA-NI), for HMACs whose
   pad blocks are already hashed (rc_hmac.c): relay-ctrl-udp checks and
   signs every packet, and skalibs' SHA-256 takes its input a byte at a
   time. Elsewhere, or on a CPU without them, rc_sha256_hmac_fast says 0
   and the caller uses skalibs. */

#include <string.h>
#include "rc_sha256.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>

static uint32_t const K[64] __attribute__((aligned(16))) =
{
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
} ;

__attribute__((target("sha,sse4.1,ssse3")))
static void blocks (uint32_t *s, unsigned char const *p, size_t n)
{
  __m128i const bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL) ;
  __m128i t = _mm_shuffle_epi32(_mm_loadu_si128((__m128i const *)s), 0xB1) ;
  __m128i st1 = _mm_shuffle_epi32(_mm_loadu_si128((__m128i const *)(s + 4)), 0x1B) ;
  __m128i st0 = _mm_alignr_epi8(t, st1, 8) ;
  st1 = _mm_blend_epi16(st1, t, 0xF0) ;
  for (; n ; n--, p += 64)
  {
    __m128i save0 = st0, save1 = st1, w[4] ;
    for (size_t j = 0 ; j < 16 ; j++)
    {
      __m128i m ;
      if (j < 4) w[j] = _mm_shuffle_epi8(_mm_loadu_si128((__m128i const *)(p + 16 * j)), bswap) ;
      else
      {
        __m128i x = _mm_sha256msg1_epu32(w[(j - 4) & 3], w[(j - 3) & 3]) ;
        x = _mm_add_epi32(x, _mm_alignr_epi8(w[(j - 1) & 3], w[(j - 2) & 3], 4)) ;
        w[j & 3] = _mm_sha256msg2_epu32(x, w[(j - 1) & 3]) ;
      }
      m = _mm_add_epi32(w[j & 3], _mm_load_si128((__m128i const *)(K + 4 * j))) ;
      st1 = _mm_sha256rnds2_epu32(st1, st0, m) ;
      st0 = _mm_sha256rnds2_epu32(st0, st1, _mm_shuffle_epi32(m, 0x0E)) ;
    }
    st0 = _mm_add_epi32(st0, save0) ;
    st1 = _mm_add_epi32(st1, save1) ;
  }
  t = _mm_shuffle_epi32(st0, 0x1B) ;
  st1 = _mm_shuffle_epi32(st1, 0xB1) ;
  _mm_storeu_si128((__m128i *)s, _mm_blend_epi16(t, st1, 0xF0)) ;
  _mm_storeu_si128((__m128i *)(s + 4), _mm_alignr_epi8(st1, t, 8)) ;
}

static int have_sha (void)
{
  static int known, have ;
  unsigned int a, b, c, d ;
  if (known) return have ;
  known = 1 ;
  if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_SSSE3) || !(c & bit_SSE4_1)) return 0 ;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0 ;
  have = !!(b & (1u << 29)) ;
  return have ;
}

/* The state after the blocks of data (len bytes, after one block
   already hashed: the pad), and SHA-256's padding. */
static void finish (uint32_t *s, unsigned char const *data, size_t len, unsigned char *digest)
{
  unsigned char last[128] = { 0 } ;
  uint64_t bits = (uint64_t)(64 + len) * 8 ;
  size_t full = len / 64, rest = len % 64, n = rest < 56 ? 64 : 128 ;
  if (full) blocks(s, data, full) ;
  memcpy(last, data + 64 * full, rest) ;
  last[rest] = 0x80 ;
  for (unsigned int i = 0 ; i < 8 ; i++) last[n - 1 - i] = (unsigned char)(bits >> (8 * i)) ;
  blocks(s, last, n / 64) ;
  for (size_t i = 0 ; i < 8 ; i++)
  {
    digest[4 * i] = (unsigned char)(s[i] >> 24) ;
    digest[4 * i + 1] = (unsigned char)(s[i] >> 16) ;
    digest[4 * i + 2] = (unsigned char)(s[i] >> 8) ;
    digest[4 * i + 3] = (unsigned char)s[i] ;
  }
}

int rc_sha256_hmac_fast (char *mac, uint32_t const *inner, uint32_t const *outer, char const *data, size_t len)
{
  uint32_t s[8] ;
  unsigned char digest[32] ;
  if (!have_sha()) return 0 ;
  memcpy(s, inner, sizeof(s)) ;
  finish(s, (unsigned char const *)data, len, digest) ;
  memcpy(s, outer, sizeof(s)) ;
  finish(s, digest, 32, (unsigned char *)mac) ;
  memset(s, 0, sizeof(s)) ;
  memset(digest, 0, sizeof(digest)) ;
  return 1 ;
}

#else

int rc_sha256_hmac_fast (char *mac, uint32_t const *inner, uint32_t const *outer, char const *data, size_t len)
{
  (void)mac ; (void)inner ; (void)outer ; (void)data ; (void)len ;
  return 0 ;
}

#endif
