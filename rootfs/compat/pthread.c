/* Why this file exists: the single-threaded <pthread.h> of the compat
 * layer (include/pthread.h says why): once-functions and thread-specific
 * data for a process of one thread. */
#include <errno.h>
#include <pthread.h>

#define KEYS 128

static const void *values[KEYS];
static unsigned char used[KEYS];

int pthread_once(pthread_once_t *once, void (*init)(void)) {
	if (*once == 0) {
		*once = 1;
		init();
	}
	return 0;
}

int pthread_key_create(pthread_key_t *key, void (*destructor)(void *)) {
	(void)destructor; /* run at thread exit, which the only thread has no separate one of */
	for (unsigned k = 0; k < KEYS; k++) {
		if (!used[k]) {
			used[k] = 1;
			values[k] = 0;
			*key = k;
			return 0;
		}
	}
	return EAGAIN;
}

int pthread_key_delete(pthread_key_t key) {
	if (key >= KEYS || !used[key]) return EINVAL;
	used[key] = 0;
	return 0;
}

void *pthread_getspecific(pthread_key_t key) { return key < KEYS ? (void *)values[key] : 0; }

int pthread_setspecific(pthread_key_t key, const void *value) {
	if (key >= KEYS || !used[key]) return EINVAL;
	values[key] = value;
	return 0;
}
