/* relay-ctrl: relay-ctrl-list's rows (rc_rows.c). */

#ifndef RC_ROWS_H
#define RC_ROWS_H

#include <stddef.h>
#include <time.h>
#include "rc.h"

struct rc_row { char addr[RC_ADDR_MAX] ; size_t user ; time_t mtime ; long left ; enum rc_age_e age ; int redis ; } ;

/* 0: out of memory. */
extern int rc_rows_add (struct rc_row *, char const *) ;
/* How many rows are left to print. */
extern size_t rc_rows_sort (void) ;
/* To stdout, flushed; 0 if writing failed. */
extern int rc_rows_table (time_t) ;
extern int rc_rows_machine (time_t) ;
extern void rc_rows_free (void) ;

#endif
