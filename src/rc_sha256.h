/* HMAC-SHA256 from the SHA-256 states after the key's inner and outer
   pad blocks, with the CPU's SHA instructions where it has them. */

#ifndef RC_SHA256_H
#define RC_SHA256_H

#include <stddef.h>
#include <stdint.h>

extern int rc_sha256_hmac_fast (char *, uint32_t const *, uint32_t const *, char const *, size_t) ;

#endif
