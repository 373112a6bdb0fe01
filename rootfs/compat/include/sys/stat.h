/* Why this file exists: wasi-libc's <sys/stat.h> hides chmod, fchmod, umask,
 * mkfifo and mknod (WASI preview 1 has no permission bits and no special
 * files).  BusyBox calls them; compat/kernel.c defines chmod, fchmod and umask
 * on the overbox kernel's calls, compat/fs.c mkfifo/mknod (EPERM/ENOSYS). */
#ifndef OVERBOX_COMPAT_SYS_STAT_H
#define OVERBOX_COMPAT_SYS_STAT_H

#include_next <sys/stat.h>

#ifdef __cplusplus
extern "C" {
#endif

int chmod(const char *, mode_t);
int fchmod(int, mode_t);
int fchmodat(int, const char *, mode_t, int);
int lchmod(const char *, mode_t);
mode_t umask(mode_t);
int mkfifo(const char *, mode_t);
int mkfifoat(int, const char *, mode_t);
int mknod(const char *, mode_t, dev_t);
int mknodat(int, const char *, mode_t, dev_t);

#ifdef __cplusplus
}
#endif

#endif
