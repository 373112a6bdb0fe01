/* Why this file exists: wasi-libc has no <sys/reboot.h>.  halt, poweroff,
 * reboot and init call reboot(); compat/process.c fails it with ENOSYS until
 * the process stage decides what stopping the container means. */
#ifndef OVERBOX_COMPAT_SYS_REBOOT_H
#define OVERBOX_COMPAT_SYS_REBOOT_H

#ifdef __cplusplus
extern "C" {
#endif

#define RB_AUTOBOOT     0x01234567
#define RB_HALT_SYSTEM  0xcdef0123
#define RB_ENABLE_CAD   0x89abcdef
#define RB_DISABLE_CAD  0
#define RB_POWER_OFF    0x4321fedc
#define RB_SW_SUSPEND   0xd000fce2
#define RB_KEXEC        0x45584543

int reboot(int);

#ifdef __cplusplus
}
#endif

#endif
