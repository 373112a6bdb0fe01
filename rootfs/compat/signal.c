/* Why this file exists: WASI has no signals, and wasi-libc only offers a
 * bare signal()/raise() emulation (not linked: this file replaces it).  The
 * overbox kernel keeps each process's signal state (which signals are
 * ignored, caught or default; the blocked set; what is pending) and acts on
 * default actions itself (terminate, stop, continue); this file keeps the
 * handlers, tells the kernel about them, and runs one when the kernel calls
 * the exported overbox_signal() (on the way back from a system call or at a
 * time-slice point, compat/tick.c).  core/wasi/README.md has the ABI.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>
#include "overbox.h"

#define NSIGNALS 65	/* signals 1..64 */

static struct sigaction actions[NSIGNALS];

/* wasi-libc's header makes SIG_IGN and SIG_ERR the addresses of these two
 * functions (1 and -1 are valid function pointers on wasm). */
void __SIG_IGN(int sig) { (void)sig; }
void __SIG_ERR(int sig) { (void)sig; }

#define WORD_BITS (8 * sizeof(unsigned long))

static int bad_signal(int sig)
{
	return sig <= 0 || sig >= NSIGNALS;
}

int sigemptyset(sigset_t *set)
{
	memset(set, 0, sizeof(*set));
	return 0;
}

int sigfillset(sigset_t *set)
{
	memset(set, 0, sizeof(*set));
	for (int s = 1; s < NSIGNALS; s++)
		set->__bits[(s - 1) / WORD_BITS] |= 1UL << ((s - 1) % WORD_BITS);
	return 0;
}

int sigaddset(sigset_t *set, int sig)
{
	if (bad_signal(sig)) {
		errno = EINVAL;
		return -1;
	}
	set->__bits[(sig - 1) / WORD_BITS] |= 1UL << ((sig - 1) % WORD_BITS);
	return 0;
}

int sigdelset(sigset_t *set, int sig)
{
	if (bad_signal(sig)) {
		errno = EINVAL;
		return -1;
	}
	set->__bits[(sig - 1) / WORD_BITS] &= ~(1UL << ((sig - 1) % WORD_BITS));
	return 0;
}

int sigismember(const sigset_t *set, int sig)
{
	if (bad_signal(sig))
		return 0;
	return !!(set->__bits[(sig - 1) / WORD_BITS] & (1UL << ((sig - 1) % WORD_BITS)));
}

int sigisemptyset(const sigset_t *set)
{
	for (size_t i = 0; i < sizeof(set->__bits) / sizeof(set->__bits[0]); i++)
		if (set->__bits[i])
			return 0;
	return 1;
}

/* A program started by exec inherits ignored signals (nohup, a shell's
 * background jobs): the kernel knows them; the table here starts from it. */
__attribute__((constructor)) static void inherit_ignored(void)
{
	for (int s = 1; s < NSIGNALS; s++) {
		int32_t now;
		if (overbox_sigaction(s, -1, &now) == 0 && now == OVERBOX_SIG_IGNORE)
			actions[s].sa_handler = SIG_IGN;
	}
}

/* Called by the kernel (an export): runs the handler of `sig`. The kernel
 * delivers no other signal until it returns. */
__attribute__((export_name("overbox_signal"))) void overbox_signal(int sig)
{
	struct sigaction *sa;
	sigset_t mask, saved;

	if (bad_signal(sig))
		return;
	sa = &actions[sig];
	if (sa->sa_handler == SIG_DFL || sa->sa_handler == SIG_IGN)
		return;
	mask = sa->sa_mask;
	if (!(sa->sa_flags & SA_NODEFER))
		sigaddset(&mask, sig);
	sigprocmask(SIG_BLOCK, &mask, &saved);
	if (sa->sa_flags & SA_SIGINFO) {
		siginfo_t info;
		void (*action)(int, siginfo_t *, void *) = sa->sa_sigaction;
		memset(&info, 0, sizeof(info));
		info.si_signo = sig;
		info.si_code = SI_USER;
		if (sa->sa_flags & SA_RESETHAND)
			signal(sig, SIG_DFL);
		action(sig, &info, NULL);
	} else {
		void (*handler)(int) = sa->sa_handler;
		if (sa->sa_flags & SA_RESETHAND)
			signal(sig, SIG_DFL);
		handler(sig);
	}
	sigprocmask(SIG_SETMASK, &saved, NULL);
}

static int result(int32_t err)
{
	if (err == 0)
		return 0;
	errno = err;
	return -1;
}

int kill(pid_t pid, int sig)
{
	if (sig < 0 || sig >= NSIGNALS)
		return result(EINVAL);
	return result(overbox_kill(pid, sig));
}

/* Linux delivers a signal a process sends itself before kill returns; so
 * does the kernel here, on the way back from the call. */
int raise(int sig)
{
	if (bad_signal(sig))
		return result(EINVAL);
	return kill(getpid(), sig);
}

int killpg(pid_t pgrp, int sig)
{
	if (pgrp < 0)
		return result(EINVAL);
	return kill(pgrp == 0 ? 0 : -pgrp, sig);
}

int sigaction(int sig, const struct sigaction *restrict act, struct sigaction *restrict old)
{
	if (bad_signal(sig)
	 || (act && (sig == SIGKILL || sig == SIGSTOP) && act->sa_handler != SIG_DFL))
		return result(EINVAL);
	if (old)
		*old = actions[sig];
	if (act) {
		int32_t how = act->sa_handler == SIG_DFL ? OVERBOX_SIG_DEFAULT
			: act->sa_handler == SIG_IGN ? OVERBOX_SIG_IGNORE
			: act->sa_flags & SA_RESTART ? OVERBOX_SIG_CATCH_RESTART
			: OVERBOX_SIG_CATCH;
		if (overbox_sigaction(sig, how, NULL) != 0 && sig != SIGKILL && sig != SIGSTOP)
			return result(EINVAL);
		actions[sig] = *act;
		sigdelset(&actions[sig].sa_mask, SIGKILL);
		sigdelset(&actions[sig].sa_mask, SIGSTOP);
	}
	return 0;
}

void (*signal(int sig, void (*handler)(int)))(int)
{
	struct sigaction sa, old;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sa.sa_flags = SA_RESTART;
	if (sigaction(sig, &sa, &old) < 0)
		return SIG_ERR;
	return old.sa_handler;
}

int siginterrupt(int sig, int flag)
{
	struct sigaction sa;

	if (sigaction(sig, NULL, &sa) < 0)
		return -1;
	if (flag)
		sa.sa_flags &= ~SA_RESTART;
	else
		sa.sa_flags |= SA_RESTART;
	return sigaction(sig, &sa, NULL);
}

/* The kernel keeps the blocked set (SIGKILL and SIGSTOP never in it). */
int sigprocmask(int how, const sigset_t *restrict set, sigset_t *restrict old)
{
	uint32_t was[2];

	if (set && how != SIG_BLOCK && how != SIG_UNBLOCK && how != SIG_SETMASK)
		return result(EINVAL);
	if (result(overbox_sigmask(set ? how : -1, set ? set->__bits[0] : 0,
				   set ? set->__bits[1] : 0, was)) < 0)
		return -1;
	if (old) {
		memset(old, 0, sizeof(*old));
		old->__bits[0] = was[0];
		old->__bits[1] = was[1];
	}
	return 0;
}

int pthread_sigmask(int how, const sigset_t *restrict set, sigset_t *restrict old)
{
	return sigprocmask(how, set, old) < 0 ? errno : 0;
}

int sigpending(sigset_t *set)
{
	uint32_t now[2];

	if (result(overbox_sigpending(now)) < 0)
		return -1;
	memset(set, 0, sizeof(*set));
	set->__bits[0] = now[0];
	set->__bits[1] = now[1];
	return 0;
}

int sigsuspend(const sigset_t *mask)
{
	return result(overbox_sigsuspend(mask->__bits[0], mask->__bits[1]));
}

int pause(void)
{
	sigset_t now;

	if (sigprocmask(SIG_BLOCK, NULL, &now) < 0)
		return -1;
	return sigsuspend(&now);
}

int sigwait(const sigset_t *restrict set, int *restrict sig)
{
	(void)set; (void)sig;
	return ENOSYS;
}

int sigtimedwait(const sigset_t *restrict set, siginfo_t *restrict info,
		 const struct timespec *restrict timeout)
{
	(void)set; (void)info; (void)timeout;
	return result(ENOSYS);
}

int sigqueue(pid_t pid, int sig, union sigval value)
{
	(void)value;
	return kill(pid, sig);
}

int sigaltstack(const stack_t *restrict ss, stack_t *restrict old)
{
	(void)ss; (void)old;
	return result(ENOSYS);
}

static uint64_t usec_of(const struct timeval *tv)
{
	return (uint64_t)tv->tv_sec * 1000000u + (uint64_t)tv->tv_usec;
}

static struct timeval timeval_of(uint64_t us)
{
	struct timeval tv = { (time_t)(us / 1000000u), (suseconds_t)(us % 1000000u) };
	return tv;
}

unsigned alarm(unsigned seconds)
{
	uint64_t old[2] = { 0, 0 };

	overbox_alarm((uint64_t)seconds * 1000000u, 0, old);
	return (unsigned)((old[0] + 999999u) / 1000000u);
}

int getitimer(int which, struct itimerval *value)
{
	uint64_t old[2];

	if (which != ITIMER_REAL)
		return result(ENOSYS);
	/* Reading means setting the same again. */
	if (result(overbox_alarm(UINT64_MAX, 0, old)) < 0)
		return -1;
	value->it_value = timeval_of(old[0]);
	value->it_interval = timeval_of(old[1]);
	return 0;
}

int setitimer(int which, const struct itimerval *restrict value, struct itimerval *restrict old)
{
	uint64_t was[2];

	if (which != ITIMER_REAL)
		return result(ENOSYS);
	if (result(overbox_alarm(usec_of(&value->it_value), usec_of(&value->it_interval), was)) < 0)
		return -1;
	if (old) {
		old->it_value = timeval_of(was[0]);
		old->it_interval = timeval_of(was[1]);
	}
	return 0;
}

static const char *const signal_names[NSIGNALS] = {
	[SIGHUP] = "Hangup", [SIGINT] = "Interrupt", [SIGQUIT] = "Quit",
	[SIGILL] = "Illegal instruction", [SIGTRAP] = "Trace/breakpoint trap",
	[SIGABRT] = "Aborted", [SIGBUS] = "Bus error",
	[SIGFPE] = "Arithmetic exception", [SIGKILL] = "Killed",
	[SIGUSR1] = "User defined signal 1", [SIGSEGV] = "Segmentation fault",
	[SIGUSR2] = "User defined signal 2", [SIGPIPE] = "Broken pipe",
	[SIGALRM] = "Alarm clock", [SIGTERM] = "Terminated",
	[SIGSTKFLT] = "Stack fault", [SIGCHLD] = "Child process status",
	[SIGCONT] = "Continued", [SIGSTOP] = "Stopped (signal)",
	[SIGTSTP] = "Stopped", [SIGTTIN] = "Stopped (tty input)",
	[SIGTTOU] = "Stopped (tty output)", [SIGURG] = "Urgent I/O condition",
	[SIGXCPU] = "CPU time limit exceeded",
	[SIGXFSZ] = "File size limit exceeded",
	[SIGVTALRM] = "Virtual timer expired", [SIGPROF] = "Profiling timer expired",
	[SIGWINCH] = "Window changed", [SIGIO] = "I/O possible",
	[SIGPWR] = "Power failure", [SIGSYS] = "Bad system call",
};

char *strsignal(int sig)
{
	static char buf[32];

	if (sig > 0 && sig < NSIGNALS && signal_names[sig])
		return (char *)signal_names[sig];
	if (sig >= SIGRTMIN && sig <= SIGRTMAX)
		snprintf(buf, sizeof(buf), "Real-time signal %d", sig - SIGRTMIN);
	else
		snprintf(buf, sizeof(buf), "Unknown signal %d", sig);
	return buf;
}

void psignal(int sig, const char *msg)
{
	if (msg && *msg)
		fprintf(stderr, "%s: %s\n", msg, strsignal(sig));
	else
		fprintf(stderr, "%s\n", strsignal(sig));
}
