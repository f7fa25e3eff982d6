/* relay-ctrl: the store seam. "May this address relay now?" and
   "record this login" are asked of the stores, in order: the spool
   (rc_store_spool.c), then Redis (rc_store_redis.c). A new store is one
   file and one row of rc_stores. Nothing here logs: a verdict carries
   its reason, and rc_say.c phrases it, once, for every front end. */

#ifndef RC_STORE_H
#define RC_STORE_H

#include <stddef.h>
#include <sys/stat.h>
#include "rc.h"
#include "rc_spool.h"
#include "rc_redis.h"

/* What Redis said, for the program to phrase (rc_say.c): asked, and
   then r (1 done or found, 0 none, -1 failed) and why. */
struct rc_redis_said
{
  int asked ;
  int r ;
  rc_redis_why why ;
} ;

enum rc_verdict_e { RC_VERDICT_ALLOW, RC_VERDICT_NONE, RC_VERDICT_STALE, RC_VERDICT_FUTURE, RC_VERDICT_ERROR } ;

/* What a lookup found. ALLOW: the raw records (readable: there were
   some to read; else err says why not, 0: the entry is not readable),
   and redis: they came from Redis. ERROR: why, errno (0 when why says
   it all), redis: Redis failed. rd: what Redis said, whatever the
   verdict. */
struct rc_found
{
  char data[RC_RECORDS_MAX] ;
  size_t len ;
  int readable ;
  int redis ;
  struct rc_redis_said rd ;
  struct stat st ;
  unsigned int expiry ;
  char const *why ;
  int err ;
  char whybuf[RC_WHY_MAX] ;
} ;

/* Lookup flags. KEEP: the spool entry's fd (close-on-exec) is left
   open for an exec to close (relay-ctrl-check's system calls). SMTP:
   the SMTP side's Redis phrasing (a failure is "not relaying for ADDR:
   ...", "no login recorded" under logips), else the tools'. */
#define RC_STORE_KEEP 1
#define RC_STORE_SMTP 2

/* Record flags: which stores a login goes to. */
#define RC_STORE_SPOOL 1
#define RC_STORE_REDIS 2
#define RC_STORE_ALL 3

/* One entry met by each or remove_if: addr is the canonical address
   (spool: the file's name, canon 0 when that is not one), e its USER
   and stat (state: how reading it went, err its errno), ttl Redis's
   (-1 none); notstring: the Redis key named key is not a string
   (which grants nothing); rd: what Redis said (remove_if, a failed
   each). */
struct rc_item
{
  char const *addr ;
  int canon ;
  int temporary ;
  int redis ;
  enum rc_entry_e state ;
  int err ;
  struct rc_entry e ;
  long ttl ;
  int notstring ;
  char const *key ;
  struct rc_redis_said rd ;
} ;
/* each: with a predicate, removes the items it says 1 of (if still
   unchanged) and calls f on those removed (done 1); without, calls f
   on every item (done 0). */
typedef int rc_store_pred (struct rc_item const *, void *) ;
typedef void rc_store_func (struct rc_item const *, int, void *) ;

/* A store. lookup(settings, addr, flags, verdict so far, found): its
   verdict, or the one so far when it has nothing. record: 1 written,
   -1 failed (why). remove_stale(settings, addr, expiry): removes addr
   only if what stands there at that moment is not fresh: 1 removed,
   0 kept or gone, -1 error (errno); 0 when the store expires entries
   itself (Redis's TTL). remove_if(settings, addr, pred, ctx, item):
   removes addr if pred (0: any) says so of what stands there; 1 removed,
   0 kept (item says what it is), -1 failed. each: see above; -1 when
   the walk failed (the last item says why: err, rd). */
struct rc_store_ops
{
  char const *name ;
  int flag ;
  int (*configured) (struct rc_settings const *) ;
  enum rc_verdict_e (*lookup) (struct rc_settings *, char const *, int, enum rc_verdict_e, struct rc_found *) ;
  int (*record) (struct rc_settings *, char const *, char const *, size_t, struct rc_why *, struct rc_redis_said *) ;
  int (*remove_stale) (struct rc_settings *, char const *, unsigned int) ;
  int (*remove_if) (struct rc_settings *, char const *, rc_store_pred *, void *, struct rc_item *) ;
  int (*each) (struct rc_settings *, rc_store_pred *, rc_store_func *, void *, struct rc_item *) ;
} ;
extern struct rc_store_ops const rc_store_spool ;
extern struct rc_store_ops const rc_store_redis ;
extern struct rc_store_ops const *const rc_stores[] ;

/* Settings (rc_store.c): the environment, read once from main;
   reading: the SMTP side (RELAY_CTRL_REDIS_READ counts). The expiry is
   parsed when first needed (relay-ctrl-check(8) reads it only when an
   entry is found); expirybad then says RELAY_CTRL_EXPIRY was junk. */
extern void rc_settings_read (struct rc_settings *, int) ;
extern unsigned int rc_settings_expiry (struct rc_settings *) ;

/* Called after each store's answer, before the next is asked. */
typedef void rc_store_step (struct rc_store_ops const *, enum rc_verdict_e, struct rc_found *, void *) ;

/* The stores in order; the first ALLOW wins, a Redis failure overrides
   what the spool said, a miss keeps it. */
extern enum rc_verdict_e rc_store_lookup (struct rc_settings *, char const *, int, struct rc_found *, rc_store_step *, void *) ;

/* A login into the configured stores among flags (RC_STORE_SPOOL,
   _REDIS); a spool entry gets mode RC_ENTRY_MODE, the only place that
   decides it. Every store is tried; the spool's result: 1 written,
   0 not asked or not configured, -1 failed (w says why); Redis's
   outcome in rd. */
#define RC_ENTRY_MODE 0644
extern int rc_store_record (struct rc_settings *, int, char const *, char const *, size_t, struct rc_why *, struct rc_redis_said *) ;

#endif
