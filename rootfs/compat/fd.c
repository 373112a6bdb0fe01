/* Why this file exists: wasi-libc's fcntl() answers EINVAL to F_DUPFD and to
 * the record-lock commands, and claims FD_CLOEXEC even for descriptors that
 * are not open.  This fcntl() replaces it (same link-time override as ioctl):
 *   - F_GETFD/F_SETFD/F_GETFL/F_SETFL behave as in wasi-libc but report
 *     EBADF for a closed descriptor (ash probes descriptors this way);
 *   - F_DUPFD/F_DUPFD_CLOEXEC: the overbox kernel's dup (include/overbox.h);
 *   - locks (F_GETLK/F_SETLK/F_SETLKW, flock(), lockf()) are granted: POSIX
 *     advisory locks only exclude OTHER processes, and this module is the only
 *     process, so every lock request is truly uncontended (F_GETLK reports
 *     F_UNLCK).  The arguments are still checked (EBADF, EINVAL).  The process
 *     stage must replace this with locks shared between its processes.
 *   - F_SETOWN/F_GETOWN and the other asynchronous-I/O commands: EINVAL.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/file.h>
#include <unistd.h>
#include <wasi/api.h>
#include "overbox.h"

int fcntl(int fd, int cmd, ...)
{
	__wasi_fdstat_t st;
	__wasi_errno_t err;
	va_list ap;
	int arg;

	va_start(ap, cmd);
	arg = va_arg(ap, int);
	va_end(ap);

	err = __wasi_fd_fdstat_get(fd, &st);
	if (err != 0) {
		errno = err;
		return -1;
	}
	switch (cmd) {
	case F_GETFD: {
		int32_t on = 0;
		err = overbox_cloexec(fd, -1, &on);
		if (err) { errno = err; return -1; }
		return on ? FD_CLOEXEC : 0;
	}
	case F_SETFD:
		err = overbox_cloexec(fd, (arg & FD_CLOEXEC) ? 1 : 0, NULL);
		if (err) { errno = err; return -1; }
		return 0;
	case F_GETFL: {
		int flags = st.fs_flags;
		int can_read = (st.fs_rights_base
			& (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_READDIR)) != 0;
		int can_write = (st.fs_rights_base & __WASI_RIGHTS_FD_WRITE) != 0;
		if (can_read && can_write)
			flags |= O_RDWR;
		else if (can_read)
			flags |= O_RDONLY;
		else if (can_write)
			flags |= O_WRONLY;
		else
			flags |= O_SEARCH;
		return flags;
	}
	case F_SETFL:
		err = __wasi_fd_fdstat_set_flags(fd, arg & 0xfff);
		if (err != 0) {
			errno = err;
			return -1;
		}
		return 0;
	case F_DUPFD:
	case F_DUPFD_CLOEXEC: {
		int32_t out;
		err = overbox_dup(fd, arg, &out);
		if (err != 0) {
			errno = err;
			return -1;
		}
		if (cmd == F_DUPFD_CLOEXEC)
			overbox_cloexec(out, 1, NULL);
		return out;
	}
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW: {
		struct flock *lk = (struct flock *)(intptr_t)arg;
		if (!lk || (lk->l_type != F_RDLCK && lk->l_type != F_WRLCK
		         && lk->l_type != F_UNLCK)) {
			errno = EINVAL;
			return -1;
		}
		if (cmd == F_GETLK)
			lk->l_type = F_UNLCK;	/* nobody else holds anything */
		return 0;
	}
	default:
		errno = EINVAL;
		return -1;
	}
}

int flock(int fd, int op)
{
	if (fcntl(fd, F_GETFD) < 0)
		return -1;
	switch (op & ~LOCK_NB) {
	case LOCK_SH: case LOCK_EX: case LOCK_UN:
		return 0;
	default:
		errno = EINVAL;
		return -1;
	}
}

int lockf(int fd, int cmd, off_t len)
{
	(void)len;
	if (fcntl(fd, F_GETFD) < 0)
		return -1;
	switch (cmd) {
	case F_ULOCK: case F_LOCK: case F_TLOCK: case F_TEST:
		return 0;
	default:
		errno = EINVAL;
		return -1;
	}
}
