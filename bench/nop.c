/* bench/nop PROG [ARG...]: a do-nothing chain-loader, the floor for
   relay-ctrl-check and -allow: exec the rest of argv, unchanged. */

#include <unistd.h>

int main (int argc, char **argv, char **envp)
{
  if (argc < 2) return 100 ;
  execve(argv[1], argv + 1, envp) ;
  return 127 ;
}
