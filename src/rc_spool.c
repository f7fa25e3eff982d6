/* The spool: files named after addresses, whose mtime is the login time. */

#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <string.h>
#include <skalibs/types.h>
#include <skalibs/allreadwrite.h>
#include "rc.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#endif

/* Test builds only (test/t/race.t): widen the race windows, or remove by
   test-then-unlink as relay-ctrl 3.2 does, to show what the procedure
   below prevents. */
#ifdef RC_TEST_DELAY_MS
#include <poll.h>
#define test_delay() poll(0, 0, RC_TEST_DELAY_MS)
#else
#define test_delay()
#endif

enum rc_age_e rc_spool_age (struct stat const *st, time_t now, unsigned int expiry)
{
  if (st->st_mtime > now + RC_FUTURE_TOLERANCE) return RC_FUTURE ;
  if (st->st_mtime + (time_t)expiry < now) return RC_STALE ;
  return RC_FRESH ;
}

/* prefix.pid.seconds.nanoseconds: unique among live processes. A
   program that makes many names (relay-ctrl-age, -udp) passes its pid,
   got once, to the _pid functions. */
void rc_spool_unique_name (char *s, char const *prefix)
{
  rc_spool_unique_name_pid(s, prefix, (uint64_t)getpid()) ;
}

void rc_spool_unique_name_pid (char *s, char const *prefix, uint64_t pid)
{
  struct timespec ts ;
  size_t n = strlen(prefix) ;
  clock_gettime(CLOCK_REALTIME, &ts) ;
  memcpy(s, prefix, n) ;
  n += uint64_fmt(s + n, pid) ;
  s[n++] = '.' ;
  n += uint64_fmt(s + n, (uint64_t)ts.tv_sec) ;
  s[n++] = '.' ;
  n += uint64_fmt(s + n, (uint64_t)ts.tv_nsec) ;
  s[n] = 0 ;
}

/* Write under a temporary name, then rename into place, so readers see
   the whole file or the old one, and its mtime is now. */
int rc_spool_write (int dirfd, char const *name, char const *data, size_t len, unsigned int mode)
{
  rc_spool_self self = { .pid = (uint64_t)getpid(), .umask0 = 0 } ;
  return rc_spool_write_self(&self, dirfd, name, data, len, mode) ;
}

#ifndef O_TMPFILE
#define O_TMPFILE (020000000 | O_DIRECTORY)
#endif
#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif

/* As rc_spool_write; with self->umask0 (the caller set umask 0) the
   mode given to openat is the file's, so no fchmod; with self->keepfd
   (a local file system, where close reports no write error) the new
   file is not closed, and its descriptor is returned instead of 0, and
   it is first tried as an unnamed file (O_TMPFILE), written, then linked
   into place, which never replaces an entry and costs one name less
   than a temporary one renamed; if an entry is there, the unnamed file
   is linked under a temporary name and renamed over it. Linking an
   unnamed file needs CAP_DAC_READ_SEARCH before Linux 6.10: without it,
   or where the file system has no O_TMPFILE, the temporary name only. */
int rc_spool_write_self (rc_spool_self const *self, int dirfd, char const *name, char const *data, size_t len, unsigned int mode)
{
  static int unnamed_fails ;
  char tmp[RC_UNIQUE_MAX] ;
  int fd, e ;
  tmp[0] = 0 ;
  if (self->keepfd && !unnamed_fails)
  {
    fd = openat(dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, mode) ;
    if (fd < 0) unnamed_fails = errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL ;
    else if ((!self->umask0 && fchmod(fd, mode) < 0) || allwrite(fd, data, len) < len) goto err ;
    else if (linkat(fd, "", dirfd, name, AT_EMPTY_PATH) == 0) return fd ;
    else if (errno == EEXIST)
    {
      rc_spool_unique_name_pid(tmp, RC_TMP_PREFIX, self->pid) ;
      if (linkat(fd, "", dirfd, tmp, AT_EMPTY_PATH) < 0) goto err ;
      if (renameat(dirfd, tmp, dirfd, name) == 0) return fd ;
      goto err ;
    }
    else
    {
      unnamed_fails = errno == ENOENT || errno == EPERM ;
      close(fd) ;
    }
  }
  rc_spool_unique_name_pid(tmp, RC_TMP_PREFIX, self->pid) ;
  fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode) ;
  if (fd < 0) return -1 ;
  if ((!self->umask0 && fchmod(fd, mode) < 0) || allwrite(fd, data, len) < len) goto err ;
  if (!self->keepfd)
  {
    int r = close(fd) ;
    fd = -1 ;
    if (r < 0) goto err ;
  }
  if (renameat(dirfd, tmp, dirfd, name) == 0) return fd >= 0 ? fd : 0 ;
 err:
  e = errno ;
  if (fd >= 0) close(fd) ;
  if (tmp[0]) unlinkat(dirfd, tmp, 0) ;
  errno = e ;
  return -1 ;
}

/* Remove name only if what stands there at the moment of removal is not
   fresh. Testing, then unlinking by name would lose a login renamed into
   place in between, so: move the entry aside, look at what was moved,
   and put it back if it turns out fresh, never replacing an even newer
   login (rc_spool_put_back). 1 removed, 0 kept or gone, -1 error. */
int rc_spool_remove_stale (int dirfd, char const *name, unsigned int expiry)
{
  char old[RC_UNIQUE_MAX] ;
  struct stat st ;
  test_delay() ;
#ifdef RC_TEST_NAIVE
  return unlinkat(dirfd, name, 0) < 0 ? (errno == ENOENT ? 0 : -1) : 1 ;
#endif
  rc_spool_unique_name(old, RC_OLD_PREFIX) ;
  if (renameat(dirfd, name, dirfd, old) < 0) return errno == ENOENT ? 0 : -1 ;
  test_delay() ;
  if (fstatat(dirfd, old, &st, AT_SYMLINK_NOFOLLOW) == 0
   && !S_ISDIR(st.st_mode) && rc_spool_age(&st, time(0), expiry) != RC_FRESH)
    return unlinkat(dirfd, old, 0) < 0 ? -1 : 1 ;
  return rc_spool_put_back(dirfd, old, name) < 0 ? -1 : 0 ;
}

/* Puts a moved-aside entry back under name unless a newer one got there
   meanwhile (then old is dropped). renameat2's RENAME_NOREPLACE needs no
   right on the file itself: link(2) does, and under
   fs.protected_hardlinks the SMTP user may not link the mail user's
   entry. Fallback where the file system lacks RENAME_NOREPLACE: link,
   which never replaces either; if that is refused too, the entry stays
   under its .old name (that login is lost; relay-ctrl-age removes the
   name once it is stale). 0 put back or superseded, -1 error. */
int rc_spool_put_back (int dirfd, char const *old, char const *name)
{
  if (syscall(SYS_renameat2, dirfd, old, dirfd, name, RENAME_NOREPLACE) == 0) return 0 ;
  if (errno == EINVAL || errno == ENOSYS)
  {
    if (linkat(dirfd, old, dirfd, name, 0) < 0 && errno != EEXIST) return -1 ;
  }
  else if (errno != EEXIST) return -1 ;
  unlinkat(dirfd, old, 0) ;
  return 0 ;
}

/* The same for a program removing many entries (relay-ctrl-age): the
   entry is moved onto trash, a name of the caller's own (from
   rc_spool_unique_name), and left there when stale, so that the next
   move frees it, in the same system call; the caller unlinks trash at
   the end. Three calls per stale entry with the caller's look, not
   four. 1 removed, 0 kept or gone, -1 error. */
int rc_spool_remove_stale_onto (int dirfd, char const *name, unsigned int expiry, char const *trash)
{
  struct stat st ;
  test_delay() ;
#ifdef RC_TEST_NAIVE
  (void)trash ;
  return unlinkat(dirfd, name, 0) < 0 ? (errno == ENOENT ? 0 : -1) : 1 ;
#endif
  if (renameat(dirfd, name, dirfd, trash) < 0) return errno == ENOENT ? 0 : -1 ;
  test_delay() ;
  if (fstatat(dirfd, trash, &st, AT_SYMLINK_NOFOLLOW) == 0
   && !S_ISDIR(st.st_mode) && rc_spool_age(&st, time(0), expiry) != RC_FRESH)
    return 1 ;
  if (linkat(dirfd, trash, dirfd, name, 0) < 0 && errno != EEXIST) return -1 ;
  unlinkat(dirfd, trash, 0) ;
  return 0 ;
}

/* Whether users other than root and the owner can search a directory;
   group root counts as privileged. */
static int searchable_by_others (struct stat const *st)
{
  return st->st_mode & 01 || (st->st_mode & 010 && st->st_gid != 0) ;
}

/* What users other than the owner can do to the spool by path: 0 nothing
   (some directory on the way shuts them out), 1 read it, 2 write it. */
int rc_spool_exposure (int fd)
{
  struct stat st, up ;
  int what, d = fd ;
  if (fstat(fd, &st) < 0) return -1 ;
  what = st.st_mode & 022 ? 2 : 1 ;
  for (int depth = 0 ; depth < 256 ; depth++)
  {
    int parent ;
    if (!searchable_by_others(&st)) what = 0 ;
    parent = openat(d, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC) ;
    if (d != fd) close(d) ;
    if (parent < 0) return -1 ;
    d = parent ;
    if (fstat(d, &up) < 0) { close(d) ; return -1 ; }
    if (up.st_dev == st.st_dev && up.st_ino == st.st_ino) break ;
    st = up ;
  }
  if (d != fd) close(d) ;
  return what ;
}
