/* Why this file exists: wasi-libc's <sys/socket.h> only has what WASI
 * preview 1 can do with sockets handed in by the host (accept, recv, send,
 * shutdown).  libbb's socket helpers also call socket/bind/connect/...; they
 * are declared here and fail with ENOSYS (compat/net.c): a browser tab has no
 * BSD sockets.  Applets that exist only to use sockets are left out (see
 * rootfs/README.md). */
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
