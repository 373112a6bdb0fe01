/* Why this file exists: there are no Linux kernel headers for wasm32-wasi.
 * mkfs.ext2 includes <linux/fs.h> for block-device ioctl numbers; they are in
 * our <sys/mount.h> (the ioctls fail with ENOTTY on the image files that
 * mkfs can work on here). */
#ifndef OVERBOX_COMPAT_LINUX_FS_H
#define OVERBOX_COMPAT_LINUX_FS_H

#include <sys/mount.h>

#define FS_IOC_GETFLAGS _IOR('f', 1, long)
#define FS_IOC_SETFLAGS _IOW('f', 2, long)

#endif
