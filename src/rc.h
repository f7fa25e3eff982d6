/* relay-ctrl: shared declarations. */

#ifndef RC_H
#define RC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>
#include <skalibs/stralloc.h>

/* Longest canonical address: IPv6 text, '%', zone id, NUL. */
#define RC_ZONE_MAX 16
#define RC_ADDR_MAX (46 + 1 + RC_ZONE_MAX + 1)
#define RC_INPUT_MAX 128

extern size_t rc_addr_canon (char *, char const *, size_t) ;
extern int rc_addr_is_canonical (char const *, size_t) ;
/* host[:port] for where to send or connect: a.b.c.d, a.b.c.d:port,
   v6, [v6] or [v6]:port; port 1 to 65535, the given one when absent. */
extern int rc_hostport_scan (char *, int *, uint16_t *, char const *, size_t) ;

/* The length of s's leading run of bytes that can go on one line: no
   control characters; with ascii, printable ASCII only (for terminals
   and logs, where a byte such as 0x9b may start an escape sequence). */
static inline size_t rc_printable (char const *s, size_t len, int ascii)
{
  size_t i = 0 ;
  for (; i < len ; i++)
  {
    unsigned char c = (unsigned char)s[i] ;
    if (c < 0x20 || c == 0x7f || (ascii && c > 0x7f)) break ;
  }
  return i ;
}

/* Logging: "PROG[pid]: level: ..." on stderr, printable text only. */
#define RC_QUOTE_MAX 80
extern void rc_log_name (char const *) ;
extern void rc_log_pid (void) ;
extern char const *rc_quote (char *, char const *) ;
extern void rc_log_info (char const *const *, unsigned int) ;
extern void rc_log_warn (char const *const *, unsigned int) ;
extern void rc_log_warnsys (char const *const *, unsigned int) ;
extern void rc_die (int, char const *const *, unsigned int) __attribute__((noreturn)) ;
extern void rc_diesys (int, char const *const *, unsigned int) __attribute__((noreturn)) ;
#define RC_ARGS(...) (char const *const []){ __VA_ARGS__ }, sizeof((char const *const []){ __VA_ARGS__ }) / sizeof(char const *)
#define rc_info(...) rc_log_info(RC_ARGS(__VA_ARGS__))
#define rc_warn(...) rc_log_warn(RC_ARGS(__VA_ARGS__))
#define rc_warnsys(...) rc_log_warnsys(RC_ARGS(__VA_ARGS__))
#define rc_fatal(e, ...) rc_die(e, RC_ARGS(__VA_ARGS__))
#define rc_fatalsys(e, ...) rc_diesys(e, RC_ARGS(__VA_ARGS__))
#define rc_usage(u) rc_fatal(100, "usage: ", u)
extern void rc_exec (char const *const *, char const *, size_t) __attribute__((noreturn)) ;

/* A reason, what libraries return instead of logging: text, errno (0:
   text says it all), exit code for a program that dies of it (100
   configuration, 111 system). rc_why_set (rc_why.c) joins its pieces,
   cut to fit; it returns -1. */
#define RC_WHY_MAX (RC_QUOTE_MAX + 96)
struct rc_why
{
  char text[RC_WHY_MAX] ;
  int err ;
  int exitcode ;
} ;
extern int rc_why_setv (struct rc_why *, int, int, char const *const *, unsigned int) ;
#define rc_why_set(w, exitcode, err, ...) rc_why_setv(w, exitcode, err, RC_ARGS(__VA_ARGS__))
/* A reason as a program's warning, or its death (rc_log.c). */
extern void rc_log_why (struct rc_why const *) ;
extern void rc_die_why (struct rc_why const *) __attribute__((noreturn)) ;

/* Configuration from the environment. */
#define RC_EXPIRY_DEFAULT 900
#define RC_FUTURE_TOLERANCE 30
extern int rc_expiry_scan (char const *, unsigned int *) ;
extern int rc_env_fd (char const *, int *, char const **) ;

/* The spool: one file per canonical address, mtime = login time. */
#define RC_TMP_PREFIX ".tmp."
#define RC_OLD_PREFIX ".old."
/* prefix.pid.seconds.nanoseconds: unique among live processes. */
#define RC_UNIQUE_MAX (8 + 3 * 21)
extern void rc_spool_unique_name (char *, char const *) ;
extern void rc_spool_unique_name_pid (char *, char const *, uint64_t) ;
/* What a program writing many entries knows once: its pid, whether it
   set its umask to 0, and whether it keeps the files it writes open. */
typedef struct rc_spool_self_s rc_spool_self ;
struct rc_spool_self_s
{
  uint64_t pid ;
  int umask0 ;
  int keepfd ;
} ;
extern int rc_spool_write_self (rc_spool_self const *, int, char const *, char const *, size_t, unsigned int) ;
extern int rc_spool_remove_stale_onto (int, char const *, unsigned int, char const *) ;
enum rc_age_e { RC_FRESH, RC_STALE, RC_FUTURE } ;
extern enum rc_age_e rc_spool_age (struct stat const *, time_t, unsigned int) ;
extern int rc_spool_write (int, char const *, char const *, size_t, unsigned int) ;
extern int rc_spool_remove_stale (int, char const *, unsigned int) ;
extern int rc_spool_put_back (int, char const *, char const *) ;
extern int rc_spool_exposure (int) ;
extern int rc_fd_move_high (int) ;
extern void rc_refresh_start (int, char const *, unsigned int) ;

/* Records: "NAME=value\0" entries, names from an allowlist. */
#define RC_RECORDS_MAX 4096
extern int rc_name_importable (char const *, size_t) ;
extern int rc_name_wanted (char const *, size_t) ;
/* A variable rc_records_from_env leaves out: its name, why, ctx. */
typedef void rc_skipped_func (char const *, char const *, void *) ;
extern size_t rc_records_from_env (char *, size_t, rc_skipped_func *, void *) ;
extern char const *rc_login_user (void) ;
extern char const *rc_login_ip (void) ;
extern int rc_login_counts (void) ;
/* The installed envdir (rc_etc.c) for the operations tools run without
   one: what rc_etc_read found (UNREADABLE: errno says why), and the
   program run again with its settings (rc_etc_exec returns only when
   that failed, errno says why). */
enum rc_etc_e { RC_ETC_NOT_NEEDED, RC_ETC_SPOOL, RC_ETC_REDIS, RC_ETC_MISSING, RC_ETC_UNREADABLE, RC_ETC_NO_STORE } ;
extern char const rc_etc_path[] ;
extern enum rc_etc_e rc_etc_read (stralloc *, char const **) ;
extern void rc_etc_exec (char const *const *, stralloc const *) ;
typedef void rc_record_func (char const *, size_t, void *) ;
extern size_t rc_records_parse (char *, size_t, size_t, char const *, size_t, rc_record_func *, void *, unsigned int *, char const **) ;

#endif
