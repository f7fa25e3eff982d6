/* LD_PRELOAD library for test/t/holders.t: the program named in
   RC_TEST_STOP_IN stops itself before its main runs, the earliest
   moment an attacker could catch it after execve. */

#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

__attribute__((constructor)) static void stop (void)
{
  char const *name = getenv("RC_TEST_STOP_IN") ;
  if (name && !strcmp(name, program_invocation_short_name)) raise(SIGSTOP) ;
}
