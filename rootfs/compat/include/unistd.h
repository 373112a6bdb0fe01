/* Why this file exists: wasi-libc's <unistd.h> hides every call WASI
 * preview 1 cannot do (fork/exec, pipe/dup, uids, process groups, chown,
 * ttyname...).  BusyBox calls them, so they are declared here and defined in
 * compat/ (ids.c, process.c): identity calls answer "root" (ids.c); process, pipe and dup calls
 * fail cleanly with ENOSYS (process.c) until the process stage provides them. */
#ifndef OVERBOX_COMPAT_UNISTD_H
#define OVERBOX_COMPAT_UNISTD_H

/* Makes wasi-libc declare getpid() without its "deprecated" warning.  We do
 * not link wasi-libc's emulation (which always says 42): process.c has ours. */
#ifndef _WASI_EMULATED_GETPID
#define _WASI_EMULATED_GETPID 1
#endif
#include_next <unistd.h>

#ifdef __cplusplus
extern "C" {
#endif

int pipe(int [2]);
int pipe2(int [2], int);
int dup(int);
int dup2(int, int);
int dup3(int, int, int);

int chown(const char *, uid_t, gid_t);
int fchown(int, uid_t, gid_t);
int lchown(const char *, uid_t, gid_t);
int fchownat(int, const char *, uid_t, gid_t, int);
int fchdir(int);

unsigned alarm(unsigned);
int pause(void);
pid_t fork(void);
pid_t vfork(void);
int execve(const char *, char *const [], char *const []);
int execv(const char *, char *const []);
int execvp(const char *, char *const []);
int execvpe(const char *, char *const [], char *const []);
int execl(const char *, const char *, ...);
int execlp(const char *, const char *, ...);
int execle(const char *, const char *, ...);
int fexecve(int, char *const [], char *const []);
_Noreturn void _exit(int);

pid_t getppid(void);
pid_t gettid(void);
pid_t getpgrp(void);
pid_t getpgid(pid_t);
int setpgid(pid_t, pid_t);
pid_t setpgrp(void);
pid_t setsid(void);
pid_t getsid(pid_t);
pid_t tcgetpgrp(int);
int tcsetpgrp(int, pid_t);

char *ttyname(int);
int ttyname_r(int, char *, size_t);

uid_t getuid(void);
uid_t geteuid(void);
gid_t getgid(void);
gid_t getegid(void);
int getgroups(int, gid_t []);
int setuid(uid_t);
int seteuid(uid_t);
int setgid(gid_t);
int setegid(gid_t);
int setreuid(uid_t, uid_t);
int setregid(gid_t, gid_t);
int setresuid(uid_t, uid_t, uid_t);
int setresgid(gid_t, gid_t, gid_t);
int getresuid(uid_t *, uid_t *, uid_t *);
int getresgid(gid_t *, gid_t *, gid_t *);

int nice(int);
void sync(void);
int syncfs(int);
int vhangup(void);
int chroot(const char *);
int getpagesize(void);
int getdtablesize(void);
int sethostname(const char *, size_t);
int getdomainname(char *, size_t);
int setdomainname(const char *, size_t);
char *getpass(const char *);
int daemon(int, int);
void setusershell(void);
void endusershell(void);
char *getusershell(void);
int acct(const char *);
long syscall(long, ...);
int lockf(int, int, off_t);
int euidaccess(const char *, int);
int eaccess(const char *, int);
char *get_current_dir_name(void);

#ifdef __cplusplus
}
#endif

#endif
