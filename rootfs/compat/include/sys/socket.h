/* Why this file exists: wasi-libc's <sys/socket.h> only has what WASI
 * preview 1 can do with sockets handed in by the host (accept, recv, send,
 * shutdown).  libbb's socket helpers also call socket/bind/connect/...; they
 * are declared here and reach the kernel's sockets (compat/net.c): TCP and
 * UDP over the container's loopback, Unix stream sockets. */
#ifndef OVERBOX_COMPAT_SYS_SOCKET_H
#define OVERBOX_COMPAT_SYS_SOCKET_H

#include_next <sys/socket.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef SOCK_RAW
#define SOCK_RAW 3
#endif
#ifndef SOCK_RDM
#define SOCK_RDM 4
#endif
#ifndef SOCK_SEQPACKET
/* not Linux's 5: wasi-libc gives SOCK_DGRAM/SOCK_STREAM the values 5/6 */
#define SOCK_SEQPACKET 7
#endif
#ifndef AF_LOCAL
#define AF_LOCAL AF_UNIX
#endif
#ifndef AF_PACKET
/* AF_PACKET and AF_NETLINK are deliberately not defined: libbb tests them with
 * #ifdef to leave out raw-packet and netlink code. */
#endif
#ifndef SO_REUSEADDR
#define SO_DEBUG        1
#define SO_REUSEADDR    2
#define SO_ERROR        4
#define SO_DONTROUTE    5
#define SO_BROADCAST    6
#define SO_SNDBUF       7
#define SO_RCVBUF       8
#define SO_KEEPALIVE    9
#define SO_OOBINLINE    10
#define SO_LINGER       13
#define SO_REUSEPORT    15
#define SO_RCVLOWAT     18
#define SO_SNDLOWAT     19
#define SO_RCVTIMEO     20
#define SO_SNDTIMEO     21
#define SO_BINDTODEVICE 25
#define SO_TIMESTAMP    29
#endif
#ifndef MSG_OOB
#define MSG_OOB       0x0001
#define MSG_DONTROUTE 0x0004
#define MSG_DONTWAIT  0x0040
#define MSG_NOSIGNAL  0x4000
#endif
/* wasi-libc's MSG_TRUNC names a constant of <wasi/api.h>, which most
 * users do not include, and equals MSG_OOB: Linux's value instead (recvmsg
 * never sets it: a datagram cut short is cut silently, compat/net.c). */
#undef MSG_TRUNC
#define MSG_TRUNC     0x0020
#ifndef CMSG_DATA
/* Control messages, which wasi-libc leaves out: libbb's udp_io.c builds them
 * (IP_PKTINFO); the kernel takes none and gives none back (recvmsg answers
 * msg_controllen 0).  musl's definitions. */
struct cmsghdr {
	socklen_t cmsg_len;
	int cmsg_level;
	int cmsg_type;
};
#define __CMSG_LEN(cmsg) (((cmsg)->cmsg_len + sizeof(long) - 1) & ~(long)(sizeof(long) - 1))
#define __CMSG_NEXT(cmsg) ((unsigned char *)(cmsg) + __CMSG_LEN(cmsg))
#define __MHDR_END(mhdr) ((unsigned char *)(mhdr)->msg_control + (mhdr)->msg_controllen)
#define CMSG_DATA(cmsg) ((unsigned char *)(((struct cmsghdr *)(cmsg)) + 1))
#define CMSG_NXTHDR(mhdr, cmsg) ((cmsg)->cmsg_len < sizeof(struct cmsghdr) || \
	__CMSG_LEN(cmsg) + sizeof(struct cmsghdr) >= __MHDR_END(mhdr) - (unsigned char *)(cmsg) \
	? 0 : (struct cmsghdr *)__CMSG_NEXT(cmsg))
#define CMSG_FIRSTHDR(mhdr) ((size_t)(mhdr)->msg_controllen >= sizeof(struct cmsghdr) ? \
	(struct cmsghdr *)(mhdr)->msg_control : (struct cmsghdr *)0)
#define CMSG_ALIGN(len) (((len) + sizeof(size_t) - 1) & (size_t) ~(sizeof(size_t) - 1))
#define CMSG_SPACE(len) (CMSG_ALIGN(len) + CMSG_ALIGN(sizeof(struct cmsghdr)))
#define CMSG_LEN(len) (CMSG_ALIGN(sizeof(struct cmsghdr)) + (len))
#define SCM_RIGHTS 0x01
#endif

#ifndef SOMAXCONN
#define SOMAXCONN 128
#endif

int socket(int, int, int);
int socketpair(int, int, int, int [2]);
int bind(int, const struct sockaddr *, socklen_t);
int connect(int, const struct sockaddr *, socklen_t);
int listen(int, int);
int getsockname(int, struct sockaddr *__restrict, socklen_t *__restrict);
int getpeername(int, struct sockaddr *__restrict, socklen_t *__restrict);
ssize_t sendto(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
ssize_t recvfrom(int, void *__restrict, size_t, int, struct sockaddr *__restrict, socklen_t *__restrict);
ssize_t sendmsg(int, const struct msghdr *, int);
ssize_t recvmsg(int, struct msghdr *, int);
int setsockopt(int, int, int, const void *, socklen_t);

#ifdef __cplusplus
}
#endif

#endif
