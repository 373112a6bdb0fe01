/* Why this file exists: wasi-libc has no group database, so no <grp.h>.
 * As with <pwd.h>, BusyBox's own libpwdgrp (CONFIG_USE_BB_PWD_GRP) parses
 * /etc/group; this header gives struct group and the standard declarations.
 * setgroups() is defined in compat/ids.c. */
#ifndef OVERBOX_COMPAT_GRP_H
#define OVERBOX_COMPAT_GRP_H

#include <features.h>
#include <sys/types.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

struct group {
	char *gr_name;
	char *gr_passwd;
	gid_t gr_gid;
	char **gr_mem;
};

struct group *getgrgid(gid_t);
struct group *getgrnam(const char *);
int getgrgid_r(gid_t, struct group *, char *, size_t, struct group **);
int getgrnam_r(const char *, struct group *, char *, size_t, struct group **);
struct group *getgrent(void);
void endgrent(void);
void setgrent(void);
struct group *fgetgrent(FILE *);
int putgrent(const struct group *, FILE *);
int getgrouplist(const char *, gid_t, gid_t *, int *);
int setgroups(size_t, const gid_t *);
int initgroups(const char *, gid_t);

#ifdef __cplusplus
}
#endif

#endif
