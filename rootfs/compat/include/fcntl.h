/* Why this file exists: wasi-libc's <fcntl.h> leaves out the F_DUPFD and
 * record-lock commands and the lock types (WASI has neither dup nor locks).
 * BusyBox uses them (ash's redirections, update_passwd's lock), so they get
 * their Linux values here; compat/fd.c's fcntl() answers them (ENOSYS for
 * F_DUPFD; locks are granted, this module being the only process). */
#ifndef OVERBOX_COMPAT_FCNTL_H
#define OVERBOX_COMPAT_FCNTL_H

#include_next <fcntl.h>

#ifndef F_DUPFD
#define F_DUPFD  0
#endif
/* wasi-libc makes O_CLOEXEC 0 (WASI has no exec); the overbox kernel has
 * exec, and its open takes this bit to mean close-on-exec. */
#undef O_CLOEXEC
#define O_CLOEXEC 0x40000000
#ifndef F_DUPFD_CLOEXEC
#define F_DUPFD_CLOEXEC 1030
#endif
#define F_GETLK  5
#define F_SETLK  6
#define F_SETLKW 7
#define F_SETOWN 8
#define F_GETOWN 9
#define F_SETSIG 10
#define F_GETSIG 11
#define F_RDLCK  0
#define F_WRLCK  1
#define F_UNLCK  2
#define O_ASYNC  0x2000
#ifndef O_NDELAY
#define O_NDELAY O_NONBLOCK
#endif
#ifndef O_LARGEFILE
#define O_LARGEFILE 0
#endif
#ifndef O_NOATIME
#define O_NOATIME 0
#endif
#ifndef O_DIRECT
#define O_DIRECT 0
#endif
#ifndef O_PATH
#define O_PATH O_SEARCH
#endif

#endif
