/* Why this file exists: wasi-libc ships no <utmpx.h>.  who, w, users, last
 * and login's bookkeeping use the login-records API.  compat/utmp.c behaves
 * like musl's: there is no login-record database (nobody logs in through
 * getty/login here), so reading returns no entries and writing is refused
 * with ENOSYS. */
#ifndef OVERBOX_COMPAT_UTMPX_H
#define OVERBOX_COMPAT_UTMPX_H

#include <features.h>
#include <sys/types.h>
#include <sys/time.h>

#ifdef __cplusplus
extern "C" {
#endif

struct utmpx {
	short ut_type;
	short __ut_pad1;
	pid_t ut_pid;
	char ut_line[32];
	char ut_id[4];
	char ut_user[32];
	char ut_host[256];
	struct {
		short __e_termination;
		short __e_exit;
	} ut_exit;
	int ut_session, __ut_pad2;
	struct timeval ut_tv;
	unsigned ut_addr_v6[4];
	char __unused[20];
};

void endutxent(void);
struct utmpx *getutxent(void);
struct utmpx *getutxid(const struct utmpx *);
struct utmpx *getutxline(const struct utmpx *);
struct utmpx *pututxline(const struct utmpx *);
void setutxent(void);
int utmpxname(const char *);
void updwtmpx(const char *, const struct utmpx *);

#define EMPTY           0
#define RUN_LVL         1
#define BOOT_TIME       2
#define NEW_TIME        3
#define OLD_TIME        4
#define INIT_PROCESS    5
#define LOGIN_PROCESS   6
#define USER_PROCESS    7
#define DEAD_PROCESS    8

#define _PATH_UTMPX "/var/run/utmp"
#define _PATH_WTMPX "/var/log/wtmp"

#ifdef __cplusplus
}
#endif

#endif
