/* Why this file exists: the remaining small gaps in wasi-libc.
 *   - syslog: there is no /dev/log.  As on Linux with no syslog daemon,
 *     messages are dropped, except that LOG_PERROR (set by openlog) still
 *     copies them to stderr.
 *   - utmpx: no login records exist (nobody logs in through getty/login),
 *     so reading finds no entries and writing fails with ENOSYS (musl does
 *     the same).
 *   - sysinfo/getloadavg/get_nprocs: WASI cannot ask the system about itself,
 *     so these read the /proc files the overbox filesystem may provide
 *     (/proc/uptime, /proc/loadavg, /proc/meminfo, /proc/cpuinfo), as the
 *     Linux versions effectively do, and fail (ENOSYS) when those are absent.
 *   - getusershell reads /etc/shells.
 *   - flockfile and friends: one thread, nothing to lock.
 *   - valloc/memalign: aligned_alloc.
 *   - klogctl: there is no kernel log buffer (ENOSYS). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <syslog.h>
#include <unistd.h>
#include <utmpx.h>

/* ---- syslog ---- */

static const char *log_ident;
static int log_options;
static int log_mask = 0xff;

void openlog(const char *ident, int option, int facility)
{
	(void)facility;
	log_ident = ident;
	log_options = option;
}

void closelog(void)
{
	log_ident = NULL;
	log_options = 0;
}

int setlogmask(int mask)
{
	int old = log_mask;

	if (mask)
		log_mask = mask;
	return old;
}

void vsyslog(int prio, const char *fmt, va_list ap)
{
	if (!(log_mask & LOG_MASK(LOG_PRI(prio))) || !(log_options & LOG_PERROR))
		return;
	if (log_ident)
		fprintf(stderr, "%s: ", log_ident);
	vfprintf(stderr, fmt, ap);
	if (!*fmt || fmt[strlen(fmt) - 1] != '\n')
		fputc('\n', stderr);
}

void syslog(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsyslog(prio, fmt, ap);
	va_end(ap);
}

/* ---- utmpx ---- */

void setutxent(void) { }
void endutxent(void) { }
struct utmpx *getutxent(void) { return NULL; }
struct utmpx *getutxid(const struct utmpx *ut) { (void)ut; return NULL; }
struct utmpx *getutxline(const struct utmpx *ut) { (void)ut; return NULL; }

struct utmpx *pututxline(const struct utmpx *ut)
{
	(void)ut;
	errno = ENOSYS;
	return NULL;
}

int utmpxname(const char *file)
{
	(void)file;
	errno = ENOSYS;
	return -1;
}

void updwtmpx(const char *file, const struct utmpx *ut)
{
	(void)file; (void)ut;
}

/* ---- /proc readers ---- */

static int read_file(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = 0;
	return (int)n;
}

int getloadavg(double *loads, int n)
{
	char buf[128];
	double l[3];

	if (n < 0 || read_file("/proc/loadavg", buf, sizeof(buf)) < 0
	 || sscanf(buf, "%lf %lf %lf", &l[0], &l[1], &l[2]) != 3)
		return -1;
	if (n > 3)
		n = 3;
	for (int i = 0; i < n; i++)
		loads[i] = l[i];
	return n;
}

static unsigned long meminfo_kib(const char *text, const char *key)
{
	const char *p = text;
	size_t klen = strlen(key);

	while (p && *p) {
		if (strncmp(p, key, klen) == 0 && p[klen] == ':')
			return strtoul(p + klen + 1, NULL, 10);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return 0;
}

int sysinfo(struct sysinfo *si)
{
	char buf[4096];
	double up, l[3];

	if (read_file("/proc/uptime", buf, sizeof(buf)) < 0 || sscanf(buf, "%lf", &up) != 1
	 || read_file("/proc/meminfo", buf, sizeof(buf)) < 0) {
		errno = ENOSYS;
		return -1;
	}
	memset(si, 0, sizeof(*si));
	si->uptime = (unsigned long)up;
	si->mem_unit = 1024;
	si->totalram = meminfo_kib(buf, "MemTotal");
	si->freeram = meminfo_kib(buf, "MemFree");
	si->sharedram = meminfo_kib(buf, "Shmem");
	si->bufferram = meminfo_kib(buf, "Buffers");
	si->totalswap = meminfo_kib(buf, "SwapTotal");
	si->freeswap = meminfo_kib(buf, "SwapFree");
	if (getloadavg(l, 3) == 3)
		for (int i = 0; i < 3; i++)
			si->loads[i] = (unsigned long)(l[i] * (1 << SI_LOAD_SHIFT));
	si->procs = 1;
	return 0;
}

int get_nprocs_conf(void)
{
	char line[256];
	int n = 0;
	FILE *f = fopen("/proc/cpuinfo", "r");

	if (f) {
		while (fgets(line, sizeof(line), f))
			if (strncmp(line, "processor", 9) == 0)
				n++;
		fclose(f);
	}
	/* Without /proc/cpuinfo: this module runs on one thread. */
	return n > 0 ? n : 1;
}

int get_nprocs(void)
{
	return get_nprocs_conf();
}

long get_phys_pages(void)
{
	struct sysinfo si;

	if (sysinfo(&si) < 0)
		return -1;
	return (long)((unsigned long long)si.totalram * si.mem_unit / getpagesize());
}

long get_avphys_pages(void)
{
	struct sysinfo si;

	if (sysinfo(&si) < 0)
		return -1;
	return (long)((unsigned long long)si.freeram * si.mem_unit / getpagesize());
}

/* ---- /etc/shells ---- */

static FILE *shells;

void setusershell(void)
{
	if (shells)
		rewind(shells);
}

void endusershell(void)
{
	if (shells)
		fclose(shells);
	shells = NULL;
}

char *getusershell(void)
{
	static char line[256];

	if (!shells && !(shells = fopen("/etc/shells", "r")))
		return NULL;
	while (fgets(line, sizeof(line), shells)) {
		char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		p[strcspn(p, " \t\r\n#")] = 0;
		if (*p == '/')
			return p;
	}
	return NULL;
}

/* ---- odds and ends ---- */

void flockfile(FILE *f) { (void)f; }
int ftrylockfile(FILE *f) { (void)f; return 0; }
void funlockfile(FILE *f) { (void)f; }

void *memalign(size_t align, size_t size)
{
	void *p;

	if (posix_memalign(&p, align < sizeof(void *) ? sizeof(void *) : align, size) != 0)
		return NULL;
	return p;
}

void *valloc(size_t size)
{
	return memalign(getpagesize(), size);
}

int klogctl(int type, char *buf, int len)
{
	(void)type; (void)buf; (void)len;
	errno = ENOSYS;
	return -1;
}
