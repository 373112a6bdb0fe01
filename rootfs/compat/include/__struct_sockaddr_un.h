/* Why this file exists: wasi-libc's struct sockaddr_un has no sun_path (WASI
 * cannot name Unix sockets).  libbb builds such addresses (it then fails at
 * connect/bind, see net.c); this shadows the internal header (same include
 * guard) with the Linux layout. */
#ifndef __wasilibc___struct_sockaddr_un_h
#define __wasilibc___struct_sockaddr_un_h

#include <__typedef_sa_family_t.h>

struct sockaddr_un {
	sa_family_t sun_family;
	char sun_path[108];
};

#endif
