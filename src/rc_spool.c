/* The spool: files named after addresses, whose mtime is the login time. */

#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <dirent.h>
#include <string.h>
#include <skalibs/types.h>
#include <skalibs/allreadwrite.h>
#include <skalibs/fmtscan.h>
#include "rc_spool.h"

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

static int reason (struct rc_why *w, int exitcode, int err, char const *a, char const *b, char const *c)
{
  size_t n = 0 ;
  char const *v[3] = { a, b, c } ;
  for (unsigned int i = 0 ; i < 3 ; i++)
    if (v[i]) n += str_fmt(w->text + n, v[i]) ;
  w->text[n] = 0 ;
  w->err = err ;
  w->exitcode = exitcode ;
  return -1 ;
}

/* The spool directory: the fd left by relay-ctrl-chdir if there is one,
   else RELAY_CTRL_DIR. */
int rc_spool_dir (struct rc_settings *s, int strict, struct rc_why *w)
{
  char q[RC_QUOTE_MAX] ;
  struct stat st ;
  unsigned int n ;
  int fd ;
  if (s->dirfd >= 0) return s->dirfd ;
  if (s->fdstate < 0) return reason(w, 100, 0, "RELAY_CTRL_DIR_FD=", rc_quote(q, s->fdtext), " is not a file descriptor") ;
  if (s->fdstate > 0)
  {
    if (strict)
    {
      if (fstat(s->envfd, &st) < 0) return reason(w, 111, errno, "unable to use RELAY_CTRL_DIR_FD=", s->fdtext, 0) ;
      if (!S_ISDIR(st.st_mode)) return reason(w, 111, 0, "RELAY_CTRL_DIR_FD=", s->fdtext, " is not a directory") ;
    }
    s->inherited = 1 ;
    s->dirfd = s->envfd ;
    return s->dirfd ;
  }
  if (!s->dir) return reason(w, 100, 0, "neither RELAY_CTRL_DIR_FD nor RELAY_CTRL_DIR is set", 0, 0) ;
  /* relay-ctrl-chdir, as root, could not open it: say why it could not
     (a typo in RELAY_CTRL_DIR is ENOENT), not why we cannot. */
  if (!strict && s->direrrno && uint0_scan(s->direrrno, &n) && n && n < 4096)
    return reason(w, 111, (int)n, "relay-ctrl-chdir was unable to open spool ", rc_quote(q, s->dir), 0) ;
  fd = openat(AT_FDCWD, s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) ;
  if (fd < 0) return reason(w, 111, errno, "unable to open spool ", rc_quote(q, s->dir), 0) ;
  s->dirfd = fd ;
  return fd ;
}

/* The next program must not reach the spool. */
size_t rc_spool_hide_fd (struct rc_settings const *s, char *modif)
{
  if (!s->fdstate) return 0 ;
  if (s->fdstate > 0 && s->envfd > 2) close(s->envfd) ;
  memcpy(modif, "RELAY_CTRL_DIR_FD", 18) ;
  return 18 ;
}

int rc_is_temporary (char const *name)
{
  return !strncmp(name, RC_TMP_PREFIX, sizeof(RC_TMP_PREFIX) - 1)
      || !strncmp(name, RC_OLD_PREFIX, sizeof(RC_OLD_PREFIX) - 1) ;
}

struct who { char const *user ; size_t userlen ; char const *domain ; size_t domainlen ; } ;

static void take (char const *rec, size_t len, void *ctx)
{
  struct who *w = ctx ;
  if (len >= 5 && !memcmp(rec, "USER=", 5)) w->user = rec + 5, w->userlen = len - 5 ;
  else if (len >= 7 && !memcmp(rec, "DOMAIN=", 7)) w->domain = rec + 7, w->domainlen = len - 7 ;
}

/* Looks before opening, so that a FIFO or a device is never opened, then
   checks that what was opened is still a regular file. */
enum rc_entry_e rc_entry_read (int dirfd, char const *name, struct rc_entry *e)
{
  char data[RC_RECORDS_MAX] ;
  ssize_t len ;
  int fd ;
  e->readable = 0 ;
  e->name[0] = e->user[0] = 0 ;
  if (fstatat(dirfd, name, &e->st, AT_SYMLINK_NOFOLLOW) < 0) return errno == ENOENT ? RC_ENTRY_NONE : RC_ENTRY_ERROR ;
  if (S_ISLNK(e->st.st_mode)) return RC_ENTRY_SYMLINK ;
  if (!S_ISREG(e->st.st_mode)) return RC_ENTRY_NOTREG ;
  fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC) ;
  if (fd < 0)
  {
    if (errno == ENOENT) return RC_ENTRY_NONE ;
    if (errno == ELOOP) return RC_ENTRY_SYMLINK ;
    return errno == EACCES ? RC_ENTRY_OK : RC_ENTRY_ERROR ;
  }
  if (fstat(fd, &e->st) < 0) { close(fd) ; return RC_ENTRY_ERROR ; }
  if (!S_ISREG(e->st.st_mode)) { close(fd) ; return RC_ENTRY_NOTREG ; }
  len = fd_read(fd, data, sizeof(data)) ;
  close(fd) ;
  if (len < 0) return RC_ENTRY_ERROR ;
  rc_entry_parse(e, data, (size_t)len) ;
  return RC_ENTRY_OK ;
}

/* USER and DOMAIN from records read from a spool file or Redis. */
void rc_entry_parse (struct rc_entry *e, char const *data, size_t len)
{
  char records[RC_RECORDS_MAX] ;
  struct who w = { 0, 0, 0, 0 } ;
  char const *why ;
  unsigned int rejected ;
  e->readable = 1 ;
  e->name[0] = e->user[0] = 0 ;
  rc_records_parse(records, sizeof(records), 0, data, len, &take, &w, &rejected, &why) ;
  if (!w.user || !w.userlen) return ;
  memcpy(e->name, w.user, w.userlen) ;
  e->name[w.userlen] = 0 ;
  memcpy(e->user, w.user, w.userlen) ;
  if (w.domain && w.userlen + 1 + w.domainlen < sizeof(e->user))
  {
    e->user[w.userlen] = '@' ;
    memcpy(e->user + w.userlen + 1, w.domain, w.domainlen) ;
    e->user[w.userlen + 1 + w.domainlen] = 0 ;
  }
  else e->user[w.userlen] = 0 ;
}

/* "joe" matches USER=joe whatever the domain; "joe@example.org" matches
   USER=joe with DOMAIN=example.org, and USER=joe@example.org. */
int rc_entry_user_is (struct rc_entry const *e, char const *user)
{
  return e->name[0] && (!strcmp(e->name, user) || !strcmp(e->user, user)) ;
}

/* Removes name if what stands there at the moment of removal is a
   regular file that satisfies pred. As in rc_spool_remove_stale: move
   it aside, judge what was moved, put it back if it does not qualify
   (rc_spool_put_back never replaces a login that arrived meanwhile). *e describes
   what was judged. 1 removed, 0 kept or gone, -1 error. */
int rc_spool_remove_if (int dirfd, char const *name, rc_entry_pred *pred, void *ctx, struct rc_entry *e)
{
  char old[RC_UNIQUE_MAX] ;
  struct stat st ;
  if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) return errno == ENOENT ? 0 : -1 ;
  if (!S_ISREG(st.st_mode)) return 0 ;
  rc_spool_unique_name(old, RC_OLD_PREFIX) ;
  if (renameat(dirfd, name, dirfd, old) < 0) return errno == ENOENT ? 0 : -1 ;
  if (rc_entry_read(dirfd, old, e) == RC_ENTRY_OK && (*pred)(e, ctx))
    return unlinkat(dirfd, old, 0) < 0 ? -1 : 1 ;
  return rc_spool_put_back(dirfd, old, name) < 0 ? -1 : 0 ;
}

/* Calls f on each name in the spool but . and .. ; -1 if reading the
   directory failed. */
int rc_spool_each (int dirfd, rc_name_func *f, void *ctx)
{
  int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) ;
  DIR *d ;
  int e ;
  if (fd < 0) return -1 ;
  d = fdopendir(fd) ;
  if (!d) { e = errno ; close(fd) ; errno = e ; return -1 ; }
  for (;;)
  {
    struct dirent *de ;
    errno = 0 ;
    de = readdir(d) ;
    if (!de) break ;
    if (de->d_name[0] == '.' && (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2]))) continue ;
    (*f)(dirfd, de->d_name, ctx) ;
  }
  e = errno ;
  closedir(d) ;
  errno = e ;
  return e ? -1 : 0 ;
}
