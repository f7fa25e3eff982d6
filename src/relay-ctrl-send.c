/* relay-ctrl-send PROG...: reports a successful login to relay-ctrl-udp
   on other hosts, in the background, and runs PROG at once. */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <sys/prctl.h>
#include <arpa/inet.h>
#include <skalibs/types.h>
#include <skalibs/tai.h>
#include "rc_say.h"
#include "rc_packet.h"
#include "rc_sender.h"

#define USAGE "relay-ctrl-send prog..."
#define NOT_DONE "not sending login from "
#define UNSET "RELAY_CTRL_KEY_FD\0RELAY_CTRL_KEY_OLD_FD\0RELAY_CTRL_DIR_FD"

static rc_sender sender ;
static rc_key key ;
static char addr[RC_ADDR_MAX] ;
static char records[RC_RECORDS_MAX] ;
static unsigned int tries, timeout ;

/* The login's records, read from the environment once (its warnings
   once too), for the local entry and the packet alike. */
static void get_records (void)
{
  if (sender.records) return ;
  sender.records = records ;
  sender.recordslen = rc_records_from_env(records, sizeof(records), &rc_say_skipped, addr) ;
}

static unsigned int setting (char const *var, unsigned int def, unsigned int max)
{
  char q[RC_QUOTE_MAX] ;
  char fmt[UINT_FMT] ;
  char const *s = getenv(var) ;
  unsigned int n ;
  if (!s) return def ;
  if (uint0_scan(s, &n) && n && n <= max) return n ;
  fmt[uint_fmt(fmt, max)] = 0 ;
  rc_warn(var, "=", rc_quote(q, s), " is not a number from 1 to ", fmt, ": using the default") ;
  return def ;
}

/* The login in this host's spool too, when relay-ctrl-chdir opened it. */
static void record_locally (void)
{
  struct rc_settings local ;
  struct rc_why w ;
  struct rc_redis_said rd ;
  rc_settings_spool(&local) ;
  if (!local.fdstate) return ;
  get_records() ;
  if (rc_store_record(&local, RC_STORE_SPOOL, addr, records, sender.recordslen, &w, &rd) < 0)
    rc_say_why("not recording login locally from ", addr, &w) ;
}

/* Whatever happens here, the POP session goes on. 1 if there is
   something to send. */
static int prepare (void)
{
  char q[RC_QUOTE_MAX] ;
  char const *s = rc_login_ip() ;
  char const *remotes = getenv("RELAY_CTRL_REMOTES") ;
  struct rc_why w ;
  uint16_t port ;
  int r ;
  if (!rc_login_counts()) return 0 ;
  if (!s) { rc_warn("not sending login: neither TCPREMOTEIP nor IP is set") ; return 0 ; }
  if (!rc_addr_canon(addr, s, strlen(s))) { rc_warn(NOT_DONE, rc_quote(q, s), ": not an IP address") ; return 0 ; }
  sender.addr = addr ;
  record_locally() ;
  if (strchr(addr, '%')) { rc_warn(NOT_DONE, addr, ": an address with a zone means nothing on other hosts") ; return 0 ; }
  port = (uint16_t)setting("RELAY_CTRL_PORT", 811, 65535) ;
  if (!remotes || !rc_sender_remotes(&sender, remotes, port)) { rc_warn(NOT_DONE, addr, ": no remotes in RELAY_CTRL_REMOTES") ; return 0 ; }
  r = rc_key_load(&key, "RELAY_CTRL_KEY", &w) ;
  if (r < 0) { rc_log_why(&w) ; rc_warn(NOT_DONE, addr, ": no usable key") ; return 0 ; }
  tries = setting("RELAY_CTRL_TRIES", 5, 100) ;
  timeout = setting("RELAY_CTRL_TIMEOUT", 1, 3600) ;
  if (!r) return 1 ;
  sender.key = &key ;
  get_records() ;
  sender.is6 = inet_pton(AF_INET6, addr, sender.ip) == 1 ;
  if (!sender.is6) inet_pton(AF_INET, addr, sender.ip) ;
  if (!rc_sender_fits(&sender))
  {
    rc_warn("sending login from ", addr, " without its variables: they do not fit in a packet") ;
    sender.recordslen = 0 ;
  }
  return 1 ;
}

static void close_fd (char const *var)
{
  int fd ;
  if (rc_env_fd(var, &fd, 0) > 0 && fd > 2) close(fd) ;
}

/* Two forks, so the sender is nobody's child and PROG reaps nothing; it
   lets go of the client's connection on 0 and 1. */
static void spawn (void)
{
  pid_t pid = fork() ;
  if (pid < 0) { rc_warnsys(NOT_DONE, addr, ": unable to fork") ; return ; }
  if (!pid)
  {
    int null ;
    if (fork()) _exit(0) ;
    null = open("/dev/null", O_RDWR) ;
    if (null >= 0) { dup2(null, 0) ; dup2(null, 1) ; if (null > 2) close(null) ; }
    rc_sender_run(&sender, tries, timeout) ;
    _exit(0) ;
  }
  while (waitpid(pid, 0, 0) < 0 && errno == EINTR) ;
}

int main (int argc, char const *const *argv)
{
  prctl(PR_SET_DUMPABLE, 0) ;  /* first of all: doc/security.md */
  rc_log_name("relay-ctrl-send") ;
  if (argc < 2) rc_usage(USAGE) ;
  tain_now_set_stopwatch_g() ;
  if (prepare()) spawn() ;
  memset(key.key, 0, sizeof(key.key)) ;
  close_fd("RELAY_CTRL_KEY_FD") ;
  close_fd("RELAY_CTRL_KEY_OLD_FD") ;
  close_fd("RELAY_CTRL_DIR_FD") ;
  rc_exec(argv + 1, UNSET, sizeof(UNSET)) ;
}
