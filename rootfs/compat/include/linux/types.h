/* Why this file exists: wasi-libc ships no Linux UAPI headers.  The
 * netlink headers beside it (netlink.h, rtnetlink.h, if_addr.h, if_link.h,
 * for BusyBox's `ip addr`) use the kernel's fixed-width names. */
#ifndef OVERBOX_COMPAT_LINUX_TYPES_H
#define OVERBOX_COMPAT_LINUX_TYPES_H

#include <stdint.h>

typedef int8_t __s8;
typedef uint8_t __u8;
typedef int16_t __s16;
typedef uint16_t __u16;
typedef int32_t __s32;
typedef uint32_t __u32;
typedef int64_t __s64;
typedef uint64_t __u64;
typedef uint16_t __be16;
typedef uint32_t __be32;
typedef uint16_t __le16;
typedef uint32_t __le32;

#endif
