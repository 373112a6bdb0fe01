/* Why this file exists: wasi-libc's <sys/ioctl.h> knows only FIONREAD and
 * FIONBIO.  BusyBox asks terminals for their size (TIOCGWINSZ) and other tty
 * things, and sockets for the network interfaces (SIOCGIF*); the requests
 * get their Linux numbers here, and compat/tty.c's ioctl() passes them to
 * the kernel, which answers ENOTTY for those it does not know. */
#ifndef OVERBOX_COMPAT_SYS_IOCTL_H
#define OVERBOX_COMPAT_SYS_IOCTL_H

#include_next <sys/ioctl.h>

#ifdef __cplusplus
extern "C" {
#endif

struct winsize {
	unsigned short ws_row;
	unsigned short ws_col;
	unsigned short ws_xpixel;
	unsigned short ws_ypixel;
};

/* Linux's generic request encoding (asm-generic/ioctl.h), for FICLONE,
 * FS_IOC_GETFLAGS and friends: the requests then simply fail (ENOTTY). */
#define _IOC(dir, type, nr, size) \
	((unsigned)(((dir) << 30) | ((size) << 16) | ((type) << 8) | (nr)))
#define _IO(type, nr)         _IOC(0U, (type), (nr), 0)
#define _IOW(type, nr, arg)   _IOC(1U, (type), (nr), sizeof(arg))
#define _IOR(type, nr, arg)   _IOC(2U, (type), (nr), sizeof(arg))
#define _IOWR(type, nr, arg)  _IOC(3U, (type), (nr), sizeof(arg))

#define TCGETS          0x5401
#define TCSETS          0x5402
#define TCSETSW         0x5403
#define TCSETSF         0x5404
#define TCGETA          0x5405
#define TCSETA          0x5406
#define TCSETAW         0x5407
#define TCSETAF         0x5408
#define TCSBRK          0x5409
#define TCXONC          0x540A
#define TCFLSH          0x540B
#define TIOCEXCL        0x540C
#define TIOCNXCL        0x540D
#define TIOCSCTTY       0x540E
#define TIOCGPGRP       0x540F
#define TIOCSPGRP       0x5410
#define TIOCOUTQ        0x5411
#define TIOCSTI         0x5412
#define TIOCGWINSZ      0x5413
#define TIOCSWINSZ      0x5414
#define TIOCMGET        0x5415
#define TIOCMBIS        0x5416
#define TIOCMBIC        0x5417
#define TIOCMSET        0x5418
#define TIOCGSOFTCAR    0x5419
#define TIOCSSOFTCAR    0x541A
#define TIOCINQ         FIONREAD
#define TIOCLINUX       0x541C
#define TIOCCONS        0x541D
#define TIOCGSERIAL     0x541E
#define TIOCSSERIAL     0x541F
#define TIOCPKT         0x5420
#define TIOCNOTTY       0x5422
#define TIOCSETD        0x5423
#define TIOCGETD        0x5424
#define TCSBRKP         0x5425
#define TIOCSBRK        0x5427
#define TIOCCBRK        0x5428
#define TIOCGSID        0x5429
#define TIOCGPTN        0x80045430
#define TIOCSPTLCK      0x40045431
#define TIOCVHANGUP     0x5437
#define FIONCLEX        0x5450
#define FIOCLEX         0x5451
#define FIOASYNC        0x5452
#define TIOCSERGETLSR   0x5459
#define TIOCMIWAIT      0x545C
#define TIOCGICOUNT     0x545D
#define FIOQSIZE        0x5460

#define TIOCM_LE        0x001
#define TIOCM_DTR       0x002
#define TIOCM_RTS       0x004
#define TIOCM_ST        0x008
#define TIOCM_SR        0x010
#define TIOCM_CTS       0x020
#define TIOCM_CAR       0x040
#define TIOCM_RNG       0x080
#define TIOCM_DSR       0x100
#define TIOCM_CD        TIOCM_CAR
#define TIOCM_RI        TIOCM_RNG

#define TIOCSER_TEMT    1

/* A socket's requests (linux/sockios.h).  The kernel answers the network
 * interface queries (SIOCGIF*) for the container's loopback; the others
 * fail as on a container that may not change its interfaces (EPERM). */
#define SIOCADDRT       0x890B
#define SIOCDELRT       0x890C
#define SIOCGIFNAME     0x8910
#define SIOCGIFCONF     0x8912
#define SIOCGIFFLAGS    0x8913
#define SIOCSIFFLAGS    0x8914
#define SIOCGIFADDR     0x8915
#define SIOCSIFADDR     0x8916
#define SIOCGIFDSTADDR  0x8917
#define SIOCSIFDSTADDR  0x8918
#define SIOCGIFBRDADDR  0x8919
#define SIOCSIFBRDADDR  0x891a
#define SIOCGIFNETMASK  0x891b
#define SIOCSIFNETMASK  0x891c
#define SIOCGIFMETRIC   0x891d
#define SIOCSIFMETRIC   0x891e
#define SIOCGIFMTU      0x8921
#define SIOCSIFMTU      0x8922
#define SIOCSIFNAME     0x8923
#define SIOCSIFHWADDR   0x8924
#define SIOCGIFHWADDR   0x8927
#define SIOCADDMULTI    0x8931
#define SIOCDELMULTI    0x8932
#define SIOCGIFINDEX    0x8933
#define SIOGIFINDEX     SIOCGIFINDEX
#define SIOCDIFADDR     0x8936
#define SIOCGIFTXQLEN   0x8942
#define SIOCSIFTXQLEN   0x8943
#define SIOCDARP        0x8953
#define SIOCGARP        0x8954
#define SIOCSARP        0x8955
#define SIOCGIFMAP      0x8970
#define SIOCSIFMAP      0x8971

#ifdef __cplusplus
}
#endif

#endif
