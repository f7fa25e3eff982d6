/* libFuzzer harness: relay-ctrl-policy's request parser (rc_policy_get,
   src/rc_policy.c) and decide (static in src/relay-ctrl-policy.c, so
   that file is included here with its main renamed). Input: what Postfix, or anyone who can
   reach the policy socket, sends on stdin. The spool holds one fresh
   login (192.0.2.1), one expired, one dated in the future, a symbolic
   link and a directory. Checks: the answer is OK or DUNNO, never a
   line break, and OK only for a well-formed request whose client is the
   fresh login. */

#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/time.h>

#define main relay_ctrl_policy_main
#include "relay-ctrl-policy.c"
#undef main

int LLVMFuzzerInitialize (int *, char ***) ;
int LLVMFuzzerTestOneInput (uint8_t const *, size_t) ;

static void bad (char const *what)
{
  fprintf(stderr, "fuzz/policy: invariant broken: %s\n", what) ;
  abort() ;
}

static void put (char const *dir, char const *name, char const *data, size_t len, long age)
{
  char path[4096] ;
  struct timeval tv[2] ;
  FILE *f ;
  snprintf(path, sizeof(path), "%s/%s", dir, name) ;
  f = fopen(path, "w") ;
  if (!f || fwrite(data, 1, len, f) != len || fclose(f)) bad("cannot make the spool") ;
  gettimeofday(&tv[0], 0) ;
  tv[0].tv_sec -= age ;
  tv[1] = tv[0] ;
  utimes(path, tv) ;
}

int LLVMFuzzerInitialize (int *argc, char ***argv)
{
  static char dir[4096] ;
  char path[4096] ;
  (void)argc ; (void)argv ;
  char const *tmp = getenv("TMPDIR") ;
  snprintf(dir, sizeof(dir), "%s/rc-fuzz-policy.XXXXXX", tmp ? tmp : "/tmp") ;
  if (!mkdtemp(dir)) bad("cannot make the spool") ;
  put(dir, "192.0.2.1", "USER=joe\0DOMAIN=example.org\0", 28, 0) ;
  put(dir, "192.0.2.2", "USER=old\0", 9, 5000) ;
  put(dir, "192.0.2.3", "USER=future\0", 12, -3600) ;
  snprintf(path, sizeof(path), "%s/2001:db8::1", dir) ;
  if (symlink("192.0.2.1", path) < 0) bad("cannot make the spool") ;
  snprintf(path, sizeof(path), "%s/192.0.2.4", dir) ;
  if (mkdir(path, 0700) < 0) bad("cannot make the spool") ;
  setenv("RELAY_CTRL_DIR", dir, 1) ;
  rc_settings_read(&set, 1) ;
  set.expiry = 900 ;
  set.logips = 1 ;
  return 0 ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  int fd = memfd_create("request", 0) ;
  if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size) || lseek(fd, 0, SEEK_SET) < 0 || dup2(fd, 0) < 0) bad("cannot feed stdin") ;
  close(fd) ;
  buffer_0->c.p = buffer_0->c.n = 0 ;
  for (;;)
  {
    struct rc_policy_request r ;
    char addr[RC_ADDR_MAX] ;
    char const *answer ;
    int g = rc_policy_get(&r, idle, timeout) ;
    if (g <= 0) break ;
    if (r.clientlen >= sizeof(r.client) || (r.has_client && !r.bad && r.client[r.clientlen])) bad("client_address not kept within bounds") ;
    answer = decide(&r) ;
    if (strcmp(answer, "OK") && strcmp(answer, "DUNNO")) bad("answer neither OK nor DUNNO") ;
    if (!strcmp(answer, "OK")
     && (r.bad || !r.has_request || !r.has_client || r.attrs > RC_POLICY_ATTR_MAX
      || !rc_addr_canon(addr, r.client, r.clientlen) || strcmp(addr, "192.0.2.1")))
      bad("OK for a request that is malformed or whose client did not log in") ;
  }
  return 0 ;
}
