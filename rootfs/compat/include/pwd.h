/* Why this file exists: wasi-libc has no user database, so no <pwd.h>.
 * BusyBox is configured with CONFIG_USE_BB_PWD_GRP: its own libpwdgrp parses
 * /etc/passwd (from the virtual filesystem) and include/pwd_.h renames the
 * functions to bb_internal_*; it only needs struct passwd from here.  The
 * declarations are the standard ones for any other user. */
#ifndef OVERBOX_COMPAT_PWD_H
#define OVERBOX_COMPAT_PWD_H

#include <features.h>
#include <sys/types.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

struct passwd {
	char *pw_name;
	char *pw_passwd;
	uid_t pw_uid;
	gid_t pw_gid;
	char *pw_gecos;
	char *pw_dir;
	char *pw_shell;
};

void setpwent(void);
void endpwent(void);
struct passwd *getpwent(void);
struct passwd *getpwuid(uid_t);
struct passwd *getpwnam(const char *);
int getpwuid_r(uid_t, struct passwd *, char *, size_t, struct passwd **);
int getpwnam_r(const char *, struct passwd *, char *, size_t, struct passwd **);
struct passwd *fgetpwent(FILE *);
int putpwent(const struct passwd *, FILE *);

#ifdef __cplusplus
}
#endif

#endif
