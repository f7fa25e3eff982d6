/* Authorizations in Redis: the key PREFIX + canonical address holds the
   same records as the spool file, and the expiry is the key's TTL.
   hiredis only formats commands and parses replies; the socket is ours,
   so connecting, AUTH and the command share one deadline and nothing
   waits longer than RELAY_CTRL_REDIS_TIMEOUT. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <skalibs/types.h>
#include <skalibs/fmtscan.h>
#include "rc_redis.h"

#define AUTH_FD "RELAY_CTRL_REDIS_AUTH_FD"

/* The endpoint for reading (-check) or writing (-allow), if any. */
char const *rc_redis_endpoint (int reading)
{
  char const *s = reading ? getenv("RELAY_CTRL_REDIS_READ") : 0 ;
  return s ? s : getenv("RELAY_CTRL_REDIS") ;
}

/* Redis is configured and the spool is not: the spool stays silent. */
int rc_redis_only (int reading)
{
  return rc_redis_endpoint(reading) && !getenv("RELAY_CTRL_DIR_FD") && !getenv("RELAY_CTRL_DIR") ;
}

/* The next program must not reach the password: closes its fd and
   writes the modification that unsets the variable. */
size_t rc_redis_hide (char *modif)
{
  char const *s = getenv(AUTH_FD) ;
  unsigned int n ;
  if (!s) return 0 ;
  if (uint0_scan(s, &n) && n > 2 && n <= 1U << 30) close((int)n) ;
  memcpy(modif, AUTH_FD, sizeof(AUTH_FD)) ;
  return sizeof(AUTH_FD) ;
}

#ifdef RC_NO_REDIS

void rc_redis_allow (char const *addr, char const *data, size_t len, unsigned int expiry)
{
  (void)data ; (void)len ; (void)expiry ;
  if (rc_redis_endpoint(0)) rc_warn("not recording login from ", addr, " in Redis: this build has no Redis support") ;
}

int rc_redis_read (char const *addr, char *data, size_t max, size_t *len, int logips)
{
  (void)data ; (void)max ; (void)len ; (void)logips ;
  if (rc_redis_endpoint(1)) rc_warn("not relaying for ", addr, " from Redis: this build has no Redis support") ;
  return 0 ;
}

static int unsupported (int reading)
{
  if (!rc_redis_endpoint(reading)) return 0 ;
  rc_warn("not using Redis: this build has no Redis support") ;
  return -1 ;
}

int rc_redis_get (char const *addr, char *data, size_t max, size_t *len, long *ttl)
{
  (void)addr ; (void)data ; (void)max ; (void)len ; (void)ttl ;
  return unsupported(1) ;
}

int rc_redis_del (char const *addr, char *data, size_t max, size_t *len)
{
  (void)addr ; (void)data ; (void)max ; (void)len ;
  return unsupported(0) ;
}

int rc_redis_each (int reading, rc_redis_func *f, rc_redis_func *deleted, void *ctx)
{
  (void)f ; (void)deleted ; (void)ctx ;
  return unsupported(reading) ;
}

#else

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <skalibs/tai.h>
#include <skalibs/iopause.h>
#include <skalibs/socket.h>
#include <skalibs/djbunix.h>
#include <skalibs/error.h>
#include <skalibs/allreadwrite.h>
#include <hiredis/hiredis.h>

#define WHY_MAX 256
#define PASSWORD_MAX 512
#define REPLY_MAX 65536
#define TIMEOUT_MAX 60000

struct ep
{
  char const *text ;
  char const *path ;
  char ip[16] ;
  int is6 ;
  uint16_t port ;
} ;

/* /unix/socket, a.b.c.d[:port] or [v6addr][:port]. Addresses only:
   resolving a name could wait far longer than our timeout. */
static int ep_parse (struct ep *ep, char const *s)
{
  char host[RC_INPUT_MAX] ;
  char const *port = 0 ;
  size_t n ;
  ep->text = s ;
  ep->path = 0 ;
  ep->port = 6379 ;
  ep->is6 = s[0] == '[' ;
  if (s[0] == '/') { ep->path = s ; return 1 ; }
  if (ep->is6)
  {
    char const *end = strchr(++s, ']') ;
    if (!end || (end[1] && end[1] != ':')) return 0 ;
    n = end - s ;
    if (end[1]) port = end + 2 ;
  }
  else
  {
    char const *colon = strchr(s, ':') ;
    if (colon && strchr(colon + 1, ':')) return 0 ;
    n = colon ? (size_t)(colon - s) : strlen(s) ;
    if (colon) port = colon + 1 ;
  }
  if (n >= sizeof(host)) return 0 ;
  memcpy(host, s, n) ;
  host[n] = 0 ;
  if (inet_pton(ep->is6 ? AF_INET6 : AF_INET, host, ep->ip) != 1) return 0 ;
  return !port || (uint160_scan(port, &ep->port) && ep->port) ;
}

static void say (char *why, char const *a, char const *b)
{
  size_t n = strlen(a) ;
  if (n > WHY_MAX - 1) n = WHY_MAX - 1 ;
  memcpy(why, a, n) ;
  why[n] = 0 ;
  if (b) strncat(why, b, WHY_MAX - 1 - n) ;
}

static void saysys (char *why, char const *a)
{
  say(why, a, strerror(errno)) ;
}

static unsigned int timeout_ms (void)
{
  char q[RC_QUOTE_MAX] ;
  char const *s = getenv("RELAY_CTRL_REDIS_TIMEOUT") ;
  unsigned int n ;
  if (!s) return RC_REDIS_TIMEOUT_DEFAULT ;
  if (uint0_scan(s, &n) && n && n <= TIMEOUT_MAX) return n ;
  rc_warn("RELAY_CTRL_REDIS_TIMEOUT=", rc_quote(q, s), " is not a number of milliseconds from 1 to 60000, using 200") ;
  return RC_REDIS_TIMEOUT_DEFAULT ;
}

/* From the descriptor relay-ctrl-redis-auth opened while privileged;
   pread, as the offset is shared with every process that inherited it.
   1 read, 0 none configured, -1 unusable. */
static int password (char *buf, size_t *len, char *why)
{
  char q[RC_QUOTE_MAX] ;
  char const *s = getenv(AUTH_FD) ;
  struct stat st ;
  unsigned int fd ;
  ssize_t r ;
  if (!s) return 0 ;
  if (!uint0_scan(s, &fd) || fd > 1U << 30) { say(why, AUTH_FD "=", rc_quote(q, s)) ; strncat(why, " is not a file descriptor", WHY_MAX - 1 - strlen(why)) ; return -1 ; }
  if (fstat((int)fd, &st) < 0) { saysys(why, "unable to stat the password file: ") ; return -1 ; }
  if (!S_ISREG(st.st_mode) || st.st_mode & 077) { say(why, "the password file is not a regular file readable by its owner only", 0) ; return -1 ; }
  r = pread((int)fd, buf, PASSWORD_MAX, 0) ;
  if (r < 0) { saysys(why, "unable to read the password file: ") ; return -1 ; }
  while (r && (buf[r - 1] == '\n' || buf[r - 1] == '\r')) r-- ;
  if (!r || r == PASSWORD_MAX) { say(why, "the password file is empty or longer than 511 bytes", 0) ; return -1 ; }
  *len = (size_t)r ;
  return 1 ;
}

static int ep_connect (struct ep const *ep, tain const *deadline)
{
  int fd = ep->path ? ipc_stream_nbcoe() : ep->is6 ? socket_tcp6_nbcoe() : socket_tcp4_nbcoe() ;
  int ok, e ;
  if (fd < 0) return -1 ;
  ok = ep->path ? ipc_timed_connect_g(fd, ep->path, deadline)
     : ep->is6 ? socket_deadlineconnstamp6_g(fd, ep->ip, ep->port, deadline)
     : socket_deadlineconnstamp4_g(fd, ep->ip, ep->port, deadline) ;
  if (ok) return fd ;
  e = errno ;
  fd_close(fd) ;
  errno = e ;
  return -1 ;
}

/* "no answer within N ms", set once the timeout is known. */
static char late[32 + UINT_FMT] ;

static int wait_for (int fd, short events, tain const *deadline, char *why)
{
  iopause_fd x = { .fd = fd, .events = events } ;
  int r = iopause_g(&x, 1, deadline) ;
  if (r < 0) { saysys(why, "unable to poll: ") ; return 0 ; }
  if (!r) { say(why, late, 0) ; return 0 ; }
  return 1 ;
}

/* Whether buf holds n whole replies: 1 yes (or malformed: hiredis will
   say how), 0 not yet, -1 a header announces more elements or bytes
   than REPLY_MAX could hold (hiredis would allocate for them before
   reading any: "*2147483647" is 16 GB). Counts only; hiredis parses. */
static int replies_complete (char const *buf, size_t len, unsigned int n)
{
  uint64_t need = n ;
  size_t pos = 0 ;
  while (need)
  {
    char const *eol = len > pos ? memchr(buf + pos, '\n', len - pos) : 0 ;
    char type ;
    uint64_t count = 0 ;
    size_t i, digits = 0 ;
    int minus = 0 ;
    if (!eol) return 0 ;
    type = buf[pos] ;
    i = pos + 1 ;
    need-- ;
    if (type == '*' || type == '$')
    {
      if (i < len && buf[i] == '-') { minus = 1 ; i++ ; }
      for (; buf + i < eol && buf[i] >= '0' && buf[i] <= '9' ; i++)
        if (++digits > 10 || (count = count * 10 + (uint64_t)(buf[i] - '0')) > REPLY_MAX) return -1 ;
      if (!digits || buf + i + 1 != eol || buf[i] != '\r') return 1 ;
    }
    pos = (size_t)(eol - buf) + 1 ;
    if (minus) { if (count != 1) return 1 ; continue ; }
    if (type == '*') need += count ;
    else if (type == '$')
    {
      if (len - pos < count + 2) return 0 ;
      pos += count + 2 ;
    }
    else if (type != '+' && type != '-' && type != ':') return 1 ;
  }
  return 1 ;
}

/* Sends the commands in cmd, reads n replies into rep. 0 on failure.
   The replies are gathered (64 kB at most) and handed to hiredis only
   once they are whole and their sizes sane. */
static int converse (int fd, char const *cmd, size_t len, void **rep, unsigned int n, tain const *deadline, char *why)
{
  static char buf[REPLY_MAX] ;
  redisReader *reader ;
  size_t done = 0, total = 0 ;
  unsigned int got = 0 ;
  int whole = 0 ;
  while (done < len)
  {
    ssize_t w ;
    if (!wait_for(fd, IOPAUSE_WRITE, deadline, why)) return 0 ;
    w = send(fd, cmd + done, len - done, MSG_NOSIGNAL) ;
    if (w < 0 && !error_isagain(errno) && errno != EINTR) { saysys(why, "unable to send: ") ; return 0 ; }
    if (w > 0) done += (size_t)w ;
  }
  while (!whole)
  {
    ssize_t r ;
    if (total == sizeof(buf)) { say(why, "reply longer than 64 kB", 0) ; return 0 ; }
    if (!wait_for(fd, IOPAUSE_READ, deadline, why)) return 0 ;
    r = fd_read(fd, buf + total, sizeof(buf) - total) ;
    if (r < 0 && (error_isagain(errno) || errno == EINTR)) continue ;
    if (r < 0) { saysys(why, "unable to read: ") ; return 0 ; }
    if (!r) { say(why, "the server closed the connection", 0) ; return 0 ; }
    total += (size_t)r ;
    whole = replies_complete(buf, total, n) ;
    if (whole < 0) { say(why, "reply longer than 64 kB (announced in a header)", 0) ; return 0 ; }
  }
  reader = redisReaderCreate() ;
  if (!reader) { saysys(why, "unable to allocate: ") ; return 0 ; }
  if (redisReaderFeed(reader, buf, total) != REDIS_OK) say(why, "unable to allocate", 0) ;
  else while (got < n)
  {
    if (redisReaderGetReply(reader, &rep[got]) != REDIS_OK) { say(why, "garbled reply: ", redisReaderGetError(reader)) ; break ; }
    if (!rep[got]) { say(why, "garbled reply: incomplete", 0) ; break ; }
    got++ ;
  }
  redisReaderFree(reader) ;
  if (got == n) return 1 ;
  while (got) freeReplyObject(rep[--got]) ;
  return 0 ;
}

static void describe (char *why, char const *prefix, redisReply const *r)
{
  char q[RC_QUOTE_MAX] ;
  say(why, prefix, r->type == REDIS_REPLY_ERROR ? "it answered: " : "unexpected reply") ;
  if (r->type == REDIS_REPLY_ERROR) strncat(why, rc_quote(q, r->str), WHY_MAX - 1 - strlen(why)) ;
}

static void timeout_set (tain *deadline)
{
  tain tto ;
  unsigned int ms = timeout_ms() ;
  size_t n = str_fmt(late, "no answer within ") ;
  n += uint_fmt(late + n, ms) ;
  memcpy(late + n, " ms", 4) ;
  tain_now_set_stopwatch_g() ;
  tain_from_millisecs(&tto, (int)ms) ;
  tain_add_g(deadline, &tto) ;
}

/* AUTH if a password is configured, then argv, sent together. Returns
   the reply to argv, or 0 with why. */
static redisReply *command (struct ep const *ep, int argc, char const **argv, size_t const *argvlen, char *why)
{
  char pass[PASSWORD_MAX] ;
  char const *user = getenv("RELAY_CTRL_REDIS_USER") ;
  char const *aargv[3] = { "AUTH" } ;
  size_t aargvlen[3] = { 4 } ;
  char *acmd = 0, *cmd = 0, *both = 0 ;
  int alen = 0, len, fd, auth = 0, aargc = 1 ;
  void *rep[2] ;
  redisReply *result = 0 ;
  tain deadline ;
  size_t passlen ;
  switch (password(pass, &passlen, why))
  {
    case -1 : return 0 ;
    case 1 :
      auth = 1 ;
      if (user) { aargv[aargc] = user ; aargvlen[aargc++] = strlen(user) ; }
      aargv[aargc] = pass ;
      aargvlen[aargc++] = passlen ;
      alen = redisFormatCommandArgv(&acmd, aargc, aargv, aargvlen) ;
      memset(pass, 0, sizeof(pass)) ;
      break ;
    default :
      if (user) { say(why, "RELAY_CTRL_REDIS_USER is set but there is no password (" AUTH_FD ")", 0) ; return 0 ; }
  }
  len = redisFormatCommandArgv(&cmd, argc, argv, argvlen) ;
  both = len > 0 && alen >= 0 ? malloc((size_t)alen + (size_t)len) : 0 ;
  if (!both) { say(why, "unable to allocate", 0) ; goto end ; }
  if (alen) memcpy(both, acmd, (size_t)alen) ;
  memcpy(both + alen, cmd, (size_t)len) ;
  timeout_set(&deadline) ;
  fd = ep_connect(ep, &deadline) ;
  if (fd < 0)
  {
    if (errno == ETIMEDOUT) say(why, late, 0) ;
    else saysys(why, "unable to connect: ") ;
    goto end ;
  }
  if (converse(fd, both, (size_t)alen + (size_t)len, rep, auth ? 2 : 1, &deadline, why))
  {
    redisReply *a = rep[0] ;
    if (auth && !(a->type == REDIS_REPLY_STATUS && !strcmp(a->str, "OK")))
    {
      describe(why, "authentication failed: ", a) ;
      freeReplyObject(rep[1]) ;
    }
    else result = rep[auth] ;
    if (auth) freeReplyObject(a) ;
  }
  fd_close(fd) ;
 end:
  if (acmd) memset(acmd, 0, (size_t)alen) ;
  if (both) memset(both, 0, (size_t)alen) ;
  redisFreeCommand(acmd) ;
  redisFreeCommand(cmd) ;
  free(both) ;
  return result ;
}

/* The endpoint for reading (-check) or writing (-allow); 0 if none is
   configured or it is unusable (logged). */
static int configured (struct ep *ep, int reading, char const *not_done, char const *addr)
{
  char q[RC_QUOTE_MAX] ;
  char const *s = rc_redis_endpoint(reading) ;
  if (!s) return 0 ;
  if (ep_parse(ep, s)) return 1 ;
  rc_warn(not_done, addr, ": RELAY_CTRL_REDIS", reading && getenv("RELAY_CTRL_REDIS_READ") ? "_READ=" : "=", rc_quote(q, s), " is not a.b.c.d:port, [v6addr]:port or /socket/path") ;
  return 0 ;
}

static size_t key (char *buf, char const *addr)
{
  char const *prefix = getenv("RELAY_CTRL_REDIS_PREFIX") ;
  size_t n ;
  if (!prefix) prefix = RC_REDIS_PREFIX_DEFAULT ;
  n = strlen(prefix) ;
  if (n > RC_RECORDS_MAX) n = RC_RECORDS_MAX ;
  memcpy(buf, prefix, n) ;
  memcpy(buf + n, addr, strlen(addr) + 1) ;
  return n + strlen(addr) ;
}

/* One atomic SET with the expiry as TTL: no window where the key lives
   for ever. */
void rc_redis_allow (char const *addr, char const *data, size_t len, unsigned int expiry)
{
  char k[RC_RECORDS_MAX + RC_ADDR_MAX] ;
  char ttl[UINT_FMT] ;
  char why[WHY_MAX] = "" ;
  char q[RC_QUOTE_MAX] ;
  struct ep ep ;
  redisReply *r ;
  char const *argv[5] = { "SET", k, data, "EX", ttl } ;
  size_t argvlen[5] = { 3, 0, len, 2, 0 } ;
  if (!configured(&ep, 0, "not recording login from ", addr)) return ;
  argvlen[1] = key(k, addr) ;
  argvlen[4] = uint_fmt(ttl, expiry) ;
  r = command(&ep, 5, argv, argvlen, why) ;
  if (r && r->type == REDIS_REPLY_STATUS && !strcmp(r->str, "OK"))
  {
    if (getenv("RELAY_CTRL_LOG_IPS")) rc_info("recorded login from ", addr, " in Redis ", rc_quote(q, ep.text)) ;
  }
  else
  {
    if (r) describe(why, "", r) ;
    rc_warn("not recording login from ", addr, " in Redis ", rc_quote(q, ep.text), ": ", why) ;
  }
  if (r) freeReplyObject(r) ;
}

/* GET, for the SMTP side: 1 found (at most max bytes of its value in
   data), 0 none, -1 failed; failures, and "no login recorded" under
   logips, logged as "not relaying for ADDR: ...". */
int rc_redis_read (char const *addr, char *data, size_t max, size_t *len, int logips)
{
  char k[RC_RECORDS_MAX + RC_ADDR_MAX] ;
  char why[WHY_MAX] = "" ;
  char q[RC_QUOTE_MAX] ;
  char const *argv[2] = { "GET", k } ;
  size_t argvlen[2] = { 3, 0 } ;
  struct ep ep ;
  redisReply *r ;
  int found = -1 ;
  if (!configured(&ep, 1, "not relaying for ", addr)) return -1 ;
  argvlen[1] = key(k, addr) ;
  r = command(&ep, 2, argv, argvlen, why) ;
  if (r && r->type == REDIS_REPLY_NIL)
  {
    if (logips) rc_info("not relaying for ", addr, ": no login recorded") ;
    found = 0 ;
  }
  else if (!r || r->type != REDIS_REPLY_STRING)
  {
    if (r) describe(why, "", r) ;
    rc_warn("not relaying for ", addr, ": Redis ", rc_quote(q, ep.text), ": ", why) ;
  }
  else
  {
    *len = r->len < max ? r->len : max ;
    memcpy(data, r->str, *len) ;
    found = 1 ;
  }
  if (r) freeReplyObject(r) ;
  return found ;
}

/* The operations tools: one connection for several commands, each
   with its own deadline. */

struct conn { struct ep ep ; int fd ; char const *what ; char const *addr ; char why[WHY_MAX] ; } ;

static redisReply *ask (struct conn *c, int argc, char const **argv, size_t const *argvlen)
{
  char *cmd = 0 ;
  void *rep ;
  tain deadline ;
  int len = redisFormatCommandArgv(&cmd, argc, argv, argvlen) ;
  int ok ;
  if (len <= 0) { say(c->why, "unable to allocate", 0) ; return 0 ; }
  timeout_set(&deadline) ;
  ok = converse(c->fd, cmd, (size_t)len, &rep, 1, &deadline, c->why) ;
  redisFreeCommand(cmd) ;
  return ok ? rep : 0 ;
}

static int conn_fail (struct conn *c, redisReply *r)
{
  char q[RC_QUOTE_MAX] ;
  if (r) { describe(c->why, "", r) ; freeReplyObject(r) ; }
  rc_warn(c->what, c->addr, " in Redis ", rc_quote(q, c->ep.text), ": ", c->why) ;
  return -1 ;
}

static void conn_close (struct conn *c)
{
  if (c->fd >= 0) fd_close(c->fd) ;
  c->fd = -1 ;
}

/* 1 connected (and authenticated), 0 none configured, -1 failed. A
   failure is logged as one line: what, addr, " in Redis ", the reason. */
static int conn_open (struct conn *c, int reading, char const *what, char const *addr)
{
  char q[RC_QUOTE_MAX] ;
  char pass[PASSWORD_MAX] ;
  char const *user = getenv("RELAY_CTRL_REDIS_USER") ;
  char const *s = rc_redis_endpoint(reading) ;
  char const *aargv[3] = { "AUTH" } ;
  size_t aargvlen[3] = { 4 } ;
  int aargc = 1, auth ;
  size_t passlen ;
  redisReply *r ;
  tain deadline ;
  c->fd = -1 ;
  c->what = what ;
  c->addr = addr ;
  c->why[0] = 0 ;
  if (!s) return 0 ;
  if (!ep_parse(&c->ep, s))
  {
    rc_warn(what, addr, " in Redis: RELAY_CTRL_REDIS", reading && getenv("RELAY_CTRL_REDIS_READ") ? "_READ=" : "=", rc_quote(q, s), " is not a.b.c.d:port, [v6addr]:port or /socket/path") ;
    return -1 ;
  }
  auth = password(pass, &passlen, c->why) ;
  if (auth < 0) return conn_fail(c, 0) ;
  if (!auth && user) { say(c->why, "RELAY_CTRL_REDIS_USER is set but there is no password (" AUTH_FD ")", 0) ; return conn_fail(c, 0) ; }
  timeout_set(&deadline) ;
  c->fd = ep_connect(&c->ep, &deadline) ;
  if (c->fd < 0)
  {
    if (errno == ETIMEDOUT) say(c->why, late, 0) ;
    else saysys(c->why, "unable to connect: ") ;
    memset(pass, 0, sizeof(pass)) ;
    return conn_fail(c, 0) ;
  }
  if (!auth) return 1 ;
  if (user) { aargv[aargc] = user ; aargvlen[aargc++] = strlen(user) ; }
  aargv[aargc] = pass ;
  aargvlen[aargc++] = passlen ;
  r = ask(c, aargc, aargv, aargvlen) ;
  memset(pass, 0, sizeof(pass)) ;
  if (r && r->type == REDIS_REPLY_STATUS && !strcmp(r->str, "OK")) { freeReplyObject(r) ; return 1 ; }
  if (r) { describe(c->why, "authentication failed: ", r) ; freeReplyObject(r) ; }
  conn_close(c) ;
  return conn_fail(c, 0) ;
}

/* GET and TTL of one key (k is NUL-terminated): 1 found, 0 none or
   not a string (which grants nothing: skipped with a warning), -1
   failed (logged). */
static int fetch (struct conn *c, char const *k, size_t klen, char *data, size_t max, size_t *len, long *ttl)
{
  char q[RC_QUOTE_MAX] ;
  char const *argv[2] = { "GET", k } ;
  size_t argvlen[2] = { 3, klen } ;
  redisReply *r = ask(c, 2, argv, argvlen) ;
  if (r && r->type == REDIS_REPLY_NIL) { freeReplyObject(r) ; return 0 ; }
  if (r && r->type == REDIS_REPLY_ERROR && !strncmp(r->str, "WRONGTYPE", 9))
  {
    rc_warn("skipping ", rc_quote(q, k), " in Redis: it is not a string, which grants nothing") ;
    freeReplyObject(r) ;
    return 0 ;
  }
  if (!r || r->type != REDIS_REPLY_STRING) return conn_fail(c, r) ;
  *len = r->len < max ? r->len : max ;
  memcpy(data, r->str, *len) ;
  freeReplyObject(r) ;
  if (!ttl) return 1 ;
  argv[0] = "TTL" ;
  r = ask(c, 2, argv, argvlen) ;
  if (!r || r->type != REDIS_REPLY_INTEGER) return conn_fail(c, r) ;
  *ttl = (long)r->integer ;
  freeReplyObject(r) ;
  return *ttl == -2 ? 0 : 1 ;
}

/* The reading endpoint's value and TTL for addr. */
int rc_redis_get (char const *addr, char *data, size_t max, size_t *len, long *ttl)
{
  char k[RC_RECORDS_MAX + RC_ADDR_MAX] ;
  struct conn c ;
  int r = conn_open(&c, 1, "unable to query ", addr) ;
  if (r <= 0) return r ;
  r = fetch(&c, k, key(k, addr), data, max, len, ttl) ;
  conn_close(&c) ;
  return r ;
}

/* Deletes addr's key on the writing endpoint; data is what it held. */
int rc_redis_del (char const *addr, char *data, size_t max, size_t *len)
{
  char k[RC_RECORDS_MAX + RC_ADDR_MAX] ;
  char const *argv[2] = { "DEL", k } ;
  size_t argvlen[2] = { 3, 0 } ;
  struct conn c ;
  redisReply *rep ;
  int r = conn_open(&c, 0, "unable to revoke ", addr) ;
  if (r <= 0) return r ;
  argvlen[1] = key(k, addr) ;
  *len = 0 ;
  if (fetch(&c, k, argvlen[1], data, max, len, 0) < 0) { conn_close(&c) ; return -1 ; }
  rep = ask(&c, 2, argv, argvlen) ;
  if (!rep || rep->type != REDIS_REPLY_INTEGER) r = conn_fail(&c, rep) ;
  else { r = rep->integer > 0 ; freeReplyObject(rep) ; }
  conn_close(&c) ;
  return r ;
}

/* Removes k only if it still holds the value judged: a login that
   arrived meanwhile is kept. */
#define DEL_IF_SAME "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"

/* SCAN over PREFIX*; f on each key named after a canonical address,
   with its value and TTL; where f says 1, the key is removed if
   unchanged and deleted is called. 0 done, -1 failed (logged). */
int rc_redis_each (int reading, rc_redis_func *f, rc_redis_func *deleted, void *ctx)
{
  char pattern[2 * RC_RECORDS_MAX + 2] ;
  char cursor[32] = "0" ;
  char const *prefix = getenv("RELAY_CTRL_REDIS_PREFIX") ;
  char const *argv[6] = { "SCAN", cursor, "MATCH", pattern, "COUNT", "100" } ;
  size_t argvlen[6] = { 4, 1, 5, 0, 5, 3 } ;
  size_t plen, n = 0 ;
  struct conn c ;
  int r = conn_open(&c, reading, reading ? "unable to list" : "unable to revoke", " the keys") ;
  if (r <= 0) return r ;
  if (!prefix) prefix = RC_REDIS_PREFIX_DEFAULT ;
  plen = strlen(prefix) ;
  if (plen > RC_RECORDS_MAX) plen = RC_RECORDS_MAX ;
  for (size_t i = 0 ; i < plen ; i++)
  {
    if (strchr("*?[]\\", prefix[i])) pattern[n++] = '\\' ;
    pattern[n++] = prefix[i] ;
  }
  pattern[n++] = '*' ;
  argvlen[3] = n ;
  do
  {
    redisReply *rep ;
    argvlen[1] = strlen(cursor) ;
    rep = ask(&c, 6, argv, argvlen) ;
    if (!rep || rep->type != REDIS_REPLY_ARRAY || rep->elements != 2
     || rep->element[0]->type != REDIS_REPLY_STRING || rep->element[0]->len >= sizeof(cursor)
     || rep->element[1]->type != REDIS_REPLY_ARRAY)
    { r = conn_fail(&c, rep) ; break ; }
    memcpy(cursor, rep->element[0]->str, rep->element[0]->len) ;
    cursor[rep->element[0]->len] = 0 ;
    for (size_t i = 0 ; i < rep->element[1]->elements && r >= 0 ; i++)
    {
      redisReply const *k = rep->element[1]->element[i] ;
      char addr[RC_ADDR_MAX] ;
      char data[RC_RECORDS_MAX] ;
      size_t alen, len ;
      long ttl ;
      if (k->type != REDIS_REPLY_STRING || k->len < plen || memcmp(k->str, prefix, plen) != 0) continue ;
      alen = k->len - plen ;
      if (alen >= RC_ADDR_MAX || !rc_addr_canon(addr, k->str + plen, alen) || strlen(addr) != alen || memcmp(addr, k->str + plen, alen) != 0) continue ;
      r = fetch(&c, k->str, k->len, data, sizeof(data), &len, &ttl) ;
      if (r <= 0) continue ;
      if ((*f)(addr, data, len, ttl, ctx))
      {
        char const *dargv[5] = { "EVAL", DEL_IF_SAME, "1", k->str, data } ;
        size_t dargvlen[5] = { 4, sizeof(DEL_IF_SAME) - 1, 1, k->len, len } ;
        redisReply *d = ask(&c, 5, dargv, dargvlen) ;
        if (!d || d->type != REDIS_REPLY_INTEGER) { r = conn_fail(&c, d) ; continue ; }
        if (d->integer > 0) (*deleted)(addr, data, len, ttl, ctx) ;
        freeReplyObject(d) ;
      }
    }
    freeReplyObject(rep) ;
  } while (r >= 0 && strcmp(cursor, "0") != 0) ;
  conn_close(&c) ;
  return r < 0 ? -1 : 0 ;
}

#endif
