/* Why this file exists: wasi-libc's uname() says sysname "wasi", and there is
 * no gethostname() at all.  BusyBox applets expect Linux (some parse the
 * release, `uname` prints it), so:
 *   sysname "Linux", nodename = first line of /etc/hostname if readable, else
 *   "overbox", release "0.0.0-overbox" (there is no Linux kernel; a zero
 *   version keeps version checks from assuming kernel features), version
 *   "overbox", machine "wasm32", domainname "(none)" (Linux's default).
 * This uname() replaces wasi-libc's at link time.  Setting the host or domain
 * name is refused with EPERM: the name lives in /etc/hostname. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

static void read_hostname(char *buf, size_t size)
{
	int fd = open("/etc/hostname", O_RDONLY);
	ssize_t n = -1;

	if (fd >= 0) {
		n = read(fd, buf, size - 1);
		close(fd);
	}
	if (n > 0) {
		buf[n] = 0;
		buf[strcspn(buf, "\r\n \t")] = 0;
	}
	if (n <= 0 || buf[0] == 0) {
		strncpy(buf, "overbox", size - 1);
		buf[size - 1] = 0;
	}
}

int uname(struct utsname *u)
{
	memset(u, 0, sizeof(*u));
	strcpy(u->sysname, "Linux");
	read_hostname(u->nodename, sizeof(u->nodename));
	strcpy(u->release, "0.0.0-overbox");
	strcpy(u->version, "overbox");
	strcpy(u->machine, "wasm32");
	strcpy(u->domainname, "(none)");
	return 0;
}

int gethostname(char *name, size_t len)
{
	char buf[sizeof(((struct utsname *)0)->nodename)];

	read_hostname(buf, sizeof(buf));
	if (strlen(buf) >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(name, buf);
	return 0;
}

int getdomainname(char *name, size_t len)
{
	if (len < sizeof("(none)")) {
		errno = EINVAL;
		return -1;
	}
	strcpy(name, "(none)");
	return 0;
}

int sethostname(const char *name, size_t len)
{
	(void)name; (void)len;
	errno = EPERM;
	return -1;
}

int setdomainname(const char *name, size_t len)
{
	(void)name; (void)len;
	errno = EPERM;
	return -1;
}
