/* UDP over the loopback: datagrams both ways with their senders'
 * addresses, a connected datagram socket, and a datagram cut to the
 * reader's buffer. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include "report.h"

#define PORT 47221

int main(void)
{
	struct sockaddr_in a, from;
	socklen_t fl = sizeof(from);
	char buf[64];

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(PORT);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int server = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK("bind", bind(server, (struct sockaddr *)&a, sizeof(a)));
	int client = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK("send without an address", send(client, "x", 1, 0));
	CHECK("sendto", sendto(client, "ping", 4, 0, (struct sockaddr *)&a, sizeof(a)));
	int n = recvfrom(server, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
	printf("server got %d bytes \"%.*s\" from %s\n", n, n, buf, inet_ntoa(from.sin_addr));
	CHECK("sendto back", sendto(server, "pong", 4, 0, (struct sockaddr *)&from, fl));
	n = recv(client, buf, sizeof(buf), 0);
	printf("client got \"%.*s\"\n", n, buf);
	CHECK("connect", connect(client, (struct sockaddr *)&a, sizeof(a)));
	CHECK("send on a connected datagram socket", send(client, "0123456789", 10, 0));
	n = recv(server, buf, 4, 0);
	printf("a 10-byte datagram read into 4 bytes: \"%.*s\"\n", n, buf);
	CHECK("another", send(client, "next", 4, 0));
	n = recv(server, buf, sizeof(buf), 0);
	printf("the rest of the first is gone: \"%.*s\"\n", n, buf);
	close(client);
	close(server);
	return 0;
}
