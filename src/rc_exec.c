/* Exec the rest of the chain with environment changes, or die 126/127. */

#include <errno.h>
#include <skalibs/exec.h>
#include "rc.h"

void rc_exec (char const *const *argv, char const *modif, size_t modiflen)
{
  mexec_am(argv[0], argv, modif, modiflen) ;
  rc_fatalsys(errno == ENOENT ? 127 : 126, "unable to exec ", argv[0]) ;
}
