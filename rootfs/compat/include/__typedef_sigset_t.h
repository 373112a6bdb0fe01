/* Why this file exists: wasi-libc (2022) defines sigset_t as a one-byte
 * placeholder ("unsigned char"), too small for signal numbers up to 64 that
 * BusyBox puts in sets (SIGCHLD is 17).  This shadows that internal header
 * (same include guard) with musl's real layout, so sigaddset() and friends in
 * compat/signal.c can be honest.  Nothing in wasi-libc's own code reads a
 * sigset_t (pselect/ppoll only pass a pointer along), so the size change is
 * safe. */
#ifndef __wasilibc___typedef_sigset_t_h
#define __wasilibc___typedef_sigset_t_h

typedef struct __sigset_t { unsigned long __bits[128 / sizeof(long)]; } sigset_t;

#endif
