/* What each socket program prints: a line per step, with errno's name (not
 * strerror's words, which differ between glibc and wasi-libc), so that the
 * program built natively and the one built for overbox print the same. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *ename(int e)
{
	switch (e) {
	case 0: return "ok";
	case EADDRINUSE: return "EADDRINUSE";
	case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
	case EAFNOSUPPORT: return "EAFNOSUPPORT";
	case EAGAIN: return "EAGAIN";
	case ECONNREFUSED: return "ECONNREFUSED";
	case EINVAL: return "EINVAL";
	case EISCONN: return "EISCONN";
	case ENOENT: return "ENOENT";
	case ENOTCONN: return "ENOTCONN";
	case ENOTSOCK: return "ENOTSOCK";
	case EPIPE: return "EPIPE";
	case EBADF: return "EBADF";
	case EDESTADDRREQ: return "EDESTADDRREQ";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	default: return "another errno";
	}
}

/* Prints "what: ok" or "what: ENAME" for a call's result. */
#define CHECK(what, call) \
	do { \
		errno = 0; \
		long r_ = (long)(call); \
		printf("%s: %s\n", (what), r_ < 0 ? ename(errno) : "ok"); \
		fflush(stdout); \
	} while (0)
