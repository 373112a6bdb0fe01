/* Why this file exists: wasi-libc's <stdio.h> hides popen/pclose, tmpfile,
 * tmpnam and the stdio locking calls.  popen needs a process, so compat's
 * popen fails with ENOSYS; tmpfile creates and unlinks a file in /tmp;
 * flockfile and friends do nothing (there is one thread). */
#ifndef OVERBOX_COMPAT_STDIO_H
#define OVERBOX_COMPAT_STDIO_H

#include_next <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

FILE *popen(const char *, const char *);
int pclose(FILE *);
FILE *tmpfile(void);
char *tmpnam(char *);
char *tempnam(const char *, const char *);
void flockfile(FILE *);
int ftrylockfile(FILE *);
void funlockfile(FILE *);

#ifndef P_tmpdir
#define P_tmpdir "/tmp"
#endif
#ifndef L_tmpnam
#define L_tmpnam 20
#endif

#ifdef __cplusplus
}
#endif

#endif
