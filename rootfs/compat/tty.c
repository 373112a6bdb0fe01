/* Why this file exists: WASI preview 1 has no terminal control at all, and
 * wasi-libc has no termios.  The overbox kernel has terminals with a line
 * discipline (core/kernel/tty.ts) and answers termios and the tty ioctls
 * through its `overbox` import module:
 *   - tcgetattr/tcsetattr, tcgetpgrp/tcsetpgrp, tcgetsid, tcflush are the
 *     kernel's; ENOTTY for a descriptor that is no terminal, as on Linux;
 *   - ioctl() does FIONREAD/FIONBIO as wasi-libc does and passes every
 *     other request to the kernel: the terminal's (window size, foreground
 *     group, controlling terminal), a socket's network interface requests
 *     (SIOCGIF*), and ENOTTY for the rest;
 *   - isatty() is "tcgetattr works", as in musl;
 *   - ttyname() finds the terminal's name by matching the descriptor's
 *     device and inode against /dev entries;
 *   - pseudo-terminals cannot be created: ENOSYS.
 * The cf*speed helpers work on the structure as on Linux. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>
#include <wasi/api.h>
#include "overbox.h"

static int result(int32_t err)
{
	if (err == 0)
		return 0;
	errno = err;
	return -1;
}

int tcgetattr(int fd, struct termios *t) { return result(overbox_tcgetattr(fd, t)); }

int tcsetattr(int fd, int act, const struct termios *t)
{
	if (act != TCSANOW && act != TCSADRAIN && act != TCSAFLUSH)
		return result(EINVAL);
	return result(overbox_tcsetattr(fd, act, t));
}

int isatty(int fd)
{
	struct termios t;
	return tcgetattr(fd, &t) == 0;
}

/* Output is written through at once: there is nothing to drain or break. */
int tcsendbreak(int fd, int dur) { (void)dur; return isatty(fd) ? 0 : -1; }
int tcdrain(int fd) { return isatty(fd) ? 0 : -1; }
int tcflush(int fd, int q) { return result(overbox_ioctl(fd, TCFLSH, &q)); }
int tcflow(int fd, int a) { (void)a; return isatty(fd) ? 0 : -1; }

pid_t tcgetsid(int fd)
{
	int32_t sid;
	return result(overbox_ioctl(fd, TIOCGSID, &sid)) < 0 ? -1 : sid;
}

pid_t tcgetpgrp(int fd)
{
	int32_t pgrp;
	return result(overbox_ioctl(fd, TIOCGPGRP, &pgrp)) < 0 ? -1 : pgrp;
}

int tcsetpgrp(int fd, pid_t pgrp)
{
	int32_t p = pgrp;
	return result(overbox_ioctl(fd, TIOCSPGRP, &p));
}

speed_t cfgetospeed(const struct termios *t) { return t->c_cflag & CBAUD; }
speed_t cfgetispeed(const struct termios *t) { return cfgetospeed(t); }

int cfsetospeed(struct termios *t, speed_t speed)
{
	if (speed & ~CBAUD) {
		errno = EINVAL;
		return -1;
	}
	t->c_cflag = (t->c_cflag & ~CBAUD) | speed;
	return 0;
}

int cfsetispeed(struct termios *t, speed_t speed)
{
	return speed ? cfsetospeed(t, speed) : 0;
}

int cfsetspeed(struct termios *t, speed_t speed)
{
	return cfsetospeed(t, speed);
}

void cfmakeraw(struct termios *t)
{
	t->c_iflag &= ~(IGNBRK|BRKINT|PARMRK|ISTRIP|INLCR|IGNCR|ICRNL|IXON);
	t->c_oflag &= ~OPOST;
	t->c_lflag &= ~(ECHO|ECHONL|ICANON|ISIG|IEXTEN);
	t->c_cflag &= ~(CSIZE|PARENB);
	t->c_cflag |= CS8;
	t->c_cc[VMIN] = 1;
	t->c_cc[VTIME] = 0;
}

/* FIONREAD: how many bytes a read would return now.  Like wasi-libc, ask
 * poll_oneoff with a zero timeout. */
static int bytes_readable(int fd, int *result)
{
	__wasi_subscription_t subs[2];
	__wasi_event_t events[2];
	__wasi_size_t n;

	memset(subs, 0, sizeof(subs));
	subs[0].userdata = 1;
	subs[0].u.tag = __WASI_EVENTTYPE_FD_READ;
	subs[0].u.u.fd_read.file_descriptor = fd;
	subs[1].userdata = 2;
	subs[1].u.tag = __WASI_EVENTTYPE_CLOCK;
	subs[1].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
	subs[1].u.u.clock.timeout = 0;
	__wasi_errno_t err = __wasi_poll_oneoff(subs, events, 2, &n);
	if (err != 0) {
		errno = err;
		return -1;
	}
	*result = 0;
	for (__wasi_size_t i = 0; i < n; i++) {
		if (events[i].userdata == 1) {
			if (events[i].error != 0) {
				errno = events[i].error;
				return -1;
			}
			*result = events[i].fd_readwrite.nbytes > 0x7fffffff
				? 0x7fffffff : (int)events[i].fd_readwrite.nbytes;
		}
	}
	return 0;
}

int ioctl(int fd, int request, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);

	switch (request) {
	case FIONREAD:
		return bytes_readable(fd, arg);
	case FIONBIO: {
		int flags = fcntl(fd, F_GETFL);
		if (flags < 0)
			return -1;
		flags = *(int *)arg ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
		return fcntl(fd, F_SETFL, flags);
	}
	case TIOCGWINSZ: case TIOCSWINSZ: case TIOCGPGRP: case TIOCSPGRP:
	case TIOCSCTTY: case TIOCNOTTY: case TIOCGSID: case TCFLSH:
		return result(overbox_ioctl(fd, request, arg));
	case TCGETS:
		return tcgetattr(fd, arg);
	case TCSETS: case TCSETSW: case TCSETSF:
		return tcsetattr(fd, request - TCSETS, arg);
	default:
		if ((request & 0xff00) == 0x8900)
			return __overbox_interface_ioctl(fd, request, arg);
		/* The kernel answers the rest: a socket's interface requests
		 * (SIOCGIF*), ENOTTY for what it does not know, EBADF. */
		return result(overbox_ioctl(fd, request, arg));
	}
}

static int same_file(const struct stat *a, const char *path)
{
	struct stat b;

	return stat(path, &b) == 0 && S_ISCHR(b.st_mode)
		&& a->st_dev == b.st_dev && a->st_ino == b.st_ino;
}

int ttyname_r(int fd, char *buf, size_t len)
{
	static const char *const dirs[] = { "/dev/pts/", "/dev/" };
	struct stat st;
	char path[64];

	if (fstat(fd, &st) < 0)
		return errno;
	if (!isatty(fd))
		return ENOTTY;
	/* Without a real inode number nothing can be matched reliably. */
	if (st.st_ino == 0)
		return ENOSYS;
	if (same_file(&st, "/dev/console")) {
		snprintf(path, sizeof(path), "/dev/console");
		goto found;
	}
	for (unsigned d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
		DIR *dir = opendir(dirs[d]);
		struct dirent *de;
		if (!dir)
			continue;
		while ((de = readdir(dir)) != NULL) {
			if (de->d_name[0] == '.' || strcmp(de->d_name, "tty") == 0)
				continue;
			snprintf(path, sizeof(path), "%s%s", dirs[d], de->d_name);
			if (same_file(&st, path)) {
				closedir(dir);
				goto found;
			}
		}
		closedir(dir);
	}
	return ENOSYS;
 found:
	if (strlen(path) >= len)
		return ERANGE;
	strcpy(buf, path);
	return 0;
}

char *ttyname(int fd)
{
	static char buf[64];
	int err = ttyname_r(fd, buf, sizeof(buf));

	if (err) {
		errno = err;
		return NULL;
	}
	return buf;
}

int posix_openpt(int flags) { (void)flags; errno = ENOSYS; return -1; }
int grantpt(int fd) { (void)fd; errno = ENOSYS; return -1; }
int unlockpt(int fd) { (void)fd; errno = ENOSYS; return -1; }
int ptsname_r(int fd, char *buf, size_t len) { (void)fd; (void)buf; (void)len; return ENOTTY; }
char *ptsname(int fd) { (void)fd; errno = ENOTTY; return NULL; }

/* getpass reads a line from the terminal with echo off. */
char *getpass(const char *prompt)
{
	static char buf[128];
	struct termios saved, quiet;
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC), n = 0;
	char c;

	if (fd < 0)
		return NULL;
	if (tcgetattr(fd, &saved) == 0) {
		quiet = saved;
		quiet.c_lflag &= ~(ECHO | ISIG);
		quiet.c_lflag |= ICANON;
		tcsetattr(fd, TCSAFLUSH, &quiet);
	}
	if (prompt)
		write(fd, prompt, strlen(prompt));
	while (read(fd, &c, 1) == 1 && c != '\n')
		if (n < (int)sizeof(buf) - 1)
			buf[n++] = c;
	buf[n] = 0;
	write(fd, "\n", 1);
	tcsetattr(fd, TCSAFLUSH, &saved);
	close(fd);
	return buf;
}
