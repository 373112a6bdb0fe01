/* TCP over the loopback: a server and a client (a child), the bytes both
 * ways, end-of-file after shutdown, the addresses each side sees, and
 * Linux's errors: EADDRINUSE, ECONNREFUSED, ENOTCONN, EISCONN, EPIPE
 * (with and without SIGPIPE), EAGAIN on a non-blocking accept, and poll's
 * readiness of a listener. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "report.h"

#define PORT 47211

static struct sockaddr_in loopback(int port)
{
	struct sockaddr_in a;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static void caught(int sig) { printf("caught signal %s\n", sig == SIGPIPE ? "SIGPIPE" : "?"); }

int main(void)
{
	struct sockaddr_in a = loopback(PORT), got;
	socklen_t len = sizeof(got);
	int one = 1;
	char buf[64];

	int s = socket(AF_INET, SOCK_STREAM, 0);
	CHECK("setsockopt SO_REUSEADDR", setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)));
	CHECK("bind", bind(s, (struct sockaddr *)&a, sizeof(a)));
	int taken = socket(AF_INET, SOCK_STREAM, 0);
	CHECK("bind the same port again", bind(taken, (struct sockaddr *)&a, sizeof(a)));
	close(taken);
	CHECK("listen", listen(s, 4));
	CHECK("getsockname", getsockname(s, (struct sockaddr *)&got, &len));
	printf("listening on %s:%d\n", inet_ntoa(got.sin_addr), ntohs(got.sin_port));

	struct pollfd p = { .fd = s, .events = POLLIN };
	printf("listener readable before a connection: %d\n", poll(&p, 1, 0));
	fcntl(s, F_SETFL, fcntl(s, F_GETFL) | O_NONBLOCK);
	CHECK("non-blocking accept with none waiting", accept(s, NULL, NULL));
	fcntl(s, F_SETFL, fcntl(s, F_GETFL) & ~O_NONBLOCK);

	int idle = socket(AF_INET, SOCK_STREAM, 0);
	CHECK("recv on a socket never connected", recv(idle, buf, sizeof(buf), 0));
	CHECK("getpeername on it", getpeername(idle, (struct sockaddr *)&got, &len));
	struct sockaddr_in closed = loopback(PORT + 1);
	CHECK("connect to a port nobody listens on", connect(idle, (struct sockaddr *)&closed, sizeof(closed)));
	close(idle);

	pid_t child = fork();
	if (child == 0) {
		int c = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in mine, peer;
		socklen_t ml = sizeof(mine), pl = sizeof(peer);
		if (connect(c, (struct sockaddr *)&a, sizeof(a)) < 0)
			_exit(1);
		getsockname(c, (struct sockaddr *)&mine, &ml);
		getpeername(c, (struct sockaddr *)&peer, &pl);
		/* The server prints the client's port: the two must agree. */
		if (write(c, &mine.sin_port, 2) != 2)
			_exit(2);
		if (send(c, "hello from the client", 21, 0) != 21)
			_exit(3);
		shutdown(c, SHUT_WR);
		int n, total = 0;
		while ((n = read(c, buf + total, sizeof(buf) - 1 - total)) > 0)
			total += n;
		buf[total] = 0;
		printf("client got \"%s\", then end-of-file; its peer %s:%d\n", buf, inet_ntoa(peer.sin_addr),
		       ntohs(peer.sin_port));
		fflush(stdout);
		_exit(0);
	}
	printf("listener readable with a connection waiting: %d\n", poll(&p, 1, 5000));
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	int c = accept(s, (struct sockaddr *)&from, &fl);
	printf("accepted: %s\n", c < 0 ? ename(errno) : "ok");
	unsigned short port;
	if (read(c, &port, 2) == 2)
		printf("accept's address is the client's own: %s\n",
		       port == from.sin_port && from.sin_addr.s_addr == htonl(INADDR_LOOPBACK) ? "yes" : "no");
	CHECK("connect on the accepted socket", connect(c, (struct sockaddr *)&a, sizeof(a)));
	int n, total = 0;
	while ((n = recv(c, buf + total, sizeof(buf) - 1 - total, 0)) > 0)
		total += n;
	buf[total] = 0;
	printf("server got \"%s\", then end-of-file\n", buf);
	fflush(stdout);
	send(c, "and back", 8, 0);
	close(c);
	int status;
	waitpid(child, &status, 0);
	printf("client exited %d\n", WEXITSTATUS(status));

	/* Writing to a connection whose peer is gone: EPIPE, and SIGPIPE unless MSG_NOSIGNAL. */
	child = fork();
	if (child == 0) {
		int d = socket(AF_INET, SOCK_STREAM, 0);
		connect(d, (struct sockaddr *)&a, sizeof(a));
		_exit(0);
	}
	c = accept(s, NULL, NULL);
	waitpid(child, &status, 0);
	while (recv(c, buf, sizeof(buf), 0) > 0) {
	}
	signal(SIGPIPE, caught);
	/* Linux takes the first bytes after the peer's close (its reset comes
	 * back as they arrive), overbox refuses them at once: not printed. */
	send(c, "x", 1, MSG_NOSIGNAL);
	CHECK("send with MSG_NOSIGNAL to a peer that closed", send(c, "x", 1, MSG_NOSIGNAL));
	CHECK("write to a peer that closed", write(c, "x", 1));
	close(c);
	close(s);
	return 0;
}
