/* Why this file exists: WASI preview 1 cannot create, bind or connect sockets
 * (it can only use sockets the host hands in), has no resolver and no network
 * interfaces.  The kernel has sockets of its own (core/kernel/socket.ts: TCP
 * and UDP over the container's loopback, Unix stream sockets), reached
 * through the `overbox` import module, so:
 *   - socket/bind/listen/accept/connect/send/recv/sendto/recvfrom/sendmsg/
 *     recvmsg/shutdown/getsockname/getpeername/setsockopt/getsockopt call
 *     the kernel, with wasi-libc's constants and structs translated to the
 *     Linux ones the kernel takes (wasi-libc numbers AF_INET 1, AF_INET6 2,
 *     AF_UNIX 3, SOCK_STREAM 6; Linux 2, 10, 1, 1); socketpair is a
 *     connection over loopback, in AF_INET and AF_INET6 as well;
 *   - getaddrinfo() understands numeric addresses and names in /etc/hosts,
 *     numeric ports and names in /etc/services; other names are the
 *     kernel's (overbox_resolve: an address that stands for the name, which
 *     the kernel's gateway passes to the host's fetch);
 *   - getnameinfo() answers numerically (NI_NAMEREQD fails);
 *   - getservby...() and getprotoby...() read /etc/services and /etc/protocols;
 *   - one network interface, the loopback lo (index 1), whose addresses
 *     the kernel gives through the SIOCGIF* ioctls, and through a netlink
 *     socket (AF_NETLINK, NETLINK_ROUTE: `ip addr`). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <linux/netlink.h>
#include <resolv.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>
#include "overbox.h"

int h_errno;

static int fail(int err)
{
	errno = err;
	return -1;
}

static int ret(int err)
{
	return err ? fail(err) : 0;
}

/* Linux's address families, as the kernel takes them. */
#define LINUX_AF_UNIX 1
#define LINUX_AF_INET 2
#define LINUX_AF_INET6 10
/* Netlink's number is Linux's in both (compat/include/linux/netlink.h). */
#define LINUX_AF_NETLINK 16
#define LINUX_SOL_SOCKET 1
/* A Linux sockaddr_un is the biggest address: 2 + 108 bytes. */
#define LINUX_ADDR_MAX 112

/* wasi-libc's sockaddr as Linux lays it out; 0 or an errno. */
static int to_linux(const struct sockaddr *sa, socklen_t len, unsigned char *out, uint32_t *out_len)
{
	if (!sa || len < sizeof(sa_family_t))
		return EINVAL;
	memset(out, 0, LINUX_ADDR_MAX);
	switch (sa->sa_family) {
	case AF_INET: {
		const struct sockaddr_in *in = (const void *)sa;
		if (len < offsetof(struct sockaddr_in, sin_addr) + sizeof(in->sin_addr))
			return EINVAL;
		out[0] = LINUX_AF_INET;
		memcpy(out + 2, &in->sin_port, 2);
		memcpy(out + 4, &in->sin_addr, 4);
		*out_len = 16;
		return 0;
	}
	case AF_INET6: {
		const struct sockaddr_in6 *in6 = (const void *)sa;
		if (len < offsetof(struct sockaddr_in6, sin6_addr) + sizeof(in6->sin6_addr))
			return EINVAL;
		out[0] = LINUX_AF_INET6;
		memcpy(out + 2, &in6->sin6_port, 2);
		memcpy(out + 4, &in6->sin6_flowinfo, 4);
		memcpy(out + 8, &in6->sin6_addr, 16);
		*out_len = 28;
		return 0;
	}
	case AF_UNIX: {
		const struct sockaddr_un *un = (const void *)sa;
		size_t room = len - offsetof(struct sockaddr_un, sun_path);
		size_t n = strnlen(un->sun_path, room < sizeof(un->sun_path) ? room : sizeof(un->sun_path));
		out[0] = LINUX_AF_UNIX;
		memcpy(out + 2, un->sun_path, n);
		*out_len = 2 + n + 1;
		return 0;
	}
	case AF_NETLINK: {
		const struct sockaddr_nl *nl = (const void *)sa;
		if (len < sizeof(*nl))
			return EINVAL;
		out[0] = LINUX_AF_NETLINK;
		memcpy(out + 4, &nl->nl_pid, 4);
		memcpy(out + 8, &nl->nl_groups, 4);
		*out_len = 12;
		return 0;
	}
	default:
		return EAFNOSUPPORT;
	}
}

/* A Linux address from the kernel as wasi-libc's struct, cut to *len; *len
 * becomes the struct's whole length. */
static void from_linux(const unsigned char *in, uint32_t in_len, struct sockaddr *sa, socklen_t *len)
{
	union {
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
		struct sockaddr_un un;
		struct sockaddr_nl nl;
	} u;
	size_t size;

	memset(&u, 0, sizeof(u));
	if (in_len >= 16 && in[0] == LINUX_AF_INET) {
		u.in.sin_family = AF_INET;
		memcpy(&u.in.sin_port, in + 2, 2);
		memcpy(&u.in.sin_addr, in + 4, 4);
		size = sizeof(u.in);
	} else if (in_len >= 28 && in[0] == LINUX_AF_INET6) {
		u.in6.sin6_family = AF_INET6;
		memcpy(&u.in6.sin6_port, in + 2, 2);
		memcpy(&u.in6.sin6_flowinfo, in + 4, 4);
		memcpy(&u.in6.sin6_addr, in + 8, 16);
		size = sizeof(u.in6);
	} else if (in_len >= 12 && in[0] == LINUX_AF_NETLINK) {
		u.nl.nl_family = AF_NETLINK;
		memcpy(&u.nl.nl_pid, in + 4, 4);
		memcpy(&u.nl.nl_groups, in + 8, 4);
		size = sizeof(u.nl);
	} else {
		size_t n = in_len > 2 ? in_len - 2 : 0;
		u.un.sun_family = AF_UNIX;
		if (n > sizeof(u.un.sun_path))
			n = sizeof(u.un.sun_path);
		memcpy(u.un.sun_path, in + 2, n);
		size = offsetof(struct sockaddr_un, sun_path) + strnlen(u.un.sun_path, n) + 1;
	}
	if (sa && len) {
		memcpy(sa, &u, *len < size ? *len : size);
		*len = size;
	}
}

static int socket_flags(int flags)
{
	return ((flags & SOCK_NONBLOCK) ? OVERBOX_SOCK_NONBLOCK : 0) |
	       ((flags & SOCK_CLOEXEC) ? OVERBOX_SOCK_CLOEXEC : 0);
}

static int msg_flags(int flags)
{
	return ((flags & MSG_DONTWAIT) ? OVERBOX_MSG_DONTWAIT : 0) |
	       ((flags & MSG_NOSIGNAL) ? OVERBOX_MSG_NOSIGNAL : 0) |
	       ((flags & MSG_PEEK) ? OVERBOX_MSG_PEEK : 0);
}

int socket(int domain, int type, int proto)
{
	int linux_domain, kind, fd, err;

	switch (domain) {
	case AF_INET: linux_domain = LINUX_AF_INET; break;
	case AF_INET6: linux_domain = LINUX_AF_INET6; break;
	case AF_UNIX: linux_domain = LINUX_AF_UNIX; break;
	case AF_NETLINK:
		/* Only the routing family: the interfaces and their addresses. */
		if (proto != NETLINK_ROUTE)
			return fail(EPROTONOSUPPORT);
		linux_domain = LINUX_AF_NETLINK;
		break;
	default: return fail(EAFNOSUPPORT);
	}
	switch (type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) {
	case SOCK_STREAM: kind = 1; break;
	case SOCK_DGRAM: kind = 2; break;
	case SOCK_RAW: kind = 3; break;
	default: return fail(EPROTONOSUPPORT);
	}
	err = overbox_socket(linux_domain, kind, socket_flags(type), &fd);
	return err ? fail(err) : fd;
}

int bind(int fd, const struct sockaddr *sa, socklen_t len)
{
	unsigned char addr[LINUX_ADDR_MAX];
	uint32_t n;
	int err = to_linux(sa, len, addr, &n);
	return ret(err ? err : overbox_bind(fd, addr, n));
}

int connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	unsigned char addr[LINUX_ADDR_MAX];
	uint32_t n;
	int err = to_linux(sa, len, addr, &n);
	return ret(err ? err : overbox_connect(fd, addr, n));
}

int listen(int fd, int backlog)
{
	return ret(overbox_listen(fd, backlog));
}

int accept4(int fd, struct sockaddr *restrict sa, socklen_t *restrict len, int flags)
{
	unsigned char addr[LINUX_ADDR_MAX];
	uint32_t n = sizeof(addr);
	int out, err = overbox_accept(fd, socket_flags(flags), addr, &n, &out);
	if (err)
		return fail(err);
	if (sa && len)
		from_linux(addr, n, sa, len);
	return out;
}

int accept(int fd, struct sockaddr *restrict sa, socklen_t *restrict len)
{
	return accept4(fd, sa, len, 0);
}

static int name_of(int fd, struct sockaddr *restrict sa, socklen_t *restrict len, int peer)
{
	unsigned char addr[LINUX_ADDR_MAX];
	uint32_t n = sizeof(addr);
	int err = peer ? overbox_getpeername(fd, addr, &n) : overbox_getsockname(fd, addr, &n);
	if (err)
		return fail(err);
	from_linux(addr, n, sa, len);
	return 0;
}

int getsockname(int fd, struct sockaddr *restrict sa, socklen_t *restrict len)
{
	return name_of(fd, sa, len, 0);
}

int getpeername(int fd, struct sockaddr *restrict sa, socklen_t *restrict len)
{
	return name_of(fd, sa, len, 1);
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags,
		const struct sockaddr *sa, socklen_t salen)
{
	unsigned char addr[LINUX_ADDR_MAX];
	uint32_t n = 0;
	size_t sent;
	int err = sa ? to_linux(sa, salen, addr, &n) : 0;
	if (!err)
		err = overbox_sendto(fd, buf, len, msg_flags(flags), sa ? addr : NULL, n, &sent);
	return err ? fail(err) : (ssize_t)sent;
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	return sendto(fd, buf, len, flags, NULL, 0);
}

ssize_t recvfrom(int fd, void *restrict buf, size_t len, int flags,
		struct sockaddr *restrict sa, socklen_t *restrict salen)
{
	unsigned char addr[LINUX_ADDR_MAX];
	uint32_t n = sizeof(addr);
	size_t got, done = 0;
	int err;

	/* MSG_WAITALL: on until `len` bytes, end-of-file or an error after some. */
	do {
		err = overbox_recvfrom(fd, (char *)buf + done, len - done, msg_flags(flags),
				       sa ? addr : NULL, &n, &got);
		if (err)
			return done ? (ssize_t)done : fail(err);
		done += got;
	} while ((flags & MSG_WAITALL) && !(flags & MSG_PEEK) && got > 0 && done < len);
	if (sa && salen) {
		if (n > 0)
			from_linux(addr, n, sa, salen);
		else
			*salen = 0;
	}
	return done;
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
	return recvfrom(fd, buf, len, flags, NULL, NULL);
}

/* Gathers a message's pieces into one buffer (no control messages). */
ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	size_t total = 0, at = 0;
	char *buf;
	ssize_t r;

	for (int i = 0; i < (int)msg->msg_iovlen; i++)
		total += msg->msg_iov[i].iov_len;
	buf = malloc(total ? total : 1);
	if (!buf)
		return fail(ENOMEM);
	for (int i = 0; i < (int)msg->msg_iovlen; i++) {
		memcpy(buf + at, msg->msg_iov[i].iov_base, msg->msg_iov[i].iov_len);
		at += msg->msg_iov[i].iov_len;
	}
	r = sendto(fd, buf, total, flags, msg->msg_name, msg->msg_namelen);
	free(buf);
	return r;
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	size_t total = 0, at = 0;
	socklen_t namelen = msg->msg_namelen;
	char *buf;
	ssize_t r;

	for (int i = 0; i < (int)msg->msg_iovlen; i++)
		total += msg->msg_iov[i].iov_len;
	buf = malloc(total ? total : 1);
	if (!buf)
		return fail(ENOMEM);
	r = recvfrom(fd, buf, total, flags, msg->msg_name, msg->msg_name ? &namelen : NULL);
	for (int i = 0; r > 0 && i < (int)msg->msg_iovlen && at < (size_t)r; i++) {
		size_t take = msg->msg_iov[i].iov_len;
		if (take > (size_t)r - at)
			take = (size_t)r - at;
		memcpy(msg->msg_iov[i].iov_base, buf + at, take);
		at += take;
	}
	free(buf);
	if (r >= 0) {
		msg->msg_namelen = msg->msg_name ? namelen : 0;
		msg->msg_controllen = 0;
		msg->msg_flags = 0;
	}
	return r;
}

int shutdown(int fd, int how)
{
	switch (how) {
	case SHUT_RD: return ret(overbox_shutdown(fd, 0));
	case SHUT_WR: return ret(overbox_shutdown(fd, 1));
	case SHUT_RDWR: return ret(overbox_shutdown(fd, 2));
	default: return fail(EINVAL);
	}
}

static int linux_level(int level)
{
	return level == SOL_SOCKET ? LINUX_SOL_SOCKET : level;
}

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	int value = 0;

	if (len >= sizeof(int))
		memcpy(&value, val, sizeof(int));
	else if (len > 0)
		value = *(const unsigned char *)val;
	return ret(overbox_setsockopt(fd, linux_level(level), name, value));
}

int getsockopt(int fd, int level, int name, void *restrict val, socklen_t *restrict len)
{
	int value, err = overbox_getsockopt(fd, linux_level(level), name, &value);

	if (err)
		return fail(err);
	/* SO_TYPE: the kernel answers Linux's 1 and 2; programs compare with wasi-libc's. */
	if (level == SOL_SOCKET && name == SO_TYPE)
		value = value == 1 ? SOCK_STREAM : SOCK_DGRAM;
	if (*len >= sizeof(int)) {
		memcpy(val, &value, sizeof(int));
		*len = sizeof(int);
	} else {
		return fail(EINVAL);
	}
	return 0;
}

/* A connected stream pair, made as a connection over loopback: a listener
 * on a free port, connected to and accepted, then closed.  For AF_UNIX, as
 * Linux gives it, and for AF_INET and AF_INET6 too, which Linux refuses but
 * programs built without AF_UNIX ask for (CPython's WASI build, whose
 * asyncio makes its self-pipe so). */
int socketpair(int domain, int type, int proto, int fds[2])
{
	struct sockaddr_in6 at6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in at4 = { .sin_family = AF_INET };
	struct sockaddr *at = (struct sockaddr *)&at4;
	socklen_t size = sizeof(at4), len;
	int family = AF_INET, listener, a = -1, b = -1, saved;

	(void)proto;
	if (domain == AF_INET6) {
		family = AF_INET6;
		at6.sin6_addr.s6_addr[15] = 1;
		at = (struct sockaddr *)&at6;
		size = sizeof(at6);
	} else if (domain != AF_UNIX && domain != AF_INET) {
		return fail(EAFNOSUPPORT);
	}
	if ((type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) != SOCK_STREAM)
		return fail(EPROTONOSUPPORT);
	at4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	listener = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (listener < 0)
		return -1;
	len = size;
	if (bind(listener, at, size) < 0 || listen(listener, 1) < 0 ||
	    getsockname(listener, at, &len) < 0)
		goto failed;
	a = socket(family, type, 0);
	if (a < 0 || connect(a, at, size) < 0)
		goto failed;
	b = accept4(listener, NULL, NULL, type & (SOCK_NONBLOCK | SOCK_CLOEXEC));
	if (b < 0)
		goto failed;
	close(listener);
	fds[0] = a;
	fds[1] = b;
	return 0;
failed:
	saved = errno;
	close(listener);
	if (a >= 0)
		close(a);
	errno = saved;
	return -1;
}

/* ---- interfaces: the loopback, lo ---- */

/* The container has one interface, the loopback, as a network namespace
 * of its own starts with.  Its addresses and flags are the kernel's
 * (SIOCGIF* on a socket); its name and index are fixed, as Linux's are. */
#define LO_INDEX 1

unsigned int if_nametoindex(const char *name)
{
	if (strcmp(name, "lo") == 0)
		return LO_INDEX;
	errno = ENXIO;
	return 0;
}

char *if_indextoname(unsigned int index, char *name)
{
	if (index == LO_INDEX)
		return strcpy(name, "lo");
	errno = ENXIO;
	return NULL;
}

struct if_nameindex *if_nameindex(void)
{
	struct if_nameindex *p = calloc(2, sizeof(*p));
	if (p) {
		p[0].if_index = LO_INDEX;
		p[0].if_name = (char *)"lo";
	}
	return p;
}

/* A socket's interface request (SIOCGIF*, from compat/tty.c's ioctl): the
 * kernel fills Linux's struct ifreq, whose addresses carry Linux's family
 * numbers; wasi-libc's are put in their place. */
static void ifreq_family(struct ifreq *r)
{
	unsigned short *family = (unsigned short *)&r->ifr_addr;
	if (*family == LINUX_AF_INET)
		*family = AF_INET;
	else if (*family == LINUX_AF_INET6)
		*family = AF_INET6;
}

int __overbox_interface_ioctl(int fd, int request, void *arg)
{
	int32_t err = overbox_ioctl(fd, request, arg);
	if (err) {
		errno = err;
		return -1;
	}
	if (request == SIOCGIFCONF) {
		struct ifconf *c = arg;
		if (c->ifc_req)
			for (size_t i = 0; i < c->ifc_len / sizeof(struct ifreq); i++)
				ifreq_family(&c->ifc_req[i]);
	} else if (request == SIOCGIFADDR || request == SIOCGIFDSTADDR
		   || request == SIOCGIFBRDADDR || request == SIOCGIFNETMASK) {
		ifreq_family(arg);
	}
	return 0;
}

void if_freenameindex(struct if_nameindex *p)
{
	free(p);
}

/* ---- /etc/services and /etc/protocols ---- */

#define MAX_ALIASES 8

/* Splits the next blank-separated word off *p (comments are cut first). */
static char *next_field(char **p)
{
	char *s = *p, *start;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s) {
		*p = s;
		return NULL;
	}
	start = s;
	while (*s && *s != ' ' && *s != '\t')
		s++;
	if (*s)
		*s++ = 0;
	*p = s;
	return start;
}

static void cut_comment(char *line)
{
	line[strcspn(line, "#\r\n")] = 0;
}

static struct servent *lookup_service(const char *name, int port, const char *proto)
{
	static struct servent se;
	static char line[512];
	static char *aliases[MAX_ALIASES + 1];
	FILE *f = fopen("/etc/services", "r");

	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *sname, *portproto, *slash;
		int n = 0, match;

		cut_comment(line);
		sname = next_field(&p);
		portproto = sname ? next_field(&p) : NULL;
		if (!portproto || !(slash = strchr(portproto, '/')))
			continue;
		*slash = 0;
		se.s_name = sname;
		se.s_port = htons(atoi(portproto));
		se.s_proto = slash + 1;
		while (n < MAX_ALIASES && (aliases[n] = next_field(&p)) != NULL)
			n++;
		aliases[n] = NULL;
		se.s_aliases = aliases;
		if (proto && strcmp(proto, se.s_proto) != 0)
			continue;
		if (name) {
			match = strcmp(name, sname) == 0;
			for (int i = 0; !match && i < n; i++)
				match = strcmp(name, aliases[i]) == 0;
		} else {
			match = se.s_port == port;
		}
		if (match) {
			fclose(f);
			return &se;
		}
	}
	fclose(f);
	return NULL;
}

struct servent *getservbyname(const char *name, const char *proto)
{
	return lookup_service(name, 0, proto);
}

struct servent *getservbyport(int port, const char *proto)
{
	return lookup_service(NULL, port, proto);
}

static struct protoent *lookup_protocol(const char *name, int num)
{
	static struct protoent pe;
	static char line[512];
	static char *aliases[MAX_ALIASES + 1];
	FILE *f = fopen("/etc/protocols", "r");

	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *pname, *pnum;
		int n = 0, match;

		cut_comment(line);
		pname = next_field(&p);
		pnum = pname ? next_field(&p) : NULL;
		if (!pnum)
			continue;
		pe.p_name = pname;
		pe.p_proto = atoi(pnum);
		while (n < MAX_ALIASES && (aliases[n] = next_field(&p)) != NULL)
			n++;
		aliases[n] = NULL;
		pe.p_aliases = aliases;
		if (name) {
			match = strcmp(name, pname) == 0;
			for (int i = 0; !match && i < n; i++)
				match = strcmp(name, aliases[i]) == 0;
		} else {
			match = pe.p_proto == num;
		}
		if (match) {
			fclose(f);
			return &pe;
		}
	}
	fclose(f);
	return NULL;
}

struct protoent *getprotobyname(const char *name)
{
	return lookup_protocol(name, 0);
}

struct protoent *getprotobynumber(int num)
{
	return lookup_protocol(NULL, num);
}

/* ---- addresses ---- */

/* Looks `name` up in /etc/hosts; fills addr (16 bytes) and returns the family. */
static int hosts_lookup(const char *name, int family, unsigned char *addr, char *canon, size_t canonlen)
{
	char line[512];
	FILE *f = fopen("/etc/hosts", "r");
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		char *p = line, *a, *h;
		int fam = 0;

		cut_comment(line);
		a = next_field(&p);
		if (!a)
			continue;
		if ((family == AF_UNSPEC || family == AF_INET) && inet_pton(AF_INET, a, addr) == 1)
			fam = AF_INET;
		else if ((family == AF_UNSPEC || family == AF_INET6) && inet_pton(AF_INET6, a, addr) == 1)
			fam = AF_INET6;
		if (!fam)
			continue;
		int first = 1;
		while ((h = next_field(&p)) != NULL) {
			if (first && canon) {
				snprintf(canon, canonlen, "%s", h);
				first = 0;
			}
			if (strcasecmp(h, name) == 0) {
				found = fam;
				break;
			}
		}
	}
	fclose(f);
	return found;
}

static int port_number(const char *service, int socktype, int flags, int *port)
{
	char *end;
	long n;

	*port = 0;
	if (!service)
		return 0;
	n = strtol(service, &end, 10);
	if (*service && !*end) {
		if (n < 0 || n > 65535)
			return EAI_SERVICE;
		*port = htons((unsigned short)n);
		return 0;
	}
	if (flags & AI_NUMERICSERV)
		return EAI_NONAME;
	struct servent *se = getservbyname(service, socktype == SOCK_DGRAM ? "udp" : "tcp");
	if (!se)
		return EAI_SERVICE;
	*port = se->s_port;
	return 0;
}

/* ---- the resolver's name servers ---- */

struct __res_state _res;

/* Reads the name servers of /etc/resolv.conf into _res, as glibc does:
 * with none named, 127.0.0.1.  Only nslookup prints them: names are
 * resolved by getaddrinfo, which asks no name server. */
int res_init(void)
{
	char line[256];
	FILE *f = fopen("/etc/resolv.conf", "r");

	memset(&_res, 0, sizeof(_res));
	while (f && _res.nscount < MAXNS && fgets(line, sizeof(line), f)) {
		char *p = line, *key, *value;
		struct in_addr a;

		cut_comment(line);
		key = next_field(&p);
		value = next_field(&p);
		if (key && value && strcmp(key, "nameserver") == 0 && inet_pton(AF_INET, value, &a) == 1) {
			_res.nsaddr_list[_res.nscount].sin_family = AF_INET;
			_res.nsaddr_list[_res.nscount].sin_port = htons(53);
			_res.nsaddr_list[_res.nscount].sin_addr = a;
			_res.nscount++;
		}
	}
	if (f)
		fclose(f);
	if (_res.nscount == 0) {
		_res.nsaddr_list[0].sin_family = AF_INET;
		_res.nsaddr_list[0].sin_port = htons(53);
		_res.nsaddr_list[0].sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		_res.nscount = 1;
	}
	return 0;
}

struct ai_block {
	struct addrinfo ai;
	union {
		struct sockaddr_in sin;
		struct sockaddr_in6 sin6;
	} sa;
	char canon[256];
};

int getaddrinfo(const char *restrict host, const char *restrict service,
		const struct addrinfo *restrict hints, struct addrinfo **restrict res)
{
	int family = hints ? hints->ai_family : AF_UNSPEC;
	int flags = hints ? hints->ai_flags : 0;
	int socktype = hints ? hints->ai_socktype : 0;
	unsigned char addr[16];
	char canon[256] = "";
	int fam = 0, port, err;
	struct ai_block *b;

	if (!host && !service)
		return EAI_NONAME;
	if (family != AF_UNSPEC && family != AF_INET && family != AF_INET6)
		return EAI_FAMILY;
	err = port_number(service, socktype, flags, &port);
	if (err)
		return err;

	memset(addr, 0, sizeof(addr));
	if (!host) {
		fam = family == AF_INET6 ? AF_INET6 : AF_INET;
		if (!(flags & AI_PASSIVE)) {
			if (fam == AF_INET)
				addr[0] = 127, addr[3] = 1;
			else
				addr[15] = 1;
		}
	} else if ((family == AF_UNSPEC || family == AF_INET) && inet_pton(AF_INET, host, addr) == 1) {
		fam = AF_INET;
	} else if ((family == AF_UNSPEC || family == AF_INET6) && inet_pton(AF_INET6, host, addr) == 1) {
		fam = AF_INET6;
	} else if (flags & AI_NUMERICHOST) {
		return EAI_NONAME;
	} else {
		fam = hosts_lookup(host, family, addr, canon, sizeof(canon));
		if (!fam) {
			/* Not a name of /etc/hosts: the kernel's, for its gateway. */
			int32_t e = overbox_resolve(host, strlen(host), addr);
			if (e)
				return e == ENOENT ? EAI_NONAME : EAI_AGAIN;
			fam = AF_INET;
			if (family == AF_INET6) {
				memmove(addr + 12, addr, 4);
				memset(addr, 0, 10);
				addr[10] = addr[11] = 0xff;
				fam = AF_INET6;
			}
		}
	}

	b = calloc(1, sizeof(*b));
	if (!b)
		return EAI_MEMORY;
	b->ai.ai_family = fam;
	b->ai.ai_socktype = socktype ? socktype : SOCK_STREAM;
	b->ai.ai_protocol = hints ? hints->ai_protocol : 0;
	b->ai.ai_addr = (struct sockaddr *)&b->sa;
	if (fam == AF_INET) {
		b->sa.sin.sin_family = AF_INET;
		b->sa.sin.sin_port = port;
		memcpy(&b->sa.sin.sin_addr, addr, 4);
		b->ai.ai_addrlen = sizeof(b->sa.sin);
	} else {
		b->sa.sin6.sin6_family = AF_INET6;
		b->sa.sin6.sin6_port = port;
		memcpy(&b->sa.sin6.sin6_addr, addr, 16);
		b->ai.ai_addrlen = sizeof(b->sa.sin6);
	}
	if (flags & AI_CANONNAME) {
		snprintf(b->canon, sizeof(b->canon), "%s", canon[0] ? canon : host ? host : "");
		b->ai.ai_canonname = b->canon;
	}
	*res = &b->ai;
	return 0;
}

void freeaddrinfo(struct addrinfo *ai)
{
	while (ai) {
		struct addrinfo *next = ai->ai_next;
		free(ai);	/* each is the start of its ai_block */
		ai = next;
	}
}

int getnameinfo(const struct sockaddr *restrict sa, socklen_t salen,
		char *restrict host, socklen_t hostlen,
		char *restrict serv, socklen_t servlen, int flags)
{
	const void *addr;
	int port;

	(void)salen;
	if (sa->sa_family == AF_INET) {
		addr = &((const struct sockaddr_in *)sa)->sin_addr;
		port = ((const struct sockaddr_in *)sa)->sin_port;
	} else if (sa->sa_family == AF_INET6) {
		addr = &((const struct sockaddr_in6 *)sa)->sin6_addr;
		port = ((const struct sockaddr_in6 *)sa)->sin6_port;
	} else {
		return EAI_FAMILY;
	}
	if (host && hostlen) {
		if (flags & NI_NAMEREQD)
			return EAI_NONAME;
		if (!inet_ntop(sa->sa_family, addr, host, hostlen))
			return EAI_OVERFLOW;
	}
	if (serv && servlen) {
		struct servent *se = NULL;
		if (!(flags & NI_NUMERICSERV))
			se = getservbyport(port, (flags & NI_DGRAM) ? "udp" : "tcp");
		int n = se ? snprintf(serv, servlen, "%s", se->s_name)
			   : snprintf(serv, servlen, "%u", ntohs(port));
		if (n < 0 || (socklen_t)n >= servlen)
			return EAI_OVERFLOW;
	}
	return 0;
}

const char *gai_strerror(int err)
{
	switch (err) {
	case EAI_BADFLAGS: return "Invalid flags";
	case EAI_NONAME: return "Name does not resolve";
	case EAI_AGAIN: return "Try again";
	case EAI_FAIL: return "Non-recoverable error";
	case EAI_NODATA: return "No data";
	case EAI_FAMILY: return "Unrecognized address family or invalid length";
	case EAI_SOCKTYPE: return "Unrecognized socket type";
	case EAI_SERVICE: return "Unrecognized service";
	case EAI_MEMORY: return "Out of memory";
	case EAI_SYSTEM: return "System error";
	case EAI_OVERFLOW: return "Overflow";
	default: return "Unknown error";
	}
}

struct hostent *gethostbyname2(const char *name, int family)
{
	static struct hostent he;
	static char hname[256];
	static unsigned char addr[16];
	static char *addrs[2], *aliases[1];
	struct addrinfo hints, *ai;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_flags = AI_CANONNAME;
	if (getaddrinfo(name, NULL, &hints, &ai) != 0) {
		h_errno = HOST_NOT_FOUND;
		return NULL;
	}
	he.h_addrtype = ai->ai_family;
	if (ai->ai_family == AF_INET) {
		he.h_length = 4;
		memcpy(addr, &((struct sockaddr_in *)ai->ai_addr)->sin_addr, 4);
	} else {
		he.h_length = 16;
		memcpy(addr, &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr, 16);
	}
	snprintf(hname, sizeof(hname), "%s", ai->ai_canonname ? ai->ai_canonname : name);
	freeaddrinfo(ai);
	he.h_name = hname;
	addrs[0] = (char *)addr;
	addrs[1] = NULL;
	aliases[0] = NULL;
	he.h_addr_list = addrs;
	he.h_aliases = aliases;
	return &he;
}

struct hostent *gethostbyname(const char *name)
{
	return gethostbyname2(name, AF_INET);
}

struct hostent *gethostbyaddr(const void *addr, socklen_t len, int type)
{
	(void)addr; (void)len; (void)type;
	h_errno = HOST_NOT_FOUND;
	return NULL;
}

void sethostent(int stayopen) { (void)stayopen; }
void endhostent(void) { }

const char *hstrerror(int err)
{
	switch (err) {
	case HOST_NOT_FOUND: return "Unknown host";
	case TRY_AGAIN: return "Host name lookup failure";
	case NO_RECOVERY: return "Unknown server error";
	case NO_DATA: return "No address associated with name";
	default: return "Unknown error";
	}
}

void herror(const char *msg)
{
	fprintf(stderr, "%s%s%s\n", msg ? msg : "", msg && *msg ? ": " : "", hstrerror(h_errno));
}

/* ---- pure address conversions wasi-libc hides ---- */

in_addr_t inet_addr(const char *s)
{
	struct in_addr a;

	return inet_aton(s, &a) ? a.s_addr : (in_addr_t)-1;
}

char *inet_ntoa(struct in_addr in)
{
	static char buf[16];
	const unsigned char *a = (const unsigned char *)&in;

	snprintf(buf, sizeof(buf), "%d.%d.%d.%d", a[0], a[1], a[2], a[3]);
	return buf;
}

in_addr_t inet_network(const char *s)
{
	return ntohl(inet_addr(s));
}

struct in_addr inet_makeaddr(in_addr_t net, in_addr_t host)
{
	struct in_addr a;

	if (net < 256)
		host = (net << 24) | (host & 0xffffff);
	else if (net < 65536)
		host = (net << 16) | (host & 0xffff);
	else if (net < 16777216)
		host = (net << 8) | (host & 0xff);
	else
		host |= net;
	a.s_addr = htonl(host);
	return a;
}

in_addr_t inet_lnaof(struct in_addr in)
{
	uint32_t h = ntohl(in.s_addr);

	if (h >> 31 == 0)
		return h & 0xffffff;
	if (h >> 30 == 2)
		return h & 0xffff;
	return h & 0xff;
}

in_addr_t inet_netof(struct in_addr in)
{
	uint32_t h = ntohl(in.s_addr);

	if (h >> 31 == 0)
		return h >> 24;
	if (h >> 30 == 2)
		return h >> 16;
	return h >> 8;
}
