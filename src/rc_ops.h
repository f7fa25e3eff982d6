/* relay-ctrl: the spool as seen by the operations tools (list, revoke,
   query) and the Postfix policy server. */

#ifndef RC_OPS_H
#define RC_OPS_H

#include <sys/stat.h>
#include "rc.h"

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

extern int rc_ops_spool (void) ;
extern int rc_is_temporary (char const *) ;
extern enum rc_entry_e rc_entry_read (int, char const *, struct rc_entry *) ;
extern void rc_entry_parse (struct rc_entry *, char const *, size_t) ;
extern int rc_entry_user_is (struct rc_entry const *, char const *) ;
typedef int rc_entry_pred (struct rc_entry const *, void *) ;
extern int rc_spool_remove_if (int, char const *, rc_entry_pred *, void *, struct rc_entry *) ;
typedef void rc_name_func (int, char const *, void *) ;
extern int rc_spool_each (int, rc_name_func *, void *) ;

#endif
