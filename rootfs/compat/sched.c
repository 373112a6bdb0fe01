/* Why this file exists: WASI has no CPU scheduling interface (see
 * include/sched.h).  Answers for the single process: it runs under
 * SCHED_OTHER with priority 0 and may run on every CPU the system reports
 * (get_nprocs(), from /proc/cpuinfo if the filesystem provides it, else 1).
 * Nothing can change the policy or the affinity, so those calls fail with
 * EPERM; other pids do not exist (ESRCH). */
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <unistd.h>

static int not_self(pid_t pid)
{
	if (pid == 0 || pid == getpid())
		return 0;
	errno = ESRCH;
	return 1;
}

int sched_get_priority_max(int policy)
{
	switch (policy) {
	case SCHED_FIFO: case SCHED_RR: return 99;
	case SCHED_OTHER: case SCHED_BATCH: case SCHED_IDLE: return 0;
	default: errno = EINVAL; return -1;
	}
}

int sched_get_priority_min(int policy)
{
	switch (policy) {
	case SCHED_FIFO: case SCHED_RR: return 1;
	case SCHED_OTHER: case SCHED_BATCH: case SCHED_IDLE: return 0;
	default: errno = EINVAL; return -1;
	}
}

int sched_getscheduler(pid_t pid)
{
	return not_self(pid) ? -1 : SCHED_OTHER;
}

int sched_getparam(pid_t pid, struct sched_param *p)
{
	if (not_self(pid))
		return -1;
	memset(p, 0, sizeof(*p));
	return 0;
}

int sched_setparam(pid_t pid, const struct sched_param *p)
{
	if (not_self(pid))
		return -1;
	if (p->sched_priority == 0)
		return 0;
	errno = EINVAL;
	return -1;
}

int sched_setscheduler(pid_t pid, int policy, const struct sched_param *p)
{
	if (not_self(pid))
		return -1;
	if ((policy & ~SCHED_RESET_ON_FORK) == SCHED_OTHER && p->sched_priority == 0)
		return SCHED_OTHER;
	errno = EPERM;
	return -1;
}

int sched_rr_get_interval(pid_t pid, struct timespec *ts)
{
	if (not_self(pid))
		return -1;
	/* SCHED_OTHER processes have no round-robin slice. */
	ts->tv_sec = 0;
	ts->tv_nsec = 0;
	return 0;
}

int __sched_cpucount(size_t size, const cpu_set_t *set)
{
	size_t i;
	int n = 0;

	for (i = 0; i < size; i++)
		n += __builtin_popcount(((const unsigned char *)set)[i]);
	return n;
}

int sched_getcpu(void)
{
	return 0;
}

int sched_getaffinity(pid_t pid, size_t size, cpu_set_t *set)
{
	int n = get_nprocs();

	if (not_self(pid))
		return -1;
	if ((size_t)(n + 7) / 8 > size) {
		errno = EINVAL;
		return -1;
	}
	memset(set, 0, size);
	for (int i = 0; i < n; i++)
		((unsigned char *)set)[i / 8] |= 1u << (i % 8);
	return 0;
}

int sched_setaffinity(pid_t pid, size_t size, const cpu_set_t *set)
{
	(void)size; (void)set;
	if (not_self(pid))
		return -1;
	errno = EPERM;
	return -1;
}
