/* Why this file exists: wasi-libc's <time.h> has no time-zone tables (it is
 * always UTC) and hides tzset, tzname, timezone, daylight, stime and
 * clock_settime.  compat/time.c defines them for UTC; setting the clock fails
 * with EPERM (the browser owns it).  clock() needs _WASI_EMULATED_PROCESS_CLOCKS
 * (wasi-libc's emulation library, linked by build.sh). */
#ifndef OVERBOX_COMPAT_TIME_H
#define OVERBOX_COMPAT_TIME_H

#ifndef _WASI_EMULATED_PROCESS_CLOCKS
#define _WASI_EMULATED_PROCESS_CLOCKS 1
#endif
#include_next <time.h>

#ifdef __cplusplus
extern "C" {
#endif

void tzset(void);
extern char *tzname[2];
extern int daylight;
extern long timezone;
int stime(const time_t *);
int clock_settime(clockid_t, const struct timespec *);
int clock_getcpuclockid(pid_t, clockid_t *);

#ifdef __cplusplus
}
#endif

#endif
