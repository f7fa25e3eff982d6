/* The one decision: may this canonical address relay now? */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <skalibs/allreadwrite.h>
#include "rc_lookup.h"
#include "rc_redis.h"

static enum rc_lookup_e fail (struct rc_lookup *l, char const *why, int err)
{
  l->why = why ;
  l->err = err ;
  return RC_LOOKUP_ERROR ;
}

/* Never follows a symbolic link and never opens what is not a regular
   file; an entry it may not read still counts, without its records. */
static void clear (struct rc_lookup *l)
{
  l->len = 0 ;
  l->redis = l->readable = l->err = 0 ;
  l->why = 0 ;
  memset(&l->st, 0, sizeof(l->st)) ;
}

static void done (int fd, int flags)
{
  if (fd >= 0 && !(flags & RC_LOOKUP_KEEP)) close(fd) ;
}

enum rc_lookup_e rc_lookup_spool (int dirfd, char const *addr, unsigned int expiry, int flags, struct rc_lookup *l)
{
  ssize_t r ;
  int fd ;
  clear(l) ;
  fd = openat(dirfd, addr, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC) ;
  if (fd < 0)
  {
    if (errno == ENOENT) return RC_LOOKUP_NONE ;
    if (errno == ELOOP) return fail(l, "its spool entry is a symbolic link", 0) ;
    if (errno != EACCES) return fail(l, "unable to read its spool entry", errno) ;
    if (fstatat(dirfd, addr, &l->st, AT_SYMLINK_NOFOLLOW) < 0)
      return errno == ENOENT ? RC_LOOKUP_NONE : fail(l, "unable to read its spool entry", errno) ;
  }
  else if (fstat(fd, &l->st) < 0) { int e = errno ; done(fd, flags) ; return fail(l, "unable to stat its spool entry", e) ; }
  if (!S_ISREG(l->st.st_mode))
  {
    done(fd, flags) ;
    return fail(l, "its spool entry is not a regular file", 0) ;
  }
  l->expiry = expiry ? expiry : rc_expiry() ;
  switch (rc_spool_age(&l->st, time(0), l->expiry))
  {
    case RC_FUTURE : done(fd, flags) ; return RC_LOOKUP_FUTURE ;
    case RC_STALE : done(fd, flags) ; return RC_LOOKUP_STALE ;
    case RC_FRESH : break ;
  }
  if (fd < 0) return RC_LOOKUP_ALLOW ;
  r = fd_read(fd, l->data, sizeof(l->data)) ;
  if (r < 0) l->err = errno ;
  done(fd, flags) ;
  if (r >= 0) { l->len = (size_t)r ; l->readable = 1 ; }
  return RC_LOOKUP_ALLOW ;
}

/* What a Redis read (r: 1 found, 0 not, -1 failed, as rc_redis_read and
   rc_redis_get say) makes of the verdict v. */
static enum rc_lookup_e from_redis (struct rc_lookup *l, int r, size_t len, enum rc_lookup_e v)
{
  if (r < 0) { l->redis = 1 ; return fail(l, "Redis did not answer", 0) ; }
  if (!r) return v ;
  l->len = len ;
  l->redis = l->readable = 1 ;
  l->why = 0 ;
  l->err = 0 ;
  return RC_LOOKUP_ALLOW ;
}

enum rc_lookup_e rc_lookup_redis (char const *addr, enum rc_lookup_e v, int logips, struct rc_lookup *l)
{
  size_t len = 0 ;
  int r ;
  if (!rc_redis_endpoint(1)) return v ;
  r = rc_redis_read(addr, l->data, sizeof(l->data), &len, logips) ;
  return from_redis(l, r, len, v) ;
}

enum rc_lookup_e rc_lookup (int dirfd, char const *addr, unsigned int expiry, struct rc_lookup *l)
{
  enum rc_lookup_e v = RC_LOOKUP_NONE ;
  size_t len = 0 ;
  int r ;
  clear(l) ;
  if (dirfd >= 0)
  {
    v = rc_lookup_spool(dirfd, addr, expiry, 0, l) ;
    if (v == RC_LOOKUP_ALLOW) return v ;
  }
  if (!rc_redis_endpoint(1)) return v ;
  r = rc_redis_get(addr, l->data, sizeof(l->data), &len, 0) ;
  return from_redis(l, r, len, v) ;
}
