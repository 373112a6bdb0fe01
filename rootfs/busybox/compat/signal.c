/* Why this file exists: WASI has no signals and wasi-libc only offers a bare
 * signal()/raise() emulation (not linked: this file replaces it so that
 * signal() and sigaction() share one table).  Until the process stage
 * delivers real signals:
 *   - signal()/sigaction() record handlers and succeed (nothing can send a
 *     signal from outside, so recording is all that can be done);
 *   - raise() and kill(own pid) run the handler, or the default action
 *     (terminate with exit status 128+sig; ignore for CHLD, URG, WINCH, CONT;
 *     STOP/TSTP/TTIN/TTOU cannot stop anything and are ignored), honouring
 *     the mask set with sigprocmask() (blocked signals stay pending);
 *   - kill() on any other pid fails with ESRCH: there is no other process;
 *   - alarm()/setitimer()/pause()/sigsuspend() would need a timer that can
 *     interrupt running code: they fail with ENOSYS (alarm, which cannot fail,
 *     returns 0 and never fires) rather than hang.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#define NSIGNALS 65	/* signals 1..64 */

static struct sigaction actions[NSIGNALS];
static sigset_t blocked;
static sigset_t pending;

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

static void default_action(int sig)
{
	switch (sig) {
	case SIGCHLD: case SIGURG: case SIGWINCH: case SIGCONT:
	case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
		return;
	default:
		/* A shell reports death by signal N as status 128+N. */
		fflush(NULL);
		_Exit(128 + sig);
	}
}

static void deliver(int sig)
{
	struct sigaction *sa = &actions[sig];
	void (*h)(int) = sa->sa_handler;

	if (h == SIG_IGN)
		return;
	if (h == SIG_DFL) {
		default_action(sig);
		return;
	}
	sigset_t saved = blocked;
	for (size_t i = 0; i < sizeof(blocked.__bits) / sizeof(blocked.__bits[0]); i++)
		blocked.__bits[i] |= sa->sa_mask.__bits[i];
	if (!(sa->sa_flags & SA_NODEFER))
		sigaddset(&blocked, sig);
	if (sa->sa_flags & SA_RESETHAND)
		sa->sa_handler = SIG_DFL;
	if (sa->sa_flags & SA_SIGINFO) {
		siginfo_t info;
		memset(&info, 0, sizeof(info));
		info.si_signo = sig;
		info.si_code = SI_USER;
		info.si_pid = getpid();
		sa->sa_sigaction(sig, &info, NULL);
	} else {
		h(sig);
	}
	blocked = saved;
}

static void deliver_pending(void)
{
	for (int s = 1; s < NSIGNALS; s++) {
		if (sigismember(&pending, s) && !sigismember(&blocked, s)) {
			sigdelset(&pending, s);
			deliver(s);
		}
	}
}

int raise(int sig)
{
	if (bad_signal(sig)) {
		errno = EINVAL;
		return -1;
	}
	if (sigismember(&blocked, sig) && sig != SIGKILL && sig != SIGSTOP) {
		sigaddset(&pending, sig);
		return 0;
	}
	if (sig == SIGKILL) {
		fflush(NULL);
		_Exit(128 + SIGKILL);
	}
	deliver(sig);
	return 0;
}

int kill(pid_t pid, int sig)
{
	if (sig < 0 || sig >= NSIGNALS) {
		errno = EINVAL;
		return -1;
	}
	/* 0 and -1 mean "my group" / "everyone I may signal": just us.
	 * -getpid() is our own process group. */
	if (pid != getpid() && pid != 0 && pid != -1 && pid != -getpid()) {
		errno = ESRCH;
		return -1;
	}
	return sig == 0 ? 0 : raise(sig);
}

int killpg(pid_t pgrp, int sig)
{
	if (pgrp < 0) {
		errno = EINVAL;
		return -1;
	}
	return kill(pgrp == 0 ? 0 : -pgrp, sig);
}

int sigaction(int sig, const struct sigaction *restrict act, struct sigaction *restrict old)
{
	if (bad_signal(sig)
	 || (act && (sig == SIGKILL || sig == SIGSTOP) && act->sa_handler != SIG_DFL)) {
		errno = EINVAL;
		return -1;
	}
	if (old)
		*old = actions[sig];
	if (act) {
		actions[sig] = *act;
		sigdelset(&actions[sig].sa_mask, SIGKILL);
		sigdelset(&actions[sig].sa_mask, SIGSTOP);
		if (act->sa_handler == SIG_IGN)
			sigdelset(&pending, sig);
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

int sigprocmask(int how, const sigset_t *restrict set, sigset_t *restrict old)
{
	if (old)
		*old = blocked;
	if (set) {
		size_t n = sizeof(blocked.__bits) / sizeof(blocked.__bits[0]);
		switch (how) {
		case SIG_BLOCK:
			for (size_t i = 0; i < n; i++)
				blocked.__bits[i] |= set->__bits[i];
			break;
		case SIG_UNBLOCK:
			for (size_t i = 0; i < n; i++)
				blocked.__bits[i] &= ~set->__bits[i];
			break;
		case SIG_SETMASK:
			blocked = *set;
			break;
		default:
			errno = EINVAL;
			return -1;
		}
		sigdelset(&blocked, SIGKILL);
		sigdelset(&blocked, SIGSTOP);
		deliver_pending();
	}
	return 0;
}

int pthread_sigmask(int how, const sigset_t *restrict set, sigset_t *restrict old)
{
	return sigprocmask(how, set, old) < 0 ? errno : 0;
}

int sigpending(sigset_t *set)
{
	*set = pending;
	return 0;
}

/* Waiting for a signal that nothing can send would hang forever. */
int sigsuspend(const sigset_t *mask)
{
	(void)mask;
	errno = ENOSYS;
	return -1;
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
	errno = ENOSYS;
	return -1;
}

int sigqueue(pid_t pid, int sig, union sigval value)
{
	(void)value;
	return kill(pid, sig);
}

int sigaltstack(const stack_t *restrict ss, stack_t *restrict old)
{
	(void)ss; (void)old;
	errno = ENOSYS;
	return -1;
}

int pause(void)
{
	errno = ENOSYS;
	return -1;
}

unsigned alarm(unsigned seconds)
{
	(void)seconds;
	return 0;
}

int getitimer(int which, struct itimerval *value)
{
	(void)which; (void)value;
	errno = ENOSYS;
	return -1;
}

int setitimer(int which, const struct itimerval *restrict value, struct itimerval *restrict old)
{
	(void)which; (void)value; (void)old;
	errno = ENOSYS;
	return -1;
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
