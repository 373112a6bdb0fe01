/* Why this file exists: wasi-libc built for WASI preview 1 without threads
 * has no <pthread.h>, and programs that are thread-safe but never start a
 * thread still call its once and thread-specific-data functions (jq's
 * jv.c and jv_alloc.c). A process here has one thread: these run the
 * once-function once and keep each key's value in a table (pthread.c).
 * pthread_create is not declared: a program that needs threads does not
 * build, rather than failing at run time. */
#ifndef OVERBOX_COMPAT_PTHREAD_H
#define OVERBOX_COMPAT_PTHREAD_H

#ifdef __cplusplus
extern "C" {
#endif

typedef int pthread_once_t;
#define PTHREAD_ONCE_INIT 0
int pthread_once(pthread_once_t *once, void (*init)(void));

typedef unsigned pthread_key_t;
int pthread_key_create(pthread_key_t *key, void (*destructor)(void *));
int pthread_key_delete(pthread_key_t key);
void *pthread_getspecific(pthread_key_t key);
int pthread_setspecific(pthread_key_t key, const void *value);

#ifdef __cplusplus
}
#endif

#endif
