/* Why this file exists: wasi-libc's <stdlib.h> hides the temp-file and path
 * functions (mkstemp, mkdtemp, mktemp, realpath), the pseudo-terminal
 * functions and getloadavg.  They are declared here and defined in
 * compat/fs.c (temp files, realpath: real implementations) and
 * compat/tty.c (pty calls fail with ENOSYS, getloadavg with -1). */
#ifndef OVERBOX_COMPAT_STDLIB_H
#define OVERBOX_COMPAT_STDLIB_H

#include_next <stdlib.h>

#ifdef __cplusplus
extern "C" {
#endif

int mkstemp(char *);
int mkostemp(char *, int);
int mkstemps(char *, int);
int mkostemps(char *, int, int);
char *mkdtemp(char *);
char *mktemp(char *);
char *realpath(const char *__restrict, char *__restrict);
int posix_openpt(int);
int grantpt(int);
int unlockpt(int);
char *ptsname(int);
int ptsname_r(int, char *, size_t);
int getloadavg(double *, int);
void *valloc(size_t);
void *memalign(size_t, size_t);

#ifdef __cplusplus
}
#endif

#endif
