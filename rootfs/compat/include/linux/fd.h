/* Why this file exists: there are no Linux kernel headers for wasm32-wasi.
 * mkfs.vfat asks whether its target is a floppy drive (FDGETPRM); the
 * request fails (ENOTTY), so it treats the target as an image file, which
 * is the only kind of target here. */
#ifndef OVERBOX_COMPAT_LINUX_FD_H
#define OVERBOX_COMPAT_LINUX_FD_H

struct floppy_struct {
	unsigned int size, sect, head, track, stretch;
	unsigned char gap, rate, spec1, fmt_gap;
	const char *name;
};

#define FDGETPRM 0x0204

#endif
