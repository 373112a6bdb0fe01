/* Unix stream sockets named by a file: the socket file, a connection
 * both ways, ECONNREFUSED once the server is gone, ENOENT for no file,
 * and EADDRINUSE for a name that is taken. */
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include "report.h"

int main(void)
{
	struct sockaddr_un a;
	struct stat st;
	char buf[64];
	const char *path = "overbox-unix-test.sock";

	unlink(path);
	memset(&a, 0, sizeof(a));
	a.sun_family = AF_UNIX;
	strcpy(a.sun_path, path);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK("bind", bind(s, (struct sockaddr *)&a, sizeof(a)));
	printf("the name is a socket file: %s\n", stat(path, &st) == 0 && S_ISSOCK(st.st_mode) ? "yes" : "no");
	int again = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK("bind the same name again", bind(again, (struct sockaddr *)&a, sizeof(a)));
	close(again);
	CHECK("listen", listen(s, 1));
	pid_t child = fork();
	if (child == 0) {
		int c = socket(AF_UNIX, SOCK_STREAM, 0);
		if (connect(c, (struct sockaddr *)&a, sizeof(a)) < 0)
			_exit(1);
		write(c, "over a unix socket", 18);
		int n = read(c, buf, sizeof(buf));
		printf("client got \"%.*s\"\n", n, buf);
		fflush(stdout);
		_exit(0);
	}
	int c = accept(s, NULL, NULL);
	int n = read(c, buf, sizeof(buf));
	printf("server got \"%.*s\"\n", n, buf);
	fflush(stdout);
	write(c, "answer", 6);
	int status;
	waitpid(child, &status, 0);
	close(c);
	close(s);
	int late = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK("connect once the server closed", connect(late, (struct sockaddr *)&a, sizeof(a)));
	close(late);
	unlink(path);
	int none = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK("connect to a name with no file", connect(none, (struct sockaddr *)&a, sizeof(a)));
	return 0;
}
