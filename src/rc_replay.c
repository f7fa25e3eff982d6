/* relay-ctrl-udp's replay cache. A request dated at or before the floor
   may have been forgotten, so it is refused. At start the floor is the
   later of the start time and the time of RC_REPLAY_FLOOR in the spool,
   which is kept at or above every timestamp accepted (rounded up to the
   second) before the login is recorded: a restart forgets nothing that
   could be replayed, even a request dated ahead. */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "rc_udp.h"

#define REPLAY_MAX 4096
static struct { uint64_t ts ; char mac[RC_MAC_LEN] ; } replay[REPLAY_MAX] ;
static size_t replay_n, replay_next ;
static uint64_t floor_ns, persisted_ns ;

/* An index of the ring by MAC: chains through replay_link, headed in
   replay_head (slot + 1, 0 for none), bucket from the MAC's first bytes
   (HMAC output, so evenly spread). A lookup compares one MAC or two,
   not all 4096. */
#define REPLAY_HASH (2 * REPLAY_MAX)
static uint16_t replay_head[REPLAY_HASH], replay_link[REPLAY_MAX] ;

static size_t bucket (char const *mac)
{
  uint32_t h ;
  memcpy(&h, mac, sizeof(h)) ;
  return h % REPLAY_HASH ;
}

int rc_replay_seen (char const *mac)
{
  for (unsigned int i = replay_head[bucket(mac)] ; i ; i = replay_link[i - 1])
    if (!memcmp(replay[i - 1].mac, mac, RC_MAC_LEN)) return 1 ;
  return 0 ;
}

int rc_replay_too_old (uint64_t ts)
{
  return ts <= floor_ns ;
}

static void unindex (size_t slot)
{
  uint16_t *p = replay_head + bucket(replay[slot].mac) ;
  while (*p && *p != slot + 1) p = replay_link + *p - 1 ;
  if (*p) *p = replay_link[slot] ;
}

/* When full, forget the next entry of the ring that is not dated ahead
   of this host's clock (one dated ahead stays, or it could come back
   once forgotten), and the floor never passes this host's clock: one
   request dated ahead cannot make genuine logins look replayed. */
void rc_replay_remember (char const *mac, uint64_t ts, uint64_t now)
{
  if (replay_n == REPLAY_MAX)
  {
    uint64_t f ;
    for (size_t tries = 0 ; replay[replay_next].ts > now && tries < REPLAY_MAX ; tries++)
      replay_next = (replay_next + 1) % REPLAY_MAX ;
    f = replay[replay_next].ts < now ? replay[replay_next].ts : now ;
    if (f > floor_ns) floor_ns = f ;
    unindex(replay_next) ;
  }
  replay[replay_next].ts = ts ;
  memcpy(replay[replay_next].mac, mac, RC_MAC_LEN) ;
  replay_link[replay_next] = replay_head[bucket(mac)] ;
  replay_head[bucket(mac)] = (uint16_t)(replay_next + 1) ;
  replay_next = (replay_next + 1) % REPLAY_MAX ;
  if (replay_n < REPLAY_MAX) replay_n++ ;
}

void rc_replay_floor_load (int dirfd, uint64_t start)
{
  struct stat st ;
  floor_ns = start ;
  if (fstatat(dirfd, RC_REPLAY_FLOOR, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode)) return ;
  persisted_ns = (uint64_t)st.st_mtim.tv_sec * 1000000000ULL + (uint64_t)st.st_mtim.tv_nsec ;
  if (persisted_ns > floor_ns) floor_ns = persisted_ns ;
}

/* RC_REPLAY_FLOOR's time raised to ts, rounded up to the second (so a
   file system that keeps whole seconds loses nothing, and it is set at
   most once a second). 0 if that failed. */
int rc_replay_floor_keep (int dirfd, uint64_t ts)
{
  struct timespec t[2] ;
  if (ts <= persisted_ns) return 1 ;
  t[0].tv_sec = (time_t)((ts + 999999999ULL) / 1000000000ULL) ;
  t[0].tv_nsec = 0 ;
  t[1] = t[0] ;
  if (utimensat(dirfd, RC_REPLAY_FLOOR, t, AT_SYMLINK_NOFOLLOW) < 0)
  {
    int fd ;
    if (errno != ENOENT) return 0 ;
    fd = openat(dirfd, RC_REPLAY_FLOOR, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644) ;
    if (fd < 0) return 0 ;
    close(fd) ;
    if (utimensat(dirfd, RC_REPLAY_FLOOR, t, AT_SYMLINK_NOFOLLOW) < 0) return 0 ;
  }
  persisted_ns = (uint64_t)t[0].tv_sec * 1000000000ULL ;
  return 1 ;
}
