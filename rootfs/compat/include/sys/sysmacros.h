/* Why this file exists: wasi-libc ships no <sys/sysmacros.h>.  BusyBox
 * splits and builds device numbers (ls -l, stat, mknod, tar, cpio) with these;
 * they use the Linux/glibc encoding so archives and listings agree with Linux. */
#ifndef OVERBOX_COMPAT_SYS_SYSMACROS_H
#define OVERBOX_COMPAT_SYS_SYSMACROS_H

#define major(x) \
	((unsigned)( (((x)>>31>>1) & 0xfffff000) | (((x)>>8) & 0x00000fff) ))
#define minor(x) \
	((unsigned)( (((x)>>12) & 0xffffff00) | ((x) & 0x000000ff) ))
#define makedev(x,y) ( \
	(((x)&0xfffff000ULL) << 32) | \
	(((x)&0x00000fffULL) << 8) | \
	(((y)&0xffffff00ULL) << 12) | \
	(((y)&0x000000ffULL)) )

#endif
