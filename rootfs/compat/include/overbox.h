/* Why this file exists: it declares the `overbox` import module, the system
 * calls the overbox kernel gives a program beside wasi_snapshot_preview1
 * (documented in core/wasi/README.md). Each returns 0 or a WASI errno,
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

/* statfs: the filesystem holding fd: Linux's f_type magic, block size,
 * blocks (total, free, available to users), inodes (total, free), and the
 * longest name. */
struct overbox_statfs {
	uint64_t type;
	uint64_t bsize;
	uint64_t blocks;
	uint64_t bfree;
	uint64_t bavail;
	uint64_t files;
	uint64_t ffree;
	uint64_t namemax;
};
int32_t overbox_statfs(int32_t fd, struct overbox_statfs *out) OVERBOX_IMPORT(statfs);

/* ---- processes (core/wasi/README.md, "Processes") ---- */
/* getpid/getppid return the value itself, not an errno. */
int32_t overbox_getpid(void) OVERBOX_IMPORT(getpid);
int32_t overbox_getppid(void) OVERBOX_IMPORT(getppid);
/* fork: the kernel unwinds the caller, copies the instance, rewinds both;
 * *pid_out is the child's pid in the parent, 0 in the child. */
int32_t overbox_fork(int32_t *pid_out) OVERBOX_IMPORT(fork);
/* exec: argv and envp are NUL-terminated strings laid end to end (argv_len
 * and envp_len bytes in all). Returns only on failure, with an errno. */
int32_t overbox_exec(const char *path, size_t path_len, const char *argv, size_t argv_len,
		     const char *envp, size_t envp_len) OVERBOX_IMPORT(exec);
/* wait4 without resource usage: pid and options as Linux's (WNOHANG 1,
 * WUNTRACED 2, WCONTINUED 8); *status_out is Linux's wait status; *pid_out
 * is 0 for WNOHANG when no child has anything to report. */
int32_t overbox_wait4(int32_t pid, int32_t options, int32_t *status_out, int32_t *pid_out)
	OVERBOX_IMPORT(wait4);
int32_t overbox_pipe(int32_t *fds_out) OVERBOX_IMPORT(pipe);
/* cloexec: op -1 reads the flag into *out, 0 clears it, 1 sets it. */
int32_t overbox_cloexec(int32_t fd, int32_t op, int32_t *out) OVERBOX_IMPORT(cloexec);
/* chdir: tells the kernel the new working directory (absolute). */
int32_t overbox_chdir(const char *path, size_t path_len) OVERBOX_IMPORT(chdir);
int32_t overbox_setpgid(int32_t pid, int32_t pgid) OVERBOX_IMPORT(setpgid);
int32_t overbox_getpgid(int32_t pid, int32_t *out) OVERBOX_IMPORT(getpgid);
int32_t overbox_setsid(int32_t *out) OVERBOX_IMPORT(setsid);
int32_t overbox_getsid(int32_t pid, int32_t *out) OVERBOX_IMPORT(getsid);
/* priority: the niceness of process `pid` (0: the caller) is written to
 * *old_out and, unless `value` is OVERBOX_PRIORITY_READ, set to `value`. */
#define OVERBOX_PRIORITY_READ (-2147483647 - 1)
int32_t overbox_priority(int32_t pid, int32_t value, int32_t *old_out) OVERBOX_IMPORT(priority);

/* ---- signals ---- */
int32_t overbox_kill(int32_t pid, int32_t sig) OVERBOX_IMPORT(kill);
/* sigaction: how the kernel treats `sig`: OVERBOX_SIG_* below; -1 changes
 * nothing. *old_out (if not NULL) receives the previous treatment. */
#define OVERBOX_SIG_DEFAULT 0
#define OVERBOX_SIG_IGNORE 1
#define OVERBOX_SIG_CATCH 2
#define OVERBOX_SIG_CATCH_RESTART 3
int32_t overbox_sigaction(int32_t sig, int32_t action, int32_t *old_out) OVERBOX_IMPORT(sigaction);
/* sigmask: changes the set of blocked signals as sigprocmask's `how` says
 * (SIG_BLOCK 0, SIG_UNBLOCK 1, SIG_SETMASK 2; -1 changes nothing) with the
 * set lo/hi (bit sig-1 of the 64 bits = signal sig); writes the old set as
 * two words to old_out. */
int32_t overbox_sigmask(int32_t how, uint32_t lo, uint32_t hi, uint32_t *old_out)
	OVERBOX_IMPORT(sigmask);
/* sigpending: writes the pending set as two words. */
int32_t overbox_sigpending(uint32_t *out) OVERBOX_IMPORT(sigpending);
/* sigsuspend: with the blocked set replaced, waits until a signal has been
 * handled (the kernel calls the exported overbox_signal), then EINTR. */
int32_t overbox_sigsuspend(uint32_t lo, uint32_t hi) OVERBOX_IMPORT(sigsuspend);
/* alarm timer (ITIMER_REAL) in microseconds: value 0 disarms, UINT64_MAX
 * changes nothing; the old value and interval are written to old_out[0],
 * old_out[1]. */
int32_t overbox_alarm(uint64_t value_us, uint64_t interval_us, uint64_t *old_out)
	OVERBOX_IMPORT(alarm);
/* A time-slice point (compat/tick.c): lets the kernel run others and deliver
 * signals in code that makes no system call. */
int32_t overbox_tick(void) OVERBOX_IMPORT(tick);
/* brk: the program's memory is about to grow to `end` bytes (compat/
 * memory.c); past the process's memory limit the kernel kills it, as the
 * OOM killer does, and the call does not return. */
int32_t overbox_brk(uint64_t end) OVERBOX_IMPORT(brk);

/* ---- sockets (core/wasi/README.md, "Sockets") ---- */
/* Addresses are Linux's structs: sockaddr_in (family 2), sockaddr_in6 (10),
 * sockaddr_un (1); `len_io` holds the room at `addr` and receives the whole
 * length. socket's and accept's flags: OVERBOX_SOCK_*; sendto's and
 * recvfrom's: OVERBOX_MSG_*. Options are ints, by Linux's level and name. */
#define OVERBOX_SOCK_NONBLOCK 1
#define OVERBOX_SOCK_CLOEXEC 2
#define OVERBOX_MSG_DONTWAIT 1
#define OVERBOX_MSG_NOSIGNAL 2
#define OVERBOX_MSG_PEEK 4
int32_t overbox_socket(int32_t domain, int32_t type, int32_t flags, int32_t *fd_out)
	OVERBOX_IMPORT(socket);
int32_t overbox_bind(int32_t fd, const void *addr, uint32_t len) OVERBOX_IMPORT(bind);
int32_t overbox_listen(int32_t fd, int32_t backlog) OVERBOX_IMPORT(listen);
int32_t overbox_accept(int32_t fd, int32_t flags, void *addr, uint32_t *len_io, int32_t *fd_out)
	OVERBOX_IMPORT(accept);
int32_t overbox_connect(int32_t fd, const void *addr, uint32_t len) OVERBOX_IMPORT(connect);
int32_t overbox_sendto(int32_t fd, const void *buf, size_t len, int32_t flags, const void *addr,
		       uint32_t addr_len, size_t *sent_out) OVERBOX_IMPORT(sendto);
int32_t overbox_recvfrom(int32_t fd, void *buf, size_t len, int32_t flags, void *addr,
			 uint32_t *len_io, size_t *got_out) OVERBOX_IMPORT(recvfrom);
/* how: SHUT_RD 0, SHUT_WR 1, SHUT_RDWR 2 (Linux's) */
int32_t overbox_shutdown(int32_t fd, int32_t how) OVERBOX_IMPORT(shutdown);
int32_t overbox_getsockname(int32_t fd, void *addr, uint32_t *len_io) OVERBOX_IMPORT(getsockname);
int32_t overbox_getpeername(int32_t fd, void *addr, uint32_t *len_io) OVERBOX_IMPORT(getpeername);
int32_t overbox_setsockopt(int32_t fd, int32_t level, int32_t name, int32_t value)
	OVERBOX_IMPORT(setsockopt);
int32_t overbox_getsockopt(int32_t fd, int32_t level, int32_t name, int32_t *value_out)
	OVERBOX_IMPORT(getsockopt);
/* A host name not in /etc/hosts, resolved by the kernel for its gateway:
 * writes an IPv4 address (4 bytes) that stands for the name; ENOENT for a
 * name that cannot be, ENETUNREACH when the container has no network. */
int32_t overbox_resolve(const char *name, size_t name_len, void *addr_out) OVERBOX_IMPORT(resolve);

/* ---- terminals ---- */
struct termios;
int32_t overbox_tcgetattr(int32_t fd, struct termios *out) OVERBOX_IMPORT(tcgetattr);
/* when: TCSANOW 0, TCSADRAIN 1, TCSAFLUSH 2 */
int32_t overbox_tcsetattr(int32_t fd, int32_t when, const struct termios *in)
	OVERBOX_IMPORT(tcsetattr);
/* ioctl: TIOCGWINSZ, TIOCSWINSZ, TIOCGPGRP, TIOCSPGRP, TIOCSCTTY, TIOCNOTTY,
 * TIOCGSID, TCFLSH, and a socket's SIOCGIF*; Linux's numbers and
 * structures. */
int32_t overbox_ioctl(int32_t fd, int32_t request, void *arg) OVERBOX_IMPORT(ioctl);
/* compat/net.c: a socket's SIOC* request, with wasi-libc's address families. */
int __overbox_interface_ioctl(int fd, int request, void *arg);

#endif
