/* Why this file exists: wasi-libc has no <sys/klog.h>.  dmesg reads the
 * kernel log with klogctl(); there is no kernel log buffer, so compat/misc.c's
 * klogctl fails with ENOSYS. */
#ifndef OVERBOX_COMPAT_SYS_KLOG_H
#define OVERBOX_COMPAT_SYS_KLOG_H

#ifdef __cplusplus
extern "C" {
#endif

int klogctl(int, char *, int);

#ifdef __cplusplus
}
#endif

#endif
