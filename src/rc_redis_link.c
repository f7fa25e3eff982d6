/* The Redis transport. hiredis only formats commands and parses
   replies; the socket is ours, so connecting, AUTH and the first
   command share one deadline, and nothing waits longer than the
   timeout. */

#include <errno.h>
#include <string.h>
#include <skalibs/types.h>
#include "rc.h"
#include "rc_redis_link.h"

/* /unix/socket or host[:port]. Addresses only: resolving a name could
   wait far longer than our timeout. */
int rc_redis_ep_scan (rc_redis_ep *ep, char const *s)
{
  ep->text = s ;
  ep->path = s[0] == '/' ? s : 0 ;
  ep->port = 6379 ;
  return ep->path || rc_hostport_scan(ep->ip, &ep->is6, &ep->port, s, strlen(s)) ;
}

#ifndef RC_NO_REDIS

#include <stdlib.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <skalibs/iopause.h>
#include <skalibs/socket.h>
#include <skalibs/djbunix.h>
#include <skalibs/error.h>
#include <skalibs/allreadwrite.h>

#define PASSWORD_MAX 512
#define REPLY_MAX 65536

void rc_redis_say (char *why, char const *a, char const *b)
{
  size_t n = strlen(a) ;
  if (n > RC_REDIS_WHY_MAX - 1) n = RC_REDIS_WHY_MAX - 1 ;
  memcpy(why, a, n) ;
  why[n] = 0 ;
  if (b) strncat(why, b, RC_REDIS_WHY_MAX - 1 - n) ;
}

static void saysys (char *why, char const *a)
{
  rc_redis_say(why, a, strerror(errno)) ;
}

void rc_redis_link_describe (char *why, char const *prefix, redisReply const *r)
{
  char q[RC_QUOTE_MAX] ;
  rc_redis_say(why, prefix, r->type == REDIS_REPLY_ERROR ? "it answered: " : "unexpected reply") ;
  if (r->type == REDIS_REPLY_ERROR) strncat(why, rc_quote(q, r->str), RC_REDIS_WHY_MAX - 1 - strlen(why)) ;
}

static void late (rc_redis_link *l)
{
  char fmt[UINT_FMT + 4] ;
  memcpy(fmt + uint_fmt(fmt, l->timeout_ms), " ms", 4) ;
  rc_redis_say(l->why, "no answer within ", fmt) ;
}

static void deadline_set (rc_redis_link *l)
{
  tain tto ;
  tain_now_set_stopwatch_g() ;
  tain_from_millisecs(&tto, (int)l->timeout_ms) ;
  tain_add_g(&l->deadline, &tto) ;
}

/* From the descriptor relay-ctrl-redis-auth opened while privileged;
   pread, as the offset is shared with every process that inherited it.
   1 read, 0 unusable (why). */
static int password (int fd, char *buf, size_t *len, char *why)
{
  struct stat st ;
  ssize_t r ;
  if (fstat(fd, &st) < 0) { saysys(why, "unable to stat the password file: ") ; return 0 ; }
  if (!S_ISREG(st.st_mode) || st.st_mode & 077) { rc_redis_say(why, "the password file is not a regular file readable by its owner only", 0) ; return 0 ; }
  r = pread(fd, buf, PASSWORD_MAX, 0) ;
  if (r < 0) { saysys(why, "unable to read the password file: ") ; return 0 ; }
  while (r && (buf[r - 1] == '\n' || buf[r - 1] == '\r')) r-- ;
  if (!r || r == PASSWORD_MAX) { rc_redis_say(why, "the password file is empty or longer than 511 bytes", 0) ; return 0 ; }
  *len = (size_t)r ;
  return 1 ;
}

/* The AUTH command, formatted and kept until the first command. */
static int auth_format (rc_redis_link *l, rc_redis_auth const *a)
{
  char pass[PASSWORD_MAX] ;
  char const *argv[3] = { "AUTH" } ;
  size_t argvlen[3] = { 4 } ;
  size_t passlen ;
  int argc = 1, len ;
  if (!password(a->fd, pass, &passlen, l->why)) return 0 ;
  if (a->user) { argv[argc] = a->user ; argvlen[argc++] = strlen(a->user) ; }
  argv[argc] = pass ;
  argvlen[argc++] = passlen ;
  len = redisFormatCommandArgv(&l->auth, argc, argv, argvlen) ;
  memset(pass, 0, sizeof(pass)) ;
  if (len <= 0) { rc_redis_say(l->why, "unable to allocate", 0) ; l->auth = 0 ; return 0 ; }
  l->authlen = (size_t)len ;
  return 1 ;
}

static void auth_forget (rc_redis_link *l)
{
  if (!l->auth) return ;
  memset(l->auth, 0, l->authlen) ;
  redisFreeCommand(l->auth) ;
  l->auth = 0 ;
  l->authlen = 0 ;
}

int rc_redis_link_open (rc_redis_link *l, rc_redis_ep const *ep, rc_redis_auth const *a)
{
  int ok ;
  l->fd = -1 ;
  l->auth = 0 ;
  l->authlen = 0 ;
  l->timeout_ms = a->timeout_ms ;
  l->why[0] = 0 ;
  if (a->fd >= 0 && !auth_format(l, a)) return 0 ;
  deadline_set(l) ;
  l->fd = ep->path ? ipc_stream_nbcoe() : ep->is6 ? socket_tcp6_nbcoe() : socket_tcp4_nbcoe() ;
  if (l->fd < 0) { saysys(l->why, "unable to connect: ") ; auth_forget(l) ; return 0 ; }
  ok = ep->path ? ipc_timed_connect_g(l->fd, ep->path, &l->deadline)
     : ep->is6 ? socket_deadlineconnstamp6_g(l->fd, ep->ip, ep->port, &l->deadline)
     : socket_deadlineconnstamp4_g(l->fd, ep->ip, ep->port, &l->deadline) ;
  if (ok) return 1 ;
  if (errno == ETIMEDOUT) late(l) ;
  else saysys(l->why, "unable to connect: ") ;
  rc_redis_link_close(l) ;
  return 0 ;
}

void rc_redis_link_close (rc_redis_link *l)
{
  auth_forget(l) ;
  if (l->fd >= 0) fd_close(l->fd) ;
  l->fd = -1 ;
}

static int wait_for (rc_redis_link *l, short events)
{
  iopause_fd x = { .fd = l->fd, .events = events } ;
  int r = iopause_g(&x, 1, &l->deadline) ;
  if (r < 0) { saysys(l->why, "unable to poll: ") ; return 0 ; }
  if (!r) { late(l) ; return 0 ; }
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

/* Sends len bytes of cmd, reads n replies into rep. 0 on failure. The
   replies are gathered (64 kB at most) and handed to hiredis only once
   they are whole and their sizes sane. */
static int converse (rc_redis_link *l, char const *cmd, size_t len, void **rep, unsigned int n)
{
  static char buf[REPLY_MAX] ;
  redisReader *reader ;
  size_t done = 0, total = 0 ;
  unsigned int got = 0 ;
  int whole = 0 ;
  while (done < len)
  {
    ssize_t w ;
    if (!wait_for(l, IOPAUSE_WRITE)) return 0 ;
    w = send(l->fd, cmd + done, len - done, MSG_NOSIGNAL) ;
    if (w < 0 && !error_isagain(errno) && errno != EINTR) { saysys(l->why, "unable to send: ") ; return 0 ; }
    if (w > 0) done += (size_t)w ;
  }
  while (!whole)
  {
    ssize_t r ;
    if (total == sizeof(buf)) { rc_redis_say(l->why, "reply longer than 64 kB", 0) ; return 0 ; }
    if (!wait_for(l, IOPAUSE_READ)) return 0 ;
    r = fd_read(l->fd, buf + total, sizeof(buf) - total) ;
    if (r < 0 && (error_isagain(errno) || errno == EINTR)) continue ;
    if (r < 0) { saysys(l->why, "unable to read: ") ; return 0 ; }
    if (!r) { rc_redis_say(l->why, "the server closed the connection", 0) ; return 0 ; }
    total += (size_t)r ;
    whole = replies_complete(buf, total, n) ;
    if (whole < 0) { rc_redis_say(l->why, "reply longer than 64 kB (announced in a header)", 0) ; return 0 ; }
  }
  reader = redisReaderCreate() ;
  if (!reader) { saysys(l->why, "unable to allocate: ") ; return 0 ; }
  if (redisReaderFeed(reader, buf, total) != REDIS_OK) rc_redis_say(l->why, "unable to allocate", 0) ;
  else while (got < n)
  {
    if (redisReaderGetReply(reader, &rep[got]) != REDIS_OK) { rc_redis_say(l->why, "garbled reply: ", redisReaderGetError(reader)) ; break ; }
    if (!rep[got]) { rc_redis_say(l->why, "garbled reply: incomplete", 0) ; break ; }
    got++ ;
  }
  redisReaderFree(reader) ;
  if (got == n) return 1 ;
  while (got) freeReplyObject(rep[--got]) ;
  return 0 ;
}

/* The first command shares the connection's deadline and carries the
   pending AUTH in front of it; each later one has a deadline of its
   own. */
redisReply *rc_redis_link_ask (rc_redis_link *l, int argc, char const **argv, size_t const *argvlen)
{
  char *cmd = 0, *both ;
  void *rep[2] ;
  redisReply *result = 0 ;
  int auth = !!l->auth ;
  int len = redisFormatCommandArgv(&cmd, argc, argv, argvlen) ;
  both = len > 0 ? malloc(l->authlen + (size_t)len) : 0 ;
  if (!both) { rc_redis_say(l->why, "unable to allocate", 0) ; goto end ; }
  if (auth) memcpy(both, l->auth, l->authlen) ;
  memcpy(both + l->authlen, cmd, (size_t)len) ;
  if (l->fd < 0) rc_redis_say(l->why, "not connected", 0) ;
  else if (converse(l, both, l->authlen + (size_t)len, rep, auth ? 2 : 1))
  {
    redisReply *a = rep[0] ;
    if (auth && !(a->type == REDIS_REPLY_STATUS && !strcmp(a->str, "OK")))
    {
      rc_redis_link_describe(l->why, "authentication failed: ", a) ;
      freeReplyObject(rep[1]) ;
    }
    else result = rep[auth] ;
    if (auth) freeReplyObject(a) ;
  }
  memset(both, 0, l->authlen) ;
 end:
  auth_forget(l) ;
  redisFreeCommand(cmd) ;
  free(both) ;
  if (l->fd >= 0) deadline_set(l) ;
  return result ;
}

#endif
