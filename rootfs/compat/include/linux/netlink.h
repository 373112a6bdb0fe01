/* Why this file exists: wasi-libc ships no Linux UAPI headers.  BusyBox's
 * `ip addr` asks the kernel for the interfaces and addresses over a
 * netlink socket (AF_NETLINK, NETLINK_ROUTE), which the overbox kernel
 * answers for the container's loopback (core/kernel/netlink.ts).  Linux's
 * layouts and numbers (linux/netlink.h), as much as `ip` uses.  AF_NETLINK
 * is defined here, not in <sys/socket.h>: libbb leaves netlink code out
 * where it is not (compat/include/sys/socket.h). */
#ifndef OVERBOX_COMPAT_LINUX_NETLINK_H
#define OVERBOX_COMPAT_LINUX_NETLINK_H

#include <linux/types.h>
#include <sys/socket.h>

#ifndef AF_NETLINK
#define AF_NETLINK 16
#define PF_NETLINK AF_NETLINK
#endif

/* The protocols, Linux's numbers (programs such as CPython's socket
 * module name them all); the kernel makes sockets of NETLINK_ROUTE only. */
#define NETLINK_ROUTE          0
#define NETLINK_USERSOCK       2
#define NETLINK_FIREWALL       3
#define NETLINK_SOCK_DIAG      4
#define NETLINK_NFLOG          5
#define NETLINK_XFRM           6
#define NETLINK_SELINUX        7
#define NETLINK_ISCSI          8
#define NETLINK_AUDIT          9
#define NETLINK_FIB_LOOKUP     10
#define NETLINK_CONNECTOR      11
#define NETLINK_NETFILTER      12
#define NETLINK_IP6_FW         13
#define NETLINK_DNRTMSG        14
#define NETLINK_KOBJECT_UEVENT 15
#define NETLINK_GENERIC        16
#define NETLINK_CRYPTO         21

struct sockaddr_nl {
	unsigned short nl_family;
	unsigned short nl_pad;
	__u32 nl_pid;
	__u32 nl_groups;
};

struct nlmsghdr {
	__u32 nlmsg_len;
	__u16 nlmsg_type;
	__u16 nlmsg_flags;
	__u32 nlmsg_seq;
	__u32 nlmsg_pid;
};

#define NLM_F_REQUEST 0x01
#define NLM_F_MULTI   0x02
#define NLM_F_ACK     0x04
#define NLM_F_ECHO    0x08
#define NLM_F_ROOT    0x100
#define NLM_F_MATCH   0x200
#define NLM_F_ATOMIC  0x400
#define NLM_F_DUMP    (NLM_F_ROOT | NLM_F_MATCH)
#define NLM_F_REPLACE 0x100
#define NLM_F_EXCL    0x200
#define NLM_F_CREATE  0x400
#define NLM_F_APPEND  0x800

#define NLMSG_ALIGNTO 4U
#define NLMSG_ALIGN(len) (((len) + NLMSG_ALIGNTO - 1) & ~(NLMSG_ALIGNTO - 1))
#define NLMSG_HDRLEN ((int)NLMSG_ALIGN(sizeof(struct nlmsghdr)))
#define NLMSG_LENGTH(len) ((len) + NLMSG_HDRLEN)
#define NLMSG_SPACE(len) NLMSG_ALIGN(NLMSG_LENGTH(len))
#define NLMSG_DATA(nlh) ((void *)(((char *)nlh) + NLMSG_LENGTH(0)))
#define NLMSG_NEXT(nlh, len) ((len) -= NLMSG_ALIGN((nlh)->nlmsg_len), \
	(struct nlmsghdr *)(((char *)(nlh)) + NLMSG_ALIGN((nlh)->nlmsg_len)))
#define NLMSG_OK(nlh, len) ((len) >= (int)sizeof(struct nlmsghdr) && \
	(nlh)->nlmsg_len >= sizeof(struct nlmsghdr) && (nlh)->nlmsg_len <= (unsigned)(len))
#define NLMSG_PAYLOAD(nlh, len) ((nlh)->nlmsg_len - NLMSG_SPACE((len)))

#define NLMSG_NOOP    0x1
#define NLMSG_ERROR   0x2
#define NLMSG_DONE    0x3
#define NLMSG_OVERRUN 0x4

struct nlmsgerr {
	int error;
	struct nlmsghdr msg;
};

#endif
