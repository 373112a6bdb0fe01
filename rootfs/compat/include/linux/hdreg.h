/* Why this file exists: there are no Linux kernel headers for wasm32-wasi.
 * mkfs.vfat asks a disk for its geometry with HDIO_GETGEO; the request fails
 * (ENOTTY) and mkfs.vfat uses its defaults, as for an image file on Linux. */
#ifndef OVERBOX_COMPAT_LINUX_HDREG_H
#define OVERBOX_COMPAT_LINUX_HDREG_H

#define HDIO_GETGEO 0x0301

struct hd_geometry {
	unsigned char heads;
	unsigned char sectors;
	unsigned short cylinders;
	unsigned long start;
};

#endif
