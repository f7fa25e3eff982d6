/* drac-client HOST PORT VERSION ADDRESS: one DRAC add, as a DRAC-patched
   POP server makes it (PORT 0: ask rpcbind, as libdrac does). Prints the
   server's result code; exit 0 when the call got an answer, 2 if not. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "drac_test.h"

int main (int argc, char **argv)
{
  CLIENT *c ;
  int *r ;
  int vers ;
  struct timeval tv = { 5, 0 } ;
  if (argc != 5) { fprintf(stderr, "usage: drac-client host port version address\n") ; return 100 ; }
  vers = atoi(argv[3]) ;
  if (atoi(argv[2]) == 0) c = clnt_create(argv[1], DRACPROG, vers, "udp") ;
  else
  {
    struct sockaddr_in sa ;
    int sock = RPC_ANYSOCK ;
    memset(&sa, 0, sizeof(sa)) ;
    sa.sin_family = AF_INET ;
    sa.sin_port = htons(atoi(argv[2])) ;
    inet_pton(AF_INET, argv[1], &sa.sin_addr) ;
    c = clntudp_create(&sa, DRACPROG, vers, tv, &sock) ;
  }
  if (!c) { clnt_pcreateerror(argv[1]) ; return 2 ; }
  clnt_control(c, CLSET_TIMEOUT, (char *)&tv) ;
  if (vers == 1)
  {
    struct in_addr a ;
    drac_add_parm p ;
    if (inet_pton(AF_INET, argv[4], &a) != 1) return 100 ;
    p.ip_addr = ntohl(a.s_addr) ;  /* as libdrac: to host order */
    r = dracproc_add_1(&p, c) ;
  }
  else
  {
    drac_add_parm6 p ;
    if (inet_pton(AF_INET6, argv[4], p.ip_addr6) != 1) return 100 ;
    r = dracproc_add6_2(&p, c) ;
  }
  if (!r) { clnt_perror(c, "call failed") ; return 2 ; }
  printf("%d\n", *r) ;
  clnt_destroy(c) ;
  return 0 ;
}
