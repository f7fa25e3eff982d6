/* The spool entries this receiver wrote, kept open so that a login it
   has already recorded, with the same records, is refreshed by setting
   the time of that very file (futimens) rather than by writing a new
   one (openat, write, renameat, and freeing the old one).

   Why that loses no login and refreshes nothing else: the time is set
   through the descriptor, so only the file this receiver wrote, with
   exactly these records, is touched, wherever it is now; only then is
   the address looked up (fstatat), and the refresh counts only if the
   address still names that file (same inode, held open, so its number
   cannot have been reused) and no other name does. Whoever removes an
   entry (relay-ctrl-age, -check, -revoke) moves it aside, looks at it
   again and puts it back if fresh: if the address names our file after
   our futimens, either it was never moved or it was moved and put back,
   and any later move aside sees the new time. In every other case
   (removed, replaced by another login, a second name) a new entry is
   written as before. Files are kept only on local file systems, where
   close reports no write error (NFS reports them at close), and for
   RELAY_CTRL_EXPIRY at most after their last refresh: a file the spool
   no longer names is not held for long. */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <skalibs/ip46.h>
#include "rc.h"
#include "rc_udp.h"

#define ENTRIES_MAX 16384
#define RECORDS_INLINE 48
#define SWEEP_EVERY 60

typedef struct entry_s entry ;
struct entry_s
{
  uint64_t ino ;
  int64_t touched ;
  int fd ;
  unsigned char reclen ;
  char addr[IP46_FMT] ;
  char rec[RECORDS_INLINE] ;
} ;
static entry entries[ENTRIES_MAX] ;
/* An index by address, as the replay cache's: slot + 1, 0 for none. */
#define ENTRIES_HASH (2 * ENTRIES_MAX)
static uint16_t head[ENTRIES_HASH], link_[ENTRIES_MAX] ;
static size_t capacity, used, next ;
static uint64_t spool_dev ;
static int64_t expiry, swept ;

static size_t bucket (char const *addr)
{
  uint32_t h = 2166136261u ;
  for (; *addr ; addr++) h = (h ^ (unsigned char)*addr) * 16777619u ;
  return h % ENTRIES_HASH ;
}

static int local_fs (long type)
{
  return type == 0x01021994 /* tmpfs */ || type == 0xEF53 /* ext2, 3, 4 */
      || type == 0x58465342 /* xfs */ || type == (long)0x9123683E /* btrfs */ ;
}

/* How many files may be kept: 0 (none) unless the spool is on a local
   file system; then as many as ENTRIES_MAX and the descriptor limit
   (raised towards its hard limit) allow, leaving 64. */
size_t rc_udp_entries_init (int dirfd, unsigned int exp)
{
  struct statfs sf ;
  struct stat st ;
  struct rlimit rl ;
  expiry = exp ;
  if (fstatfs(dirfd, &sf) < 0 || !local_fs((long)sf.f_type) || fstat(dirfd, &st) < 0) return 0 ;
  spool_dev = (uint64_t)st.st_dev ;
  if (getrlimit(RLIMIT_NOFILE, &rl) < 0) return 0 ;
  if (rl.rlim_cur < ENTRIES_MAX + 64 && rl.rlim_cur < rl.rlim_max)
  {
    rl.rlim_cur = rl.rlim_max < ENTRIES_MAX + 64 ? rl.rlim_max : ENTRIES_MAX + 64 ;
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0) getrlimit(RLIMIT_NOFILE, &rl) ;
  }
  capacity = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= ENTRIES_MAX + 64 ? ENTRIES_MAX : rl.rlim_cur > 128 ? rl.rlim_cur - 64 : 0 ;
  return capacity ;
}

static entry *find (char const *addr)
{
  for (unsigned int i = head[bucket(addr)] ; i ; i = link_[i - 1])
    if (!strcmp(entries[i - 1].addr, addr)) return entries + i - 1 ;
  return 0 ;
}

static void drop (entry *e)
{
  size_t slot = (size_t)(e - entries) ;
  uint16_t *p = head + bucket(e->addr) ;
  while (*p && *p != slot + 1) p = link_ + *p - 1 ;
  if (*p) *p = link_[slot] ;
  close(e->fd) ;
  e->fd = -1 ;
  e->addr[0] = 0 ;
}

/* 1 if addr's entry is one this receiver wrote with these records, and
   is now refreshed; 0 if a new one must be written. */
int rc_udp_entries_refresh (int dirfd, char const *addr, char const *rec, size_t len, int64_t now)
{
  struct stat st ;
  entry *e = capacity ? find(addr) : 0 ;
  if (!e) return 0 ;
  if (e->reclen != len || memcmp(e->rec, rec, len)) return 0 ;
  if (futimens(e->fd, 0) < 0
   || fstatat(dirfd, addr, &st, AT_SYMLINK_NOFOLLOW) < 0
   || (uint64_t)st.st_ino != e->ino || (uint64_t)st.st_dev != spool_dev || st.st_nlink != 1)
  {
    drop(e) ;
    return 0 ;
  }
  e->touched = now ;
  return 1 ;
}

/* Keeps fd, the file just written for addr with these records, or
   closes it. */
void rc_udp_entries_keep (char const *addr, char const *rec, size_t len, int fd, int64_t now)
{
  struct stat st ;
  entry *e = capacity ? find(addr) : 0 ;
  size_t slot ;
  if (!capacity || len > RECORDS_INLINE || strlen(addr) >= IP46_FMT || fstat(fd, &st) < 0)
  {
    if (e) drop(e) ;
    close(fd) ;
    return ;
  }
  if (e) drop(e) ;
  else if (used == capacity)
  {
    if (entries[next].fd >= 0) drop(entries + next) ;
  }
  else used++ ;
  slot = e ? (size_t)(e - entries) : next ;
  if (!e) next = (next + 1) % capacity ;
  e = entries + slot ;
  e->fd = fd ;
  e->ino = (uint64_t)st.st_ino ;
  e->touched = now ;
  e->reclen = (unsigned char)len ;
  memcpy(e->rec, rec, len) ;
  memcpy(e->addr, addr, strlen(addr) + 1) ;
  link_[slot] = head[bucket(addr)] ;
  head[bucket(addr)] = (uint16_t)(slot + 1) ;
}

/* Closes, once a minute, the files not refreshed within the expiry. */
void rc_udp_entries_sweep (int64_t now)
{
  if (now - swept < SWEEP_EVERY) return ;
  swept = now ;
  for (size_t i = 0 ; i < used ; i++)
    if (entries[i].addr[0] && entries[i].touched + expiry < now) drop(entries + i) ;
}
