/* Why this file exists: WASI preview 1 has no processes, pipes or descriptor
 * duplication, and wasi-libc declares none of these calls.  Until the process
 * stage provides them through an import module, each one fails cleanly with
 * the errno Linux would use for "this system cannot do that" (ENOSYS), so that
 * applets print their usual message ("can't fork", "can't execute ...") and
 * exit non-zero instead of crashing or hanging.  Details:
 *   - wait*() fail with ECHILD: fork never succeeds, so there is never a child.
 *   - dup/dup2/dup3 are the overbox kernel's (include/overbox.h); dup2 first
 *     relocates a preopened directory that sits on the target number.
 *   - reboot() fails with ENOSYS (what halting means is the process stage's
 *     decision); system()/popen() need a shell process: ENOSYS.
 *   - getpid() is 42 (the value wasi-libc's own emulation uses) and
 *     getppid() 0 ("parent outside our view").  Not 1: to BusyBox pid 1 is
 *     init, so init would start looping and halt/reboot would signal
 *     ourselves.  The process stage will hand out real pids.
 *   - setsid/setpgid and friends: there are no sessions or process groups;
 *     the getters answer for the single process (its own pid), setters fail.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <wasi/api.h>
#include <wasi/libc.h>
#include <limits.h>
#include "overbox.h"

#define OVERBOX_PID 42

static int fail(int err)
{
	errno = err;
	return -1;
}

pid_t getpid(void) { return OVERBOX_PID; }
pid_t getppid(void) { return 0; }
pid_t gettid(void) { return OVERBOX_PID; }
pid_t getpgrp(void) { return OVERBOX_PID; }

pid_t getpgid(pid_t pid)
{
	if (pid == 0 || pid == OVERBOX_PID)
		return OVERBOX_PID;
	return fail(ESRCH);
}

pid_t getsid(pid_t pid)
{
	if (pid == 0 || pid == OVERBOX_PID)
		return OVERBOX_PID;
	return fail(ESRCH);
}

/* We already lead our (only) session and group: Linux answers EPERM for a
 * session leader calling setsid(), and setpgid(0, own pid) is a no-op. */
pid_t setsid(void) { return fail(EPERM); }

int setpgid(pid_t pid, pid_t pgid)
{
	if ((pid == 0 || pid == OVERBOX_PID) && (pgid == 0 || pgid == OVERBOX_PID))
		return 0;
	return fail(pid == 0 || pid == OVERBOX_PID ? EPERM : ESRCH);
}

pid_t setpgrp(void) { return setpgid(0, 0); }

pid_t fork(void) { return fail(ENOSYS); }
pid_t vfork(void) { return fail(ENOSYS); }

int execve(const char *path, char *const argv[], char *const envp[])
{
	(void)path; (void)argv; (void)envp;
	return fail(ENOSYS);
}

int execv(const char *path, char *const argv[])
{
	(void)path; (void)argv;
	return fail(ENOSYS);
}

int execvp(const char *file, char *const argv[])
{
	(void)file; (void)argv;
	return fail(ENOSYS);
}

int execvpe(const char *file, char *const argv[], char *const envp[])
{
	(void)file; (void)argv; (void)envp;
	return fail(ENOSYS);
}

int execl(const char *path, const char *arg, ...)
{
	(void)path; (void)arg;
	return fail(ENOSYS);
}

int execlp(const char *file, const char *arg, ...)
{
	(void)file; (void)arg;
	return fail(ENOSYS);
}

int execle(const char *path, const char *arg, ...)
{
	(void)path; (void)arg;
	return fail(ENOSYS);
}

int fexecve(int fd, char *const argv[], char *const envp[])
{
	(void)fd; (void)argv; (void)envp;
	return fail(ENOSYS);
}

pid_t wait(int *status) { (void)status; return fail(ECHILD); }

pid_t waitpid(pid_t pid, int *status, int options)
{
	(void)pid; (void)status; (void)options;
	return fail(ECHILD);
}

int waitid(idtype_t type, id_t id, siginfo_t *info, int options)
{
	(void)type; (void)id; (void)info; (void)options;
	return fail(ECHILD);
}

pid_t wait3(int *status, int options, struct rusage *ru)
{
	(void)status; (void)options; (void)ru;
	return fail(ECHILD);
}

pid_t wait4(pid_t pid, int *status, int options, struct rusage *ru)
{
	(void)pid; (void)status; (void)options; (void)ru;
	return fail(ECHILD);
}

int pipe(int fds[2]) { (void)fds; return fail(ENOSYS); }
int pipe2(int fds[2], int flags) { (void)fds; (void)flags; return fail(ENOSYS); }

static int fd_is_open(int fd)
{
	struct stat st;

	return fd >= 0 && fstat(fd, &st) == 0;
}


/* Preopened directories live at fds 3, 4, ... (wasi-libc finds them there at
 * start-up and resolves every path through them), while Linux programs
 * assume fds >= 3 are free for their own use: fdisk, unzip, mkfs.ext2,
 * mkfs.minix and fsck.minix move files onto fd 3, svlogd onto 4 and 5.
 * Before such a dup2, the preopen is relocated: a second descriptor for the
 * same directory is opened (path_open of ".") and registered with wasi-libc
 * under the same prefix (wasi-libc prefers the most recently registered of
 * equally long prefixes), after which the old number may be replaced.
 * relocated[] remembers the new numbers, which are preopens just the same. */
static struct {
	int fd;
	char *prefix;
} relocated[16];
static unsigned n_relocated;

/* Returns the prefix if fd is a (real or relocated) preopened directory. */
static char *preopen_prefix(int fd, char *buf, size_t size)
{
	__wasi_prestat_t pre;

	for (unsigned i = 0; i < n_relocated; i++)
		if (relocated[i].fd == fd)
			return relocated[i].prefix;
	if (__wasi_fd_prestat_get(fd, &pre) != 0 || pre.tag != __WASI_PREOPENTYPE_DIR
	 || pre.u.dir.pr_name_len >= size
	 || __wasi_fd_prestat_dir_name(fd, (uint8_t *)buf, pre.u.dir.pr_name_len) != 0)
		return NULL;
	buf[pre.u.dir.pr_name_len] = 0;
	return buf;
}

static int relocate_preopen(int fd, const char *prefix)
{
	__wasi_fdstat_t st;
	__wasi_fd_t newfd;
	__wasi_errno_t err;
	char *copy;

	if (n_relocated == sizeof(relocated) / sizeof(relocated[0]))
		return fail(EMFILE);
	err = __wasi_fd_fdstat_get(fd, &st);
	if (err)
		return fail(err);
	err = __wasi_path_open(fd, 0, ".", __WASI_OFLAGS_DIRECTORY,
			st.fs_rights_base, st.fs_rights_inheriting, 0, &newfd);
	if (err == __WASI_ERRNO_NOTCAPABLE)
		err = __wasi_path_open(fd, 0, ".", __WASI_OFLAGS_DIRECTORY,
				st.fs_rights_base & st.fs_rights_inheriting,
				st.fs_rights_inheriting, 0, &newfd);
	if (err)
		return fail(err);
	copy = strdup(prefix);
	if (!copy || __wasilibc_register_preopened_fd(newfd, prefix) != 0) {
		free(copy);
		(void)__wasi_fd_close(newfd);
		return fail(ENOMEM);
	}
	relocated[n_relocated].fd = newfd;
	relocated[n_relocated].prefix = copy;
	n_relocated++;
	return 0;
}

int dup(int fd)
{
	int32_t out;
	__wasi_errno_t err = overbox_dup(fd, 0, &out);
	return err ? fail(err) : out;
}

int dup2(int oldfd, int newfd)
{
	char buf[PATH_MAX];
	const char *prefix;
	__wasi_errno_t err;

	if (oldfd == newfd)
		return fd_is_open(oldfd) ? newfd : fail(EBADF);
	if (!fd_is_open(oldfd))
		return fail(EBADF);
	prefix = preopen_prefix(newfd, buf, sizeof(buf));
	if (prefix && relocate_preopen(newfd, prefix) < 0)
		return -1;
	err = overbox_dup2(oldfd, newfd);
	if (err)
		return fail(err);
	/* `newfd` is an ordinary descriptor now (wasi-libc's own entry for it
	 * is shadowed by the newer registration). */
	for (unsigned i = 0; i < n_relocated; i++) {
		if (relocated[i].fd == newfd) {
			free(relocated[i].prefix);
			relocated[i] = relocated[--n_relocated];
			break;
		}
	}
	return newfd;
}

int dup3(int oldfd, int newfd, int flags)
{
	(void)flags;
	if (oldfd == newfd)
		return fail(EINVAL);
	return dup2(oldfd, newfd);
}

/* popen needs a child process. */
FILE *popen(const char *cmd, const char *mode)
{
	(void)cmd; (void)mode;
	errno = ENOSYS;
	return NULL;
}

int pclose(FILE *f) { (void)f; return fail(ECHILD); }

int system(const char *cmd)
{
	/* system(NULL) asks whether a shell is available: it is not. */
	if (cmd == NULL)
		return 0;
	return fail(ENOSYS);
}

int daemon(int nochdir, int noclose)
{
	(void)nochdir; (void)noclose;
	return fail(ENOSYS);
}

long syscall(long n, ...) { (void)n; return fail(ENOSYS); }

int vhangup(void) { return fail(ENOSYS); }
int acct(const char *file) { (void)file; return fail(ENOSYS); }

/* Changing the root needs a kernel that can confine path lookups. */
int chroot(const char *path) { (void)path; return fail(ENOSYS); }

/* Halting or rebooting "the machine" is for the process stage to define. */
int reboot(int cmd) { (void)cmd; return fail(ENOSYS); }
