/* Why this file exists: it declares the `overbox` import module, the system
 * calls the overbox kernel gives a program beside wasi_snapshot_preview1
 * (documented in worker/wasi/README.md). Each returns 0 or a WASI errno,
 * whose numbers are wasi-libc's errno values. Used by compat/kernel.c, and
 * by compat/em_sjlj.c for throw_longjmp. */
#ifndef OVERBOX_H
#define OVERBOX_H

#include <stddef.h>
#include <stdint.h>

#define OVERBOX_IMPORT(name) __attribute__((import_module("overbox"), import_name(#name)))

/* Bit 0 of `lookup`: follow a symlink in the last component. */
#define OVERBOX_LOOKUP_FOLLOW 1

/* The kernel's stat: Linux's st_mode bits, times in nanoseconds. */
struct overbox_stat {
	uint64_t dev;
	uint64_t ino;
	uint32_t mode;
	uint32_t nlink;
	uint32_t uid;
	uint32_t gid;
	uint64_t rdev;
	uint64_t size;
	uint64_t blocks;
	uint64_t atim;
	uint64_t mtim;
	uint64_t ctim;
};

int32_t overbox_stat(int32_t dirfd, uint32_t lookup, const char *path, size_t path_len,
		     struct overbox_stat *out) OVERBOX_IMPORT(stat);
int32_t overbox_fstat(int32_t fd, struct overbox_stat *out) OVERBOX_IMPORT(fstat);
int32_t overbox_chmod(int32_t dirfd, uint32_t lookup, const char *path, size_t path_len,
		      uint32_t mode) OVERBOX_IMPORT(chmod);
int32_t overbox_fchmod(int32_t fd, uint32_t mode) OVERBOX_IMPORT(fchmod);
int32_t overbox_chown(int32_t dirfd, uint32_t lookup, const char *path, size_t path_len,
		      int32_t uid, int32_t gid) OVERBOX_IMPORT(chown);
int32_t overbox_fchown(int32_t fd, int32_t uid, int32_t gid) OVERBOX_IMPORT(fchown);
int32_t overbox_open(int32_t dirfd, const char *path, size_t path_len, int32_t flags,
		     uint32_t mode, int32_t *fd_out) OVERBOX_IMPORT(open);
int32_t overbox_mkdir(int32_t dirfd, const char *path, size_t path_len, uint32_t mode)
	OVERBOX_IMPORT(mkdir);
/* dup: the lowest free fd >= min_fd; dup2: onto new_fd, closing what it held. */
int32_t overbox_dup(int32_t fd, int32_t min_fd, int32_t *fd_out) OVERBOX_IMPORT(dup);
int32_t overbox_dup2(int32_t fd, int32_t new_fd) OVERBOX_IMPORT(dup2);
int32_t overbox_umask(uint32_t mask, uint32_t *old_out) OVERBOX_IMPORT(umask);
int32_t overbox_getcwd(char *buf, size_t len, size_t *len_out) OVERBOX_IMPORT(getcwd);
/* Throws the kernel's longjmp exception, which the env.invoke_* call below
 * it catches (compat/em_sjlj.c); never returns. */
_Noreturn void overbox_throw_longjmp(void) OVERBOX_IMPORT(throw_longjmp);

#endif
