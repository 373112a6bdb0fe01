/* Why this file exists: filesystem calls that wasi-libc leaves out.
 *   - (Permission bits, owners, umask and stat live in compat/kernel.c, on
 *     the overbox kernel's import module.)
 *   - WASI cannot create special files: mkfifo, and mknod of anything but a
 *     regular file, fail with ENOSYS.
 *   - mkstemp/mkdtemp/mktemp/tmpfile/realpath are real implementations on
 *     top of the WASI filesystem calls (wasi-libc hides them because WASI
 *     programs historically had no "/tmp" or absolute paths; overbox has both).
 *   - statvfs/statfs: the kernel's (overbox.statfs) for the filesystem
 *     holding the file: what it holds, and the container's disk size.
 *   - fchdir: a descriptor cannot be turned back into a path: ENOSYS.
 *   - sync(): every write already went to the host; nothing to do.
 *   - futimes/lutimes map onto futimens/utimensat.
 *   - extended attributes: ENOTSUP, as Linux says for a filesystem without.
 *   - mount/umount: mounting needs a kernel: ENOSYS. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>
#include "overbox.h"

static int fail(int err)
{
	errno = err;
	return -1;
}

/* ---- special files ---- */

int mkfifo(const char *path, mode_t mode)
{
	(void)path; (void)mode;
	return fail(ENOSYS);
}

int mkfifoat(int dirfd, const char *path, mode_t mode)
{
	(void)dirfd; (void)path; (void)mode;
	return fail(ENOSYS);
}

int mknodat(int dirfd, const char *path, mode_t mode, dev_t dev)
{
	(void)dev;
	if ((mode & S_IFMT) == 0 || (mode & S_IFMT) == S_IFREG) {
		int fd = openat(dirfd, path, O_WRONLY | O_CREAT | O_EXCL, mode & 07777);
		if (fd < 0)
			return -1;
		close(fd);
		return 0;
	}
	return fail(ENOSYS);
}

int mknod(const char *path, mode_t mode, dev_t dev)
{
	return mknodat(AT_FDCWD, path, mode, dev);
}

/* ---- temporary files ---- */

static void fill_random(char *p, size_t n)
{
	static const char chars[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char rnd[64];

	if (n > sizeof(rnd))
		n = sizeof(rnd);
	arc4random_buf(rnd, n);
	for (size_t i = 0; i < n; i++)
		p[i] = chars[rnd[i] % (sizeof(chars) - 1)];
}

/* Finds the XXXXXX before `suffixlen` trailing bytes. */
static char *x_part(char *tmpl, int suffixlen)
{
	size_t len = strlen(tmpl);

	if (suffixlen < 0 || len < 6 + (size_t)suffixlen
	 || memcmp(tmpl + len - suffixlen - 6, "XXXXXX", 6) != 0) {
		errno = EINVAL;
		return NULL;
	}
	return tmpl + len - suffixlen - 6;
}

int mkostemps(char *tmpl, int suffixlen, int flags)
{
	char *x = x_part(tmpl, suffixlen);

	if (!x)
		return -1;
	for (int tries = 0; tries < 100; tries++) {
		fill_random(x, 6);
		int fd = open(tmpl, O_RDWR | O_CREAT | O_EXCL | (flags & ~O_ACCMODE), 0600);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	memcpy(x, "XXXXXX", 6);
	return fail(EEXIST);
}

int mkstemp(char *tmpl) { return mkostemps(tmpl, 0, 0); }
int mkostemp(char *tmpl, int flags) { return mkostemps(tmpl, 0, flags); }
int mkstemps(char *tmpl, int suffixlen) { return mkostemps(tmpl, suffixlen, 0); }

char *mkdtemp(char *tmpl)
{
	char *x = x_part(tmpl, 0);

	if (!x)
		return NULL;
	for (int tries = 0; tries < 100; tries++) {
		fill_random(x, 6);
		if (mkdir(tmpl, 0700) == 0)
			return tmpl;
		if (errno != EEXIST)
			break;
	}
	memcpy(x, "XXXXXX", 6);
	return NULL;
}

char *mktemp(char *tmpl)
{
	char *x = x_part(tmpl, 0);
	struct stat st;

	if (!x) {
		tmpl[0] = 0;
		return tmpl;
	}
	for (int tries = 0; tries < 100; tries++) {
		fill_random(x, 6);
		if (lstat(tmpl, &st) < 0) {
			if (errno == ENOENT)
				return tmpl;
			break;
		}
	}
	tmpl[0] = 0;
	return tmpl;
}

FILE *tmpfile(void)
{
	char name[] = "/tmp/tmpfile_XXXXXX";
	int fd = mkstemp(name);
	FILE *f;

	if (fd < 0)
		return NULL;
	unlink(name);
	f = fdopen(fd, "w+");
	if (!f)
		close(fd);
	return f;
}

char *tmpnam(char *buf)
{
	static char internal[L_tmpnam];
	char name[] = "/tmp/tmpnam_XXXXXX";

	mktemp(name);
	if (!name[0])
		return NULL;
	return strcpy(buf ? buf : internal, name);
}

char *tempnam(const char *dir, const char *pfx)
{
	char *name;

	if (!dir || !*dir)
		dir = P_tmpdir;
	if (!pfx)
		pfx = "temp_";
	if (asprintf(&name, "%s/%sXXXXXX", dir, pfx) < 0)
		return NULL;
	mktemp(name);
	if (!name[0]) {
		free(name);
		return NULL;
	}
	return name;
}

/* ---- realpath ---- */

char *realpath(const char *restrict path, char *restrict resolved)
{
	char out[PATH_MAX], rest[PATH_MAX], link[PATH_MAX];
	size_t outlen, restlen;
	int links = 0;

	if (!path) {
		errno = EINVAL;
		return NULL;
	}
	if (!*path) {
		errno = ENOENT;
		return NULL;
	}
	if (strlen(path) >= sizeof(rest)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	strcpy(rest, path);
	if (rest[0] == '/') {
		out[0] = 0;
		outlen = 0;
	} else {
		if (!getcwd(out, sizeof(out)))
			return NULL;
		outlen = strlen(out);
		if (outlen == 1)	/* "/" */
			outlen = 0;
	}
	/* `rest` holds what is left to walk; `out` the resolved prefix
	 * (without trailing slash, "" meaning "/"). */
	while (rest[0]) {
		char *p = rest, *comp;
		size_t clen;

		while (*p == '/')
			p++;
		comp = p;
		while (*p && *p != '/')
			p++;
		clen = p - comp;
		if (clen == 0) {
			rest[0] = 0;
			break;
		}
		if (clen == 1 && comp[0] == '.') {
			memmove(rest, p, strlen(p) + 1);
			continue;
		}
		if (clen == 2 && comp[0] == '.' && comp[1] == '.') {
			while (outlen > 0 && out[outlen - 1] != '/')
				outlen--;
			if (outlen > 0)
				outlen--;
			out[outlen] = 0;
			memmove(rest, p, strlen(p) + 1);
			continue;
		}
		if (outlen + 1 + clen >= sizeof(out)) {
			errno = ENAMETOOLONG;
			return NULL;
		}
		size_t prevlen = outlen;
		out[outlen++] = '/';
		memcpy(out + outlen, comp, clen);
		outlen += clen;
		out[outlen] = 0;
		memmove(rest, p, strlen(p) + 1);

		struct stat st;
		if (lstat(out, &st) < 0)
			return NULL;
		if (S_ISLNK(st.st_mode)) {
			ssize_t n;
			if (++links > 40) {
				errno = ELOOP;
				return NULL;
			}
			n = readlink(out, link, sizeof(link) - 1);
			if (n < 0)
				return NULL;
			link[n] = 0;
			restlen = strlen(rest);
			if ((size_t)n + restlen >= sizeof(rest)) {
				errno = ENAMETOOLONG;
				return NULL;
			}
			/* `rest` is empty or starts with '/': the target goes in
			 * front as it is, so no slash is added that the path did
			 * not have ("file/" must stay an error, "link" not). */
			memmove(rest + n, rest, restlen + 1);
			memcpy(rest, link, n);
			if (link[0] == '/')
				outlen = 0;
			else
				outlen = prevlen;
			out[outlen] = 0;
			continue;
		}
		/* "file/more" and "file/" name nothing */
		if (!S_ISDIR(st.st_mode) && rest[0]) {
			errno = ENOTDIR;
			return NULL;
		}
	}
	if (outlen == 0) {
		out[0] = '/';
		out[1] = 0;
	}
	if (resolved)
		return strcpy(resolved, out);
	return strdup(out);
}

/* ---- filesystem statistics ---- */

int fstatvfs(int fd, struct statvfs *buf)
{
	struct overbox_statfs k;
	int32_t err = overbox_statfs(fd, &k);

	if (err)
		return fail(err);
	memset(buf, 0, sizeof(*buf));
	buf->f_bsize = buf->f_frsize = (unsigned long)k.bsize;
	buf->f_blocks = k.blocks;
	buf->f_bfree = k.bfree;
	buf->f_bavail = k.bavail;
	buf->f_files = k.files;
	buf->f_ffree = buf->f_favail = k.ffree;
	buf->f_namemax = (unsigned long)k.namemax;
	buf->f_type = (unsigned int)k.type;
	return 0;
}

/* A path is opened to ask about its filesystem (any file can be opened for
 * reading by root, directories included). */
int statvfs(const char *restrict path, struct statvfs *restrict buf)
{
	int fd = open(path, O_RDONLY);
	int r;

	if (fd < 0)
		return -1;
	r = fstatvfs(fd, buf);
	close(fd);
	return r;
}

int fstatfs(int fd, struct statfs *buf)
{
	struct statvfs v;

	if (fstatvfs(fd, &v) < 0)
		return -1;
	memset(buf, 0, sizeof(*buf));
	buf->f_type = v.f_type;
	buf->f_bsize = buf->f_frsize = v.f_bsize;
	buf->f_blocks = v.f_blocks;
	buf->f_bfree = v.f_bfree;
	buf->f_bavail = v.f_bavail;
	buf->f_files = v.f_files;
	buf->f_ffree = v.f_ffree;
	buf->f_namelen = v.f_namemax;
	return 0;
}

int statfs(const char *path, struct statfs *buf)
{
	int fd = open(path, O_RDONLY);
	int r;

	if (fd < 0)
		return -1;
	r = fstatfs(fd, buf);
	close(fd);
	return r;
}

/* ---- the rest ---- */

int fchdir(int fd)
{
	struct stat st;
	return fstat(fd, &st) < 0 ? -1 : fail(ENOSYS);
}

/* sync and syncfs: an fsync of the root (or of fd) makes the kernel commit
 * every change of the container's layer, and waits for it (the program is
 * paused meanwhile): when they return, the changes survive a closed tab. */
void sync(void)
{
	int fd = open("/", O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return;
	fsync(fd);
	close(fd);
}

int syncfs(int fd)
{
	return fsync(fd);
}

/* Debian's wasi-libc snapshot was compiled with musl's UTIME_NOW/UTIME_OMIT
 * (0x3fffffff/0x3ffffffe) while its headers give programs -1/-2, so its
 * utimensat() and futimens() answer EINVAL to `touch FILE`. These two take
 * both spellings and make the WASI calls themselves. */
static int wasi_times(const struct timespec *ts, __wasi_timestamp_t t[2], __wasi_fstflags_t *flags)
{
	*flags = 0;
	for (int i = 0; i < 2; i++) {
		long ns = ts ? ts[i].tv_nsec : UTIME_NOW;
		__wasi_fstflags_t now = i ? __WASI_FSTFLAGS_MTIM_NOW : __WASI_FSTFLAGS_ATIM_NOW;
		__wasi_fstflags_t set = i ? __WASI_FSTFLAGS_MTIM : __WASI_FSTFLAGS_ATIM;
		t[i] = 0;
		if (ns == UTIME_NOW || ns == 0x3fffffff)
			*flags |= now;
		else if (ns == UTIME_OMIT || ns == 0x3ffffffe)
			continue;
		else if (ns < 0 || ns >= 1000000000 || ts[i].tv_sec < 0)
			return fail(EINVAL);
		else {
			*flags |= set;
			t[i] = (__wasi_timestamp_t)ts[i].tv_sec * 1000000000u + (__wasi_timestamp_t)ns;
		}
	}
	return 0;
}

int __wasilibc_nocwd_utimensat(int fd, const char *path, const struct timespec times[2], int flag)
{
	__wasi_timestamp_t t[2];
	__wasi_fstflags_t flags;
	__wasi_errno_t err;
	if (wasi_times(times, t, &flags) < 0)
		return -1;
	err = __wasi_path_filestat_set_times(fd, (flag & AT_SYMLINK_NOFOLLOW) ? 0 : __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW,
			path, t[0], t[1], flags);
	return err ? fail(err) : 0;
}

int futimens(int fd, const struct timespec times[2])
{
	__wasi_timestamp_t t[2];
	__wasi_fstflags_t flags;
	__wasi_errno_t err;
	if (wasi_times(times, t, &flags) < 0)
		return -1;
	err = __wasi_fd_filestat_set_times(fd, t[0], t[1], flags);
	return err ? fail(err) : 0;
}

int futimes(int fd, const struct timeval tv[2])
{
	struct timespec ts[2];

	if (!tv)
		return futimens(fd, NULL);
	for (int i = 0; i < 2; i++) {
		ts[i].tv_sec = tv[i].tv_sec;
		ts[i].tv_nsec = tv[i].tv_usec * 1000;
	}
	return futimens(fd, ts);
}

int lutimes(const char *path, const struct timeval tv[2])
{
	struct timespec ts[2];

	if (!tv)
		return utimensat(AT_FDCWD, path, NULL, AT_SYMLINK_NOFOLLOW);
	for (int i = 0; i < 2; i++) {
		ts[i].tv_sec = tv[i].tv_sec;
		ts[i].tv_nsec = tv[i].tv_usec * 1000;
	}
	return utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW);
}

char *get_current_dir_name(void)
{
	return getcwd(NULL, 0);
}

int getdtablesize(void)
{
	return 1024;
}

int getpagesize(void)
{
	return PAGESIZE;
}

/* We are root and WASI has no permission bits, so the effective-id check
 * is the plain existence/rights check access() already does. */
int euidaccess(const char *path, int mode)
{
	return access(path, mode);
}

int eaccess(const char *path, int mode)
{
	return access(path, mode);
}

/* ---- extended attributes: none on any WASI filesystem ---- */

ssize_t getxattr(const char *p, const char *n, void *v, size_t s)
{ (void)p; (void)n; (void)v; (void)s; return fail(ENOTSUP); }
ssize_t lgetxattr(const char *p, const char *n, void *v, size_t s)
{ (void)p; (void)n; (void)v; (void)s; return fail(ENOTSUP); }
ssize_t fgetxattr(int fd, const char *n, void *v, size_t s)
{ (void)fd; (void)n; (void)v; (void)s; return fail(ENOTSUP); }
ssize_t listxattr(const char *p, char *l, size_t s)
{ (void)p; (void)l; (void)s; return fail(ENOTSUP); }
ssize_t llistxattr(const char *p, char *l, size_t s)
{ (void)p; (void)l; (void)s; return fail(ENOTSUP); }
ssize_t flistxattr(int fd, char *l, size_t s)
{ (void)fd; (void)l; (void)s; return fail(ENOTSUP); }
int setxattr(const char *p, const char *n, const void *v, size_t s, int f)
{ (void)p; (void)n; (void)v; (void)s; (void)f; return fail(ENOTSUP); }
int lsetxattr(const char *p, const char *n, const void *v, size_t s, int f)
{ (void)p; (void)n; (void)v; (void)s; (void)f; return fail(ENOTSUP); }
int fsetxattr(int fd, const char *n, const void *v, size_t s, int f)
{ (void)fd; (void)n; (void)v; (void)s; (void)f; return fail(ENOTSUP); }
int removexattr(const char *p, const char *n)
{ (void)p; (void)n; return fail(ENOTSUP); }
int lremovexattr(const char *p, const char *n)
{ (void)p; (void)n; return fail(ENOTSUP); }
int fremovexattr(int fd, const char *n)
{ (void)fd; (void)n; return fail(ENOTSUP); }

/* ---- mounting: needs a kernel ---- */

int mount(const char *src, const char *dir, const char *type, unsigned long flags, const void *data)
{
	(void)src; (void)dir; (void)type; (void)flags; (void)data;
	return fail(ENOSYS);
}

int umount(const char *dir) { (void)dir; return fail(ENOSYS); }
int umount2(const char *dir, int flags) { (void)dir; (void)flags; return fail(ENOSYS); }
