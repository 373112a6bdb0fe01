/* Why this file exists: libbb.h includes <utmp.h> before <utmpx.h> on
 * non-uClibc systems.  Everything BusyBox uses is in <utmpx.h> (see there);
 * this maps the old names onto it, as musl does. */
#ifndef OVERBOX_COMPAT_UTMP_H
#define OVERBOX_COMPAT_UTMP_H

#include <utmpx.h>
#include <paths.h>

#define ut_time ut_tv.tv_sec
#define ut_name ut_user
#define UT_LINESIZE 32
#define UT_NAMESIZE 32
#define UT_HOSTSIZE 256
#define utmp utmpx
#define setutent setutxent
#define getutent getutxent
#define endutent endutxent
#define pututline pututxline
#define getutid getutxid
#define getutline getutxline
#define utmpname utmpxname
#define updwtmp updwtmpx
#define UTMP_FILE _PATH_UTMP
#define WTMP_FILE _PATH_WTMP

#endif
