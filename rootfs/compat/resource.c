/* Why this file exists: WASI has no resource limits, priorities or usage
 * accounting; wasi-libc offers only a wall-clock getrusage.  What is
 * reported here is what is true of a WASI module:
 *   - getrlimit: the stack is the fixed 1 MiB build.sh links in, the address
 *     space is 4 GiB (wasm32), core dumps are impossible (0), open files get
 *     a conventional 1024 (BusyBox loops up to this limit when it closes
 *     descriptors, so "unlimited" would be harmful); everything else is
 *     unlimited because nothing limits it.
 *   - setrlimit: nothing could enforce a new limit, so only setting a limit to
 *     its current value succeeds; anything else is EPERM.
 *   - getpriority/setpriority/nice: the kernel keeps the value per process
 *     (fork copies it, exec keeps it; no scheduler uses it yet); PRIO_PROCESS
 *     of any process, PRIO_PGRP and PRIO_USER of this one only.
 *   - getrusage(RUSAGE_SELF): user time is the wall time since start (there is
 *     no CPU clock; same choice as wasi-libc's emulation), max RSS is the size
 *     of linear memory; RUSAGE_CHILDREN is all zero (there are no children). */
#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include "overbox.h"

#define KIB 1024ULL

static rlim_t limit_value(int res)
{
	switch (res) {
	case RLIMIT_STACK:
		return 1024 * KIB;
	case RLIMIT_AS:
		return 4096ULL * 1024 * KIB;
	case RLIMIT_CORE:
	case RLIMIT_MEMLOCK:
		return 0;
	case RLIMIT_NOFILE:
		return 1024;
	default:
		return RLIM_INFINITY;
	}
}

int getrlimit(int res, struct rlimit *rl)
{
	if (res < 0 || res >= RLIMIT_NLIMITS) {
		errno = EINVAL;
		return -1;
	}
	rl->rlim_cur = rl->rlim_max = limit_value(res);
	return 0;
}

int setrlimit(int res, const struct rlimit *rl)
{
	struct rlimit cur;

	if (getrlimit(res, &cur) < 0)
		return -1;
	if (rl->rlim_cur == cur.rlim_cur && rl->rlim_max == cur.rlim_max)
		return 0;
	errno = EPERM;
	return -1;
}

int prlimit(pid_t pid, int res, const struct rlimit *new, struct rlimit *old)
{
	if (pid != 0 && pid != getpid()) {
		errno = ESRCH;
		return -1;
	}
	if (old && getrlimit(res, old) < 0)
		return -1;
	return new ? setrlimit(res, new) : 0;
}

/* The process the request names, or -1 with errno set. */
static int target(int which, id_t who)
{
	switch (which) {
	case PRIO_PROCESS:
		return (int)who;
	case PRIO_PGRP:
		if (who == 0 || who == (id_t)getpgrp())
			return 0;
		errno = ESRCH;
		return -1;
	case PRIO_USER:
		if (who == 0)	/* root, the only user running anything */
			return 0;
		errno = ESRCH;
		return -1;
	default:
		errno = EINVAL;
		return -1;
	}
}

int getpriority(int which, id_t who)
{
	int32_t now;
	int pid = target(which, who);

	if (pid < 0)
		return -1;
	if ((errno = overbox_priority(pid, OVERBOX_PRIORITY_READ, &now)) != 0)
		return -1;
	return now;
}

int setpriority(int which, id_t who, int prio)
{
	int32_t was;
	int pid = target(which, who);

	if (pid < 0)
		return -1;
	if (prio < PRIO_MIN)
		prio = PRIO_MIN;
	if (prio > PRIO_MAX - 1)
		prio = PRIO_MAX - 1;
	if ((errno = overbox_priority(pid, prio, &was)) != 0)
		return -1;
	return 0;
}

int nice(int inc)
{
	int now = getpriority(PRIO_PROCESS, 0);

	if (now == -1 && errno)
		return -1;
	if (setpriority(PRIO_PROCESS, 0, now + inc) < 0)
		return -1;
	return getpriority(PRIO_PROCESS, 0);
}

int getrusage(int who, struct rusage *ru)
{
	memset(ru, 0, sizeof(*ru));
	switch (who) {
	case RUSAGE_SELF:
	case RUSAGE_THREAD: {
		/* clock() is wasi-libc's wall-clock-since-start emulation. */
		clock_t c = clock();
		ru->ru_utime.tv_sec = c / CLOCKS_PER_SEC;
		ru->ru_utime.tv_usec = (c % CLOCKS_PER_SEC) * (1000000 / CLOCKS_PER_SEC);
		ru->ru_maxrss = (long)(__builtin_wasm_memory_size(0) * 64);	/* KiB */
		return 0;
	}
	case RUSAGE_CHILDREN:
		return 0;
	default:
		errno = EINVAL;
		return -1;
	}
}
