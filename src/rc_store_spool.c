/* The spool as a store: files named after addresses, mtime the login
   time (rc_spool.c does the file work). */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <skalibs/allreadwrite.h>
#include <skalibs/fmtscan.h>
#include "rc_store.h"

static int configured (struct rc_settings const *s)
{
  return !s->redisonly ;
}

static enum rc_verdict_e fail (struct rc_found *f, char const *why, int err)
{
  f->why = why ;
  f->err = err ;
  return RC_VERDICT_ERROR ;
}


static void done (int fd, int flags)
{
  if (fd >= 0 && !(flags & RC_STORE_KEEP)) close(fd) ;
}

/* Never follows a symbolic link and never opens what is not a regular
   file; an entry it may not read still counts, without its records. */
static enum rc_verdict_e lookup (struct rc_settings *s, char const *addr, int flags, enum rc_verdict_e v, struct rc_found *f)
{
  struct rc_why w ;
  ssize_t r ;
  int fd, dirfd ;
  (void)v ;  /* the first store asked: rc_store_lookup has reset f */
  memset(&f->st, 0, sizeof(f->st)) ;
  dirfd = rc_spool_dir(s, 0, &w) ;
  if (dirfd < 0)
  {
    memcpy(f->whybuf, w.text, RC_WHY_MAX) ;
    return fail(f, f->whybuf, w.err) ;
  }
  fd = openat(dirfd, addr, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC) ;
  if (fd < 0)
  {
    if (errno == ENOENT) return RC_VERDICT_NONE ;
    if (errno == ELOOP) return fail(f, "its spool entry is a symbolic link", 0) ;
    if (errno != EACCES) return fail(f, "unable to read its spool entry", errno) ;
    if (fstatat(dirfd, addr, &f->st, AT_SYMLINK_NOFOLLOW) < 0)
      return errno == ENOENT ? RC_VERDICT_NONE : fail(f, "unable to read its spool entry", errno) ;
  }
  else if (fstat(fd, &f->st) < 0) { int e = errno ; done(fd, flags) ; return fail(f, "unable to stat its spool entry", e) ; }
  if (!S_ISREG(f->st.st_mode))
  {
    done(fd, flags) ;
    return fail(f, "its spool entry is not a regular file", 0) ;
  }
  f->expiry = rc_settings_expiry(s) ;
  switch (rc_spool_age(&f->st, time(0), f->expiry))
  {
    case RC_FUTURE : done(fd, flags) ; return RC_VERDICT_FUTURE ;
    case RC_STALE : done(fd, flags) ; return RC_VERDICT_STALE ;
    case RC_FRESH : break ;
  }
  if (fd < 0) return RC_VERDICT_ALLOW ;
  r = fd_read(fd, f->data, sizeof(f->data)) ;
  if (r < 0) f->err = errno ;
  done(fd, flags) ;
  if (r >= 0) { f->len = (size_t)r ; f->readable = 1 ; }
  return RC_VERDICT_ALLOW ;
}

static int record (struct rc_settings *s, char const *addr, char const *data, size_t len, struct rc_why *w, struct rc_redis_said *rd)
{
  struct stat st ;
  (void)rd ;
  int dirfd = rc_spool_dir(s, 0, w) ;
  if (dirfd < 0) return -1 ;
  if (rc_spool_write(dirfd, addr, data, len, RC_ENTRY_MODE) == 0) return 1 ;
  w->err = errno ;
  w->exitcode = 111 ;
  if (errno == ENOENT && fstat(dirfd, &st) == 0 && !st.st_nlink)
  {
    w->err = 0 ;
    w->text[str_fmt(w->text, "the spool directory was removed; recreate it and restart the service")] = 0 ;
  }
  else w->text[str_fmt(w->text, "unable to write its spool entry")] = 0 ;
  return -1 ;
}

static int remove_stale (struct rc_settings *s, char const *addr, unsigned int expiry)
{
  return s->dirfd < 0 ? 0 : rc_spool_remove_stale(s->dirfd, addr, expiry) ;
}

static int any (struct rc_entry const *e, void *ctx)
{
  (void)e ; (void)ctx ;
  return 1 ;
}

struct judge { rc_store_pred *pred ; void *ctx ; struct rc_item *it ; } ;

static int judged (struct rc_entry const *e, void *ctx)
{
  struct judge *j = ctx ;
  j->it->e = *e ;
  j->it->state = RC_ENTRY_OK ;
  return (*j->pred)(j->it, j->ctx) ;
}

static void item (struct rc_item *it, char const *name)
{
  it->addr = name ;
  it->canon = 1 ;
  it->temporary = 0 ;
  it->redis = 0 ;
  it->err = 0 ;
  it->ttl = -1 ;
  it->notstring = 0 ;
  it->key = 0 ;
  it->rd.asked = 0 ;
  it->state = RC_ENTRY_NONE ;
  it->e.name[0] = it->e.user[0] = 0 ;
  it->e.readable = 0 ;
}

/* 1 removed, 0 kept (it->state says what stands there), -1 error
   (it->err). */
static int remove_if (struct rc_settings *s, char const *addr, rc_store_pred *pred, void *ctx, struct rc_item *it)
{
  struct rc_why w ;
  struct judge j = { pred, ctx, it } ;
  int r, dirfd = rc_spool_dir(s, 1, &w) ;
  item(it, addr) ;
  if (dirfd < 0) { it->err = w.err ; return -1 ; }
  if (!pred) j.pred = 0 ;
  r = rc_spool_remove_if(dirfd, addr, pred ? &judged : &any, &j, &it->e) ;
  if (r < 0) { it->err = errno ; return -1 ; }
  if (r) it->state = RC_ENTRY_OK ;
  else it->state = rc_entry_read(dirfd, addr, &it->e) ;
  return r ;
}

struct walk { rc_store_pred *pred ; rc_store_func *f ; void *ctx ; } ;

/* Listing (no predicate) meets every name; names that are temporary
   or no canonical address are passed unread. */
static void one (int dirfd, char const *name, void *ctx)
{
  struct walk *wk = ctx ;
  struct rc_item it ;
  size_t n = strlen(name) ;
  int temporary = rc_is_temporary(name) ;
  if (temporary && wk->pred) return ;
  item(&it, name) ;
  it.temporary = temporary ;
  it.canon = !temporary && rc_addr_is_canonical(name, n) ;
  if (wk->pred)
  {
    struct judge j = { wk->pred, wk->ctx, &it } ;
    int r = rc_spool_remove_if(dirfd, name, &judged, &j, &it.e) ;
    if (r < 0) { it.err = errno ; it.state = RC_ENTRY_ERROR ; (*wk->f)(&it, 0, wk->ctx) ; }
    else if (r) { it.state = RC_ENTRY_OK ; (*wk->f)(&it, 1, wk->ctx) ; }
    return ;
  }
  if (it.canon)
  {
    it.state = rc_entry_read(dirfd, name, &it.e) ;
    if (it.state == RC_ENTRY_ERROR) it.err = errno ;
  }
  (*wk->f)(&it, 0, wk->ctx) ;
}

/* -1: the spool could not be opened or read (errno). */
static int each (struct rc_settings *s, rc_store_pred *pred, rc_store_func *f, void *ctx, struct rc_item *fail)
{
  struct rc_why w ;
  struct walk wk = { pred, f, ctx } ;
  int r, dirfd = rc_spool_dir(s, 1, &w) ;
  item(fail, "") ;
  if (dirfd < 0) { errno = fail->err = w.err ; return -1 ; }
  r = rc_spool_each(dirfd, &one, &wk) ;
  if (r < 0) fail->err = errno ;
  return r ;
}

struct rc_store_ops const rc_store_spool =
{
  .name = "spool",
  .flag = RC_STORE_SPOOL,
  .configured = &configured,
  .lookup = &lookup,
  .record = &record,
  .remove_stale = &remove_stale,
  .remove_if = &remove_if,
  .each = &each,
} ;
