/* Reading, walking and removing spool entries for the operations tools:
   relative to the spool's fd, never following a symbolic link, opening
   regular files only, reading at most RC_RECORDS_MAX bytes of each. */

#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <skalibs/types.h>
#include <skalibs/allreadwrite.h>
#include "rc_ops.h"

/* The spool, or death: 100 when it is not configured, 111 when it
   cannot be opened. */
int rc_ops_spool (void)
{
  char q[RC_QUOTE_MAX] ;
  char const *s = getenv("RELAY_CTRL_DIR_FD") ;
  struct stat st ;
  int fd ;
  if (s)
  {
    unsigned int n ;
    if (!uint0_scan(s, &n) || n > 1U << 30) rc_fatal(100, "RELAY_CTRL_DIR_FD=", rc_quote(q, s), " is not a file descriptor") ;
    if (fstat((int)n, &st) < 0) rc_fatalsys(111, "unable to use RELAY_CTRL_DIR_FD=", s) ;
    if (!S_ISDIR(st.st_mode)) rc_fatal(111, "RELAY_CTRL_DIR_FD=", s, " is not a directory") ;
    return (int)n ;
  }
  s = getenv("RELAY_CTRL_DIR") ;
  if (!s) rc_fatal(100, "neither RELAY_CTRL_DIR_FD nor RELAY_CTRL_DIR is set") ;
  fd = open(s, O_RDONLY | O_DIRECTORY | O_CLOEXEC) ;
  if (fd < 0) rc_fatalsys(111, "unable to open spool ", rc_quote(q, s)) ;
  return fd ;
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
