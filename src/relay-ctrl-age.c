/* relay-ctrl-age [-v]: removes expired logins, and temporary files left
   by a crashed relay-ctrl-allow, from the spool. Run from cron. */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <skalibs/types.h>
#include <skalibs/sgetopt.h>
#include <sys/prctl.h>
#include "rc_say.h"

#define USAGE "relay-ctrl-age [ -v ]"

static unsigned int scanned, removed, kept, ignored, failed ;
static int trashed ;

static char const *nfmt (char *s, unsigned int n)
{
  s[uint_fmt(s, n)] = 0 ;
  return s ;
}

static int is_temporary (char const *name)
{
  return !strncmp(name, RC_TMP_PREFIX, sizeof(RC_TMP_PREFIX) - 1)
      || !strncmp(name, RC_OLD_PREFIX, sizeof(RC_OLD_PREFIX) - 1) ;
}

static void age_one (int dirfd, char const *name, unsigned char type, time_t now, unsigned int expiry, char const *trash, int verbose)
{
  char q[RC_QUOTE_MAX] ;
  struct stat st ;
  enum rc_age_e age ;
  int temporary = is_temporary(name), r ;
  if (type == DT_DIR)
  {
    scanned++ ;
    ignored++ ;
    rc_warn("ignoring ", rc_quote(q, name), " in the spool: it is a directory") ;
    return ;
  }
  if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
  {
    if (errno != ENOENT) { failed++ ; rc_warnsys("unable to stat ", rc_quote(q, name), " in the spool") ; }
    return ;
  }
  scanned++ ;
  if (S_ISDIR(st.st_mode))
  {
    ignored++ ;
    rc_warn("ignoring ", rc_quote(q, name), " in the spool: it is a directory") ;
    return ;
  }
  age = rc_spool_age(&st, now, expiry) ;
  if (age == RC_FRESH) { kept++ ; return ; }
  r = temporary ? (unlinkat(dirfd, name, 0) < 0 ? -1 : 1) : rc_spool_remove_stale_onto(dirfd, name, expiry, trash) ;
  if (r > 0 && !temporary) trashed = 1 ;
  if (r < 0) { failed++ ; rc_warnsys("unable to remove ", rc_quote(q, name), " from the spool") ; return ; }
  if (!r) { kept++ ; return ; }
  removed++ ;
  if (!S_ISREG(st.st_mode)) rc_warn("removed ", rc_quote(q, name), " from the spool: it was not a regular file") ;
  else if (verbose)
    rc_info("removed ", rc_quote(q, name), temporary ? ": temporary file" : age == RC_FUTURE ? ": dated in the future" : ": expired") ;
}

/* The directory is read with getdents64 and a large buffer: readdir's
   (2 KiB in musl) would take a system call per 50 or so entries. */
struct dirent64_s
{
  uint64_t ino ;
  int64_t off ;
  unsigned short reclen ;
  unsigned char type ;
  char name[] ;
} ;
#define DENTS_BUF 65536

int main (int argc, char const *const *argv)
{
  static char buf[DENTS_BUF] __attribute__((aligned(8))) ;
  char q[RC_QUOTE_MAX] ;
  char const *dir ;
  int dirfd, verbose = 0 ;
  unsigned int expiry ;
  char trash[RC_UNIQUE_MAX] ;
  time_t now ;
  subgetopt l = SUBGETOPT_ZERO ;
  prctl(PR_SET_DUMPABLE, 0) ;  /* first of all: doc/security.md */
  rc_log_name("relay-ctrl-age") ;
  for (int opt ; (opt = subgetopt_r(argc, argv, "v", &l)) != -1 ;)
  {
    if (opt != 'v') rc_usage(USAGE) ;
    verbose = 1 ;
  }
  if (l.ind < argc) rc_usage(USAGE) ;
  dir = getenv("RELAY_CTRL_DIR") ;
  if (!dir) rc_fatal(100, "RELAY_CTRL_DIR is not set") ;
  dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) ;
  if (dirfd < 0) rc_fatalsys(111, "unable to open spool ", rc_quote(q, dir)) ;
  expiry = rc_say_expiry_scan(getenv("RELAY_CTRL_EXPIRY")) ;
  now = time(0) ;
  rc_spool_unique_name(trash, RC_OLD_PREFIX) ;
  for (;;)
  {
    long n = syscall(SYS_getdents64, dirfd, buf, sizeof(buf)) ;
    if (n < 0) rc_fatalsys(111, "unable to read spool ", rc_quote(q, dir)) ;
    if (!n) break ;
    for (long pos = 0 ; pos < n ;)
    {
      struct dirent64_s const *de = (struct dirent64_s const *)(buf + pos) ;
      pos += de->reclen ;
      if (de->name[0] == '.' && (!de->name[1] || (de->name[1] == '.' && !de->name[2]))) continue ;
      if (!strcmp(de->name, trash)) continue ;
      age_one(dirfd, de->name, de->type, now, expiry, trash, verbose) ;
    }
  }
  /* The last stale entry removed is still there, under trash. */
  if (trashed && unlinkat(dirfd, trash, 0) < 0 && errno != ENOENT)
  {
    failed++ ;
    rc_warnsys("unable to remove ", rc_quote(q, trash), " from the spool") ;
  }
  if (verbose)
  {
    char a[UINT_FMT], b[UINT_FMT], c[UINT_FMT], e[UINT_FMT] ;
    rc_info("scanned ", nfmt(a, scanned), " entries: removed ", nfmt(b, removed), ", kept ", nfmt(c, kept), ", ignored ", nfmt(e, ignored)) ;
  }
  return failed ? 111 : 0 ;
}
