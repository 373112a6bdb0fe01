/* Why this file exists: WASI preview 1 has no processes, pipes or descriptor
 * duplication, and wasi-libc declares none of these calls.  The overbox
 * kernel provides them through its `overbox` import module (include/
 * overbox.h, core/wasi/README.md); these are the libc functions on top:
 *   - fork() asks the kernel to copy the whole instance (memory and saved
 *     stack); vfork() is fork (BusyBox is built with BB_MMU=1, so it never
 *     relies on vfork sharing memory).
 *   - execve() hands the kernel argv and envp; the kernel loads the program
 *     (a wasm module, or a `#!` script's interpreter) and does not return on
 *     success.  execvp() does its own PATH search, as musl does.
 *   - wait/waitpid/wait3 are wait4 (no resource usage: zeros).
 *   - process groups and sessions are the kernel's (job control).
 *   - dup/dup2/dup3 are the kernel's; dup2 first relocates a preopened
 *     directory that sits on the target number (below).
 *   - popen/system run /bin/sh -c; reboot() fails with ENOSYS.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <signal.h>
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

static int fail(int err)
{
	errno = err;
	return -1;
}

pid_t getpid(void) { return overbox_getpid(); }
pid_t getppid(void) { return overbox_getppid(); }
pid_t gettid(void) { return overbox_getpid(); }

pid_t getpgid(pid_t pid)
{
	int32_t out;
	int32_t err = overbox_getpgid(pid, &out);
	return err ? fail(err) : out;
}

pid_t getpgrp(void) { return getpgid(0); }

pid_t getsid(pid_t pid)
{
	int32_t out;
	int32_t err = overbox_getsid(pid, &out);
	return err ? fail(err) : out;
}

pid_t setsid(void)
{
	int32_t out;
	int32_t err = overbox_setsid(&out);
	return err ? fail(err) : out;
}

int setpgid(pid_t pid, pid_t pgid)
{
	int32_t err = overbox_setpgid(pid, pgid);
	return err ? fail(err) : 0;
}

pid_t setpgrp(void) { return setpgid(0, 0); }

pid_t fork(void)
{
	int32_t pid;
	int32_t err = overbox_fork(&pid);
	return err ? fail(err) : pid;
}

/* BB_MMU is 1 (a copy is made): vfork is fork. */
pid_t vfork(void) { return fork(); }

extern char **environ;

/* Lays out NUL-terminated strings end to end; returns the total length. */
static size_t pack(char *const list[], char **out)
{
	size_t n = 0, at = 0;
	for (size_t i = 0; list && list[i]; i++)
		n += strlen(list[i]) + 1;
	*out = malloc(n ? n : 1);
	if (!*out)
		return (size_t)-1;
	for (size_t i = 0; list && list[i]; i++) {
		size_t l = strlen(list[i]) + 1;
		memcpy(*out + at, list[i], l);
		at += l;
	}
	return n;
}

int execve(const char *path, char *const argv[], char *const envp[])
{
	char *a, *e;
	size_t al = pack(argv, &a), el = pack(envp, &e);
	int32_t err;
	if (al == (size_t)-1 || el == (size_t)-1)
		return fail(ENOMEM);
	/* Buffered output belongs to this program: Linux loses it at exec
	 * too, but BusyBox flushes before exec where it matters. */
	err = overbox_exec(path, strlen(path), a, al, e, el);
	free(a);
	free(e);
	return fail(err);
}

int execv(const char *path, char *const argv[]) { return execve(path, argv, environ); }

int execvpe(const char *file, char *const argv[], char *const envp[])
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];
	int saw_eacces = 0;

	if (!*file)
		return fail(ENOENT);
	if (strchr(file, '/'))
		return execve(file, argv, envp);
	if (!path)
		path = "/usr/local/bin:/bin:/usr/bin";
	for (const char *p = path;; ) {
		const char *z = strchrnul(p, ':');
		size_t l = (size_t)(z - p);
		if (l + 1 + strlen(file) < sizeof(buf)) {
			memcpy(buf, p, l);
			buf[l] = '/';
			strcpy(buf + l + 1, file);
			execve(l ? buf : file, argv, envp);
			if (errno == EACCES)
				saw_eacces = 1;
			else if (errno != ENOENT && errno != ENOTDIR)
				return -1;
		}
		if (!*z)
			break;
		p = z + 1;
	}
	return fail(saw_eacces ? EACCES : ENOENT);
}

int execvp(const char *file, char *const argv[]) { return execvpe(file, argv, environ); }

#define ARGV_FROM_VA(arg, argv, extra) \
	va_list ap; int n = 1; \
	va_start(ap, arg); while (va_arg(ap, char *)) n++; va_end(ap); \
	char *argv[n + 1]; argv[0] = (char *)arg; \
	va_start(ap, arg); for (int i = 1; i <= n; i++) argv[i] = va_arg(ap, char *); \
	extra; va_end(ap)

int execl(const char *path, const char *arg, ...)
{
	ARGV_FROM_VA(arg, argv, (void)0);
	return execve(path, argv, environ);
}

int execlp(const char *file, const char *arg, ...)
{
	ARGV_FROM_VA(arg, argv, (void)0);
	return execvp(file, argv);
}

int execle(const char *path, const char *arg, ...)
{
	char **envp;
	ARGV_FROM_VA(arg, argv, envp = va_arg(ap, char **));
	return execve(path, argv, envp);
}

int fexecve(int fd, char *const argv[], char *const envp[])
{
	(void)fd; (void)argv; (void)envp;
	return fail(ENOSYS);
}

pid_t wait4(pid_t pid, int *status, int options, struct rusage *ru)
{
	int32_t st = 0, out = 0;
	int32_t err = overbox_wait4(pid, options, &st, &out);
	if (err)
		return fail(err);
	if (status && out > 0)
		*status = st;
	if (ru)
		memset(ru, 0, sizeof(*ru));
	return out;
}

pid_t waitpid(pid_t pid, int *status, int options) { return wait4(pid, status, options, NULL); }
pid_t wait(int *status) { return wait4(-1, status, 0, NULL); }
pid_t wait3(int *status, int options, struct rusage *ru) { return wait4(-1, status, options, ru); }

int waitid(idtype_t type, id_t id, siginfo_t *info, int options)
{
	(void)type; (void)id; (void)info; (void)options;
	return fail(ENOSYS);
}

int pipe2(int fds[2], int flags)
{
	int32_t out[2];
	int32_t err = overbox_pipe(out);
	if (err)
		return fail(err);
	fds[0] = out[0];
	fds[1] = out[1];
	if (flags & O_CLOEXEC) {
		overbox_cloexec(out[0], 1, NULL);
		overbox_cloexec(out[1], 1, NULL);
	}
	if (flags & O_NONBLOCK) {
		fcntl(out[0], F_SETFL, O_NONBLOCK);
		fcntl(out[1], F_SETFL, O_NONBLOCK);
	}
	return 0;
}

int pipe(int fds[2]) { return pipe2(fds, 0); }

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
	/* A program this one execs gets a preopen of its own from the kernel. */
	overbox_cloexec(newfd, 1, NULL);
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

/* popen and system run the command with /bin/sh -c, as POSIX says. */
static struct popened {
	FILE *f;
	pid_t pid;
	struct popened *next;
} *popened;

FILE *popen(const char *cmd, const char *mode)
{
	int fds[2], reading = mode[0] == 'r';
	struct popened *p;
	pid_t pid;

	if ((mode[0] != 'r' && mode[0] != 'w') || (mode[1] && mode[1] != 'e')) {
		errno = EINVAL;
		return NULL;
	}
	p = malloc(sizeof(*p));
	if (!p || pipe2(fds, O_CLOEXEC) < 0) {
		free(p);
		return NULL;
	}
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		free(p);
		return NULL;
	}
	if (pid == 0) {
		int mine = reading ? fds[1] : fds[0], want = reading ? 1 : 0;
		for (struct popened *q = popened; q; q = q->next)
			close(fileno(q->f));
		if (mine == want)
			fcntl(mine, F_SETFD, 0);
		else
			dup2(mine, want);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(reading ? fds[1] : fds[0]);
	p->f = fdopen(reading ? fds[0] : fds[1], reading ? "r" : "w");
	if (!p->f) {
		close(reading ? fds[0] : fds[1]);
		free(p);
		return NULL;
	}
	if (mode[1] != 'e')
		fcntl(fileno(p->f), F_SETFD, 0);
	p->pid = pid;
	p->next = popened;
	popened = p;
	return p->f;
}

int pclose(FILE *f)
{
	struct popened **at = &popened, *p;
	int status;

	while (*at && (*at)->f != f)
		at = &(*at)->next;
	if (!*at)
		return fail(ECHILD);
	p = *at;
	*at = p->next;
	fclose(f);
	while (waitpid(p->pid, &status, 0) < 0)
		if (errno != EINTR) {
			free(p);
			return -1;
		}
	free(p);
	return status;
}

int system(const char *cmd)
{
	struct sigaction ignore, old_int, old_quit;
	sigset_t block, old_mask;
	int status = -1;
	pid_t pid;

	/* system(NULL) asks whether a shell is available: it is. */
	if (cmd == NULL)
		return 1;
	memset(&ignore, 0, sizeof(ignore));
	ignore.sa_handler = SIG_IGN;
	sigaction(SIGINT, &ignore, &old_int);
	sigaction(SIGQUIT, &ignore, &old_quit);
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &old_mask);
	pid = fork();
	if (pid == 0) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGQUIT, &old_quit, NULL);
		sigprocmask(SIG_SETMASK, &old_mask, NULL);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	return status;
}

int daemon(int nochdir, int noclose)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return -1;
	if (!nochdir && chdir("/") < 0)
		return -1;
	if (!noclose) {
		int fd = open("/dev/null", O_RDWR);
		if (fd < 0)
			return -1;
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	return 0;
}

/* The working directory is wasi-libc's (it resolves relative paths itself);
 * the kernel is told too, for /proc/PID/cwd and for the programs this
 * process execs. */
int __real_chdir(const char *path);
int __wrap_chdir(const char *path)
{
	char cwd[PATH_MAX];

	if (__real_chdir(path) < 0)
		return -1;
	if (getcwd(cwd, sizeof(cwd)))
		overbox_chdir(cwd, strlen(cwd));
	return 0;
}

long syscall(long n, ...) { (void)n; return fail(ENOSYS); }

int vhangup(void) { return fail(ENOSYS); }
int acct(const char *file) { (void)file; return fail(ENOSYS); }

/* Changing the root needs a kernel that can confine path lookups. */
int chroot(const char *path) { (void)path; return fail(ENOSYS); }

/* Halting or rebooting "the machine" is for the process stage to define. */
int reboot(int cmd) { (void)cmd; return fail(ENOSYS); }
