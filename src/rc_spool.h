/* relay-ctrl: the spool module (rc_spool.c): opening it, hiding it from
   the next program, writing, reading, walking and removing entries,
   temporary names. Nothing here logs or reads the environment;
   failures come back as a reason. */

#ifndef RC_SPOOL_H
#define RC_SPOOL_H

#include <stddef.h>
#include <sys/stat.h>
#include "rc.h"

/* Settings read once, in main (rc_settings_read, rc_store.h), passed
   down. */
struct rc_settings
{
  int dirfd ;            /* the spool, -1 until opened */
  int inherited ;        /* dirfd is RELAY_CTRL_DIR_FD's */
  int fdstate ;          /* rc_env_fd of RELAY_CTRL_DIR_FD */
  int envfd ;
  char const *fdtext ;
  char const *dir ;      /* RELAY_CTRL_DIR */
  char const *direrrno ; /* RELAY_CTRL_DIR_ERRNO, from relay-ctrl-chdir */
  char const *expirytext ;
  unsigned int expiry ;  /* 0 until rc_settings_expiry */
  int expirybad ;        /* 1: said to be bad, 2: and logged */
  int logips ;
  int reading ;          /* the SMTP side's endpoint: RELAY_CTRL_REDIS_READ */
  int redis ;            /* a Redis endpoint for this side */
  int redisonly ;        /* Redis and no spool configured */
} ;

extern void rc_settings_spool (struct rc_settings *) ;  /* rc_env.c */

/* The spool's fd into s->dirfd. strict: it must be usable (fstat, a
   directory), as the operations tools want; otherwise an inherited fd
   is taken as it is (its first openat says whether it is good) and
   relay-ctrl-chdir's RELAY_CTRL_DIR_ERRNO is reported. */
extern int rc_spool_dir (struct rc_settings *, int, struct rc_why *) ;
/* The modification that hides the spool from the next program, its fd
   closed; 0 bytes if it was not inherited. */
#define RC_SPOOL_HIDE_MAX 18
extern size_t rc_spool_hide_fd (struct rc_settings const *, char *) ;

/* One spool entry: its status, and USER / USER@DOMAIN from its records
   (empty when it has no USER record or could not be read). */
struct rc_entry
{
  struct stat st ;
  int readable ;
  char name[RC_RECORDS_MAX] ;
  char user[RC_RECORDS_MAX + 1] ;
} ;

enum rc_entry_e { RC_ENTRY_OK, RC_ENTRY_NONE, RC_ENTRY_SYMLINK, RC_ENTRY_NOTREG, RC_ENTRY_ERROR } ;

extern int rc_is_temporary (char const *) ;
extern enum rc_entry_e rc_entry_read (int, char const *, struct rc_entry *) ;
extern void rc_entry_parse (struct rc_entry *, char const *, size_t) ;
extern int rc_entry_user_is (struct rc_entry const *, char const *) ;
typedef int rc_entry_pred (struct rc_entry const *, void *) ;
extern int rc_spool_remove_if (int, char const *, rc_entry_pred *, void *, struct rc_entry *) ;
typedef void rc_name_func (int, char const *, void *) ;
extern int rc_spool_each (int, rc_name_func *, void *) ;

#endif
