/* Why this file exists: wasi-libc has no time-zone support (localtime() is
 * UTC) and no way to set the clock.  overbox runs in UTC: tzset() has nothing
 * to load, tzname is {"UTC", "UTC"}, timezone and daylight are 0.  The clock
 * belongs to the browser, so setting it (clock_settime, settimeofday, stime,
 * adjtime) fails with EPERM, like an unprivileged process on Linux.  There
 * is no per-process CPU clock id to hand out (ENOENT). */
#include <errno.h>
#include <sys/time.h>
#include <time.h>

char *tzname[2] = { "UTC", "UTC" };
long timezone = 0;
int daylight = 0;

void tzset(void) { }

int clock_settime(clockid_t clk, const struct timespec *ts)
{
	(void)clk; (void)ts;
	errno = EPERM;
	return -1;
}

int settimeofday(const struct timeval *tv, const struct timezone *tz)
{
	(void)tv; (void)tz;
	errno = EPERM;
	return -1;
}

int stime(const time_t *t)
{
	(void)t;
	errno = EPERM;
	return -1;
}

int adjtime(const struct timeval *delta, struct timeval *old)
{
	(void)delta;
	if (old) {
		old->tv_sec = 0;
		old->tv_usec = 0;
	}
	if (delta) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

int clock_getcpuclockid(pid_t pid, clockid_t *clk)
{
	(void)pid; (void)clk;
	return ENOENT;
}
