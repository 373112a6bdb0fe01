/* Why this file exists: WASI preview 1 has no permission bits, owners, umask,
 * creation modes or a working directory to start in, and wasi-libc's stat()
 * reports only a file's type. The overbox kernel provides all of these
 * through its `overbox` import module (include/overbox.h); these are the
 * libc functions on top of it.
 *
 * Paths relative to the working directory go through wasi-libc's own
 * emulation of it (__wasilibc_find_relpath_alloc), as its *at() functions
 * do. open/openat/mkdir/mkdirat reach here through the linker's --wrap
 * (build.sh), because wasi-libc's versions drop the mode argument. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/libc-find-relpath.h>
#include "overbox.h"

static int result(int32_t err)
{
	if (err == 0)
		return 0;
	errno = err;
	return -1;
}

/* The directory fd and the path relative to it that `path` names from
 * `dirfd` (AT_FDCWD: the working directory). Returns -1 with errno set. */
static int at(int dirfd, const char *path, const char **rel)
{
	static char *buf;
	static size_t buf_len;
	const char *abs;
	int fd;

	if (dirfd != AT_FDCWD && path[0] != '/') {
		*rel = path;
		return dirfd;
	}
	fd = __wasilibc_find_relpath_alloc(path, &abs, &buf, &buf_len, 1);
	if (fd < 0) {
		errno = ENOENT;
		return -1;
	}
	*rel = buf;
	return fd;
}

static struct timespec timespec_of(uint64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000u), (long)(ns % 1000000000u) };
	return ts;
}

/* The kernel's mode bits are Linux's, which compat/include/__mode_t.h gives
 * this libc too, so they pass through unchanged. */
static void fill_stat(const struct overbox_stat *k, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = k->dev;
	st->st_ino = k->ino;
	st->st_mode = k->mode;
	st->st_nlink = k->nlink;
	st->st_uid = k->uid;
	st->st_gid = k->gid;
	st->st_rdev = k->rdev;
	st->st_size = (off_t)k->size;
	st->st_blksize = 4096;
	st->st_blocks = (blkcnt_t)k->blocks;
	st->st_atim = timespec_of(k->atim);
	st->st_mtim = timespec_of(k->mtim);
	st->st_ctim = timespec_of(k->ctim);
}

/* wasi-libc's stat, lstat and fstatat end here, with the path already
 * made relative to a directory fd. */
int __wasilibc_nocwd_fstatat(int fd, const char *path, struct stat *st, int flags)
{
	struct overbox_stat k;
	uint32_t lookup = (flags & AT_SYMLINK_NOFOLLOW) ? 0 : OVERBOX_LOOKUP_FOLLOW;
	if (result(overbox_stat(fd, lookup, path, strlen(path), &k)) < 0)
		return -1;
	fill_stat(&k, st);
	return 0;
}

int fstat(int fd, struct stat *st)
{
	struct overbox_stat k;
	if (result(overbox_fstat(fd, &k)) < 0)
		return -1;
	fill_stat(&k, st);
	return 0;
}

int fchmodat(int dirfd, const char *path, mode_t mode, int flags)
{
	const char *rel;
	int fd = at(dirfd, path, &rel);
	uint32_t lookup = (flags & AT_SYMLINK_NOFOLLOW) ? 0 : OVERBOX_LOOKUP_FOLLOW;
	return fd < 0 ? -1 : result(overbox_chmod(fd, lookup, rel, strlen(rel), mode));
}

int chmod(const char *path, mode_t mode) { return fchmodat(AT_FDCWD, path, mode, 0); }
int lchmod(const char *path, mode_t mode) { return fchmodat(AT_FDCWD, path, mode, AT_SYMLINK_NOFOLLOW); }
int fchmod(int fd, mode_t mode) { return result(overbox_fchmod(fd, mode)); }

int fchownat(int dirfd, const char *path, uid_t uid, gid_t gid, int flags)
{
	const char *rel;
	int fd = at(dirfd, path, &rel);
	uint32_t lookup = (flags & AT_SYMLINK_NOFOLLOW) ? 0 : OVERBOX_LOOKUP_FOLLOW;
	return fd < 0 ? -1 : result(overbox_chown(fd, lookup, rel, strlen(rel), (int32_t)uid, (int32_t)gid));
}

int chown(const char *path, uid_t uid, gid_t gid) { return fchownat(AT_FDCWD, path, uid, gid, 0); }
int lchown(const char *path, uid_t uid, gid_t gid) { return fchownat(AT_FDCWD, path, uid, gid, AT_SYMLINK_NOFOLLOW); }
int fchown(int fd, uid_t uid, gid_t gid) { return result(overbox_fchown(fd, (int32_t)uid, (int32_t)gid)); }

mode_t umask(mode_t mask)
{
	uint32_t old = 022;
	overbox_umask(mask & 0777, &old);
	return old;
}

int __wrap_openat(int dirfd, const char *path, int flags, ...)
{
	const char *rel;
	mode_t mode = 0;
	int32_t opened;
	int fd;
	if (flags & O_CREAT) {
		va_list ap;
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	fd = at(dirfd, path, &rel);
	if (fd < 0 || result(overbox_open(fd, rel, strlen(rel), flags, mode, &opened)) < 0)
		return -1;
	return opened;
}

int __wrap_open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	if (flags & O_CREAT) {
		va_list ap;
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	return __wrap_openat(AT_FDCWD, path, flags, mode);
}

int __wrap_mkdirat(int dirfd, const char *path, mode_t mode)
{
	const char *rel;
	int fd = at(dirfd, path, &rel);
	return fd < 0 ? -1 : result(overbox_mkdir(fd, rel, strlen(rel), mode));
}

int __wrap_mkdir(const char *path, mode_t mode) { return __wrap_mkdirat(AT_FDCWD, path, mode); }

/* A program starts in the working directory the kernel gives it. */
__attribute__((constructor)) static void start_in_kernel_cwd(void)
{
	char cwd[PATH_MAX];
	size_t len;
	if (overbox_getcwd(cwd, sizeof(cwd), &len) == 0 && chdir(cwd) == 0)
		return;
	chdir("/");
}
