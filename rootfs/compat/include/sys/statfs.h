/* Why this file exists: wasi-libc ships no <sys/statfs.h> (libbb.h includes
 * it).  Same story as <sys/statvfs.h>: compat/fs.c's statfs/fstatfs ask the
 * overbox kernel. */
#ifndef OVERBOX_COMPAT_SYS_STATFS_H
#define OVERBOX_COMPAT_SYS_STATFS_H

#include <features.h>
#include <sys/types.h>
#include <sys/statvfs.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct __fsid_t { int __val[2]; } fsid_t;

struct statfs {
	unsigned long f_type, f_bsize;
	fsblkcnt_t f_blocks, f_bfree, f_bavail;
	fsfilcnt_t f_files, f_ffree;
	fsid_t f_fsid;
	unsigned long f_namelen, f_frsize, f_flags, f_spare[4];
};

int statfs(const char *, struct statfs *);
int fstatfs(int, struct statfs *);

#ifdef __cplusplus
}
#endif

#endif
