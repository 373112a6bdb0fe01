/* Why this file exists: wasi-libc's <sys/time.h> hides interval timers,
 * settimeofday/adjtime and futimes/lutimes.  compat/time.c defines them:
 * timers and clock setting fail (ENOSYS / EPERM), futimes/lutimes are real
 * (they map onto futimens/utimensat). */
#ifndef OVERBOX_COMPAT_SYS_TIME_H
#define OVERBOX_COMPAT_SYS_TIME_H

#include_next <sys/time.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ITIMER_REAL    0
#define ITIMER_VIRTUAL 1
#define ITIMER_PROF    2

struct itimerval {
	struct timeval it_interval;
	struct timeval it_value;
};
int getitimer(int, struct itimerval *);
int setitimer(int, const struct itimerval *__restrict, struct itimerval *__restrict);
int settimeofday(const struct timeval *, const struct timezone *);
int adjtime(const struct timeval *, struct timeval *);
int futimes(int, const struct timeval [2]);
int lutimes(const char *, const struct timeval [2]);

#ifdef __cplusplus
}
#endif

#endif
