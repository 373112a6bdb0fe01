/* Why this file exists: WASI has no users or groups, and wasi-libc declares
 * none of the id calls.  Until the process stage exists, the one program that
 * runs is root: every get*id() returns 0 and the supplementary group list is
 * {0}, which is what `id` shows for root on Linux.  Asking to become anybody
 * else fails with EPERM (there is no kernel that could enforce it), setting
 * the ids we already have succeeds.  Names come from /etc/passwd and
 * /etc/group through BusyBox's own parser (CONFIG_USE_BB_PWD_GRP). */
#include <errno.h>
#include <grp.h>
#include <string.h>
#include <unistd.h>

uid_t getuid(void) { return 0; }
uid_t geteuid(void) { return 0; }
gid_t getgid(void) { return 0; }
gid_t getegid(void) { return 0; }

int getresuid(uid_t *r, uid_t *e, uid_t *s)
{
	*r = *e = *s = 0;
	return 0;
}

int getresgid(gid_t *r, gid_t *e, gid_t *s)
{
	*r = *e = *s = 0;
	return 0;
}

/* Only "no change" is possible: (id_t)-1 means "leave as is". */
static int only_root(unsigned a, unsigned b, unsigned c)
{
	if ((a == 0 || a == (unsigned)-1) && (b == 0 || b == (unsigned)-1)
	 && (c == 0 || c == (unsigned)-1))
		return 0;
	errno = EPERM;
	return -1;
}

int setuid(uid_t u) { return only_root(u, -1, -1); }
int seteuid(uid_t u) { return only_root(u, -1, -1); }
int setgid(gid_t g) { return only_root(g, -1, -1); }
int setegid(gid_t g) { return only_root(g, -1, -1); }
int setreuid(uid_t r, uid_t e) { return only_root(r, e, -1); }
int setregid(gid_t r, gid_t e) { return only_root(r, e, -1); }
int setresuid(uid_t r, uid_t e, uid_t s) { return only_root(r, e, s); }
int setresgid(gid_t r, gid_t e, gid_t s) { return only_root(r, e, s); }

int getgroups(int size, gid_t list[])
{
	if (size == 0)
		return 1;
	if (size < 0) {
		errno = EINVAL;
		return -1;
	}
	list[0] = 0;
	return 1;
}

int setgroups(size_t size, const gid_t *list)
{
	size_t i;

	for (i = 0; i < size; i++) {
		if (list[i] != 0) {
			errno = EPERM;
			return -1;
		}
	}
	return 0;
}

/* getlogin: there is no login session (no utmp, no controlling terminal),
 * which is also what glibc reports in a container started without one. */
char *getlogin(void)
{
	errno = ENXIO;
	return NULL;
}

int getlogin_r(char *name, size_t size)
{
	(void)name;
	(void)size;
	return ENXIO;
}
