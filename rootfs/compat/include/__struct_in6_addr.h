/* Why this file exists: wasi-libc's struct in6_addr has only s6_addr; BusyBox
 * (httpd's IPv4-mapped check, libbb) also reads s6_addr32, as on Linux.  This
 * shadows the internal header (same include guard) with musl's layout: the
 * same 16 bytes, aligned alike, seen as bytes, halves or words. */
#ifndef __wasilibc___struct_in6_addr_h
#define __wasilibc___struct_in6_addr_h

#include <stdint.h>

struct in6_addr {
	union {
		uint8_t __s6_addr[16];
		uint16_t __s6_addr16[8];
		uint32_t __s6_addr32[4];
	} __in6_union;
};
#define s6_addr __in6_union.__s6_addr
#define s6_addr16 __in6_union.__s6_addr16
#define s6_addr32 __in6_union.__s6_addr32

#endif
