/* Why this file exists: wasi-libc has no <resolv.h>.  BusyBox's nslookup
 * (the small one, which asks getaddrinfo) prints the resolver's name server
 * from `_res`, set by res_init() from /etc/resolv.conf as in glibc; the
 * fields it reads are declared here with glibc's names.  Names are
 * resolved by compat/net.c's getaddrinfo (/etc/hosts, then the kernel's
 * gateway), never by DNS queries to that server. */
#ifndef OVERBOX_COMPAT_RESOLV_H
#define OVERBOX_COMPAT_RESOLV_H

#include <netinet/in.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MAXNS 3

struct __res_state {
	int nscount;
	struct sockaddr_in nsaddr_list[MAXNS];
	union {
		struct {
			uint16_t nscount;
			struct sockaddr_in6 *nsaddrs[MAXNS];
		} _ext;
	} _u;
};

extern struct __res_state _res;
int res_init(void);

#ifdef __cplusplus
}
#endif

#endif
