/* Why this file exists: small allocations are a hot spot of programs that
 * make and drop a few strings per input line.  BusyBox's awk summing a
 * million numbers spent about a quarter of its time in wasi-libc's dlmalloc
 * and dlfree (bench/: awk about 2x native), where glibc answers the same
 * calls from a per-thread cache (tcache) in a few instructions.
 *
 * This is that cache, in front of dlmalloc (build.sh: --wrap=malloc,
 * --wrap=free, --wrap=calloc): a freed block of at most MAX usable bytes is
 * kept on a LIFO list of its size class instead of going back to dlmalloc,
 * and a malloc of a size that class serves takes it back.  A block stays a
 * block dlmalloc has handed out, so realloc, malloc_usable_size and a later
 * real free of it work as before.  A block freed twice while on a list is
 * caught, as glibc's tcache catches it ("free(): double free detected",
 * then abort), rather than handed out twice.
 *
 * Classes are GRAIN bytes apart.  A freed block goes to the largest class
 * whose size its usable size covers (floor), and a request to the smallest
 * class that covers it (ceiling), so every block on a list is big enough
 * for every request that list serves.  Each list holds at most KEEP blocks;
 * past that, frees go to dlmalloc, so the cache holds at most
 * KEEP * (GRAIN + 2 GRAIN + ... + MAX) bytes (about 0.5 MiB).  There is one
 * cache per process: a program here has one thread, and fork copies the
 * cache with the rest of the memory. */
#include <malloc.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *__real_malloc(size_t size);
void __real_free(void *ptr);
void *__real_calloc(size_t count, size_t size);

#define GRAIN 16u
#define MAX 512u
#define CLASSES (MAX / GRAIN + 1)
#define KEEP 64u

struct block {
	struct block *next;
	/* KEPT while the block is on a list: a second free of it is caught
	 * (as glibc's tcache does) instead of handing it out twice. */
	const void *kept;
};

#define KEPT ((const void *)lists)

static struct block *lists[CLASSES];
static unsigned short counts[CLASSES];

void *__wrap_malloc(size_t size)
{
	if (size <= MAX) {
		size_t c = size == 0 ? 1 : (size + GRAIN - 1) / GRAIN;
		struct block *b = lists[c];
		if (b) {
			lists[c] = b->next;
			counts[c]--;
			b->kept = NULL;
			return b;
		}
	}
	return __real_malloc(size);
}

void __wrap_free(void *ptr)
{
	if (!ptr)
		return;
	size_t usable = malloc_usable_size(ptr);
	if (usable >= GRAIN && usable <= MAX) {
		size_t c = usable / GRAIN;
		struct block *b = ptr;
		if (b->kept == KEPT) {
			for (struct block *k = lists[c]; k; k = k->next) {
				if (k == b) {
					static const char said[] = "free(): double free detected\n";
					write(2, said, sizeof said - 1);
					abort();
				}
			}
		}
		if (counts[c] < KEEP) {
			b->kept = KEPT;
			b->next = lists[c];
			lists[c] = b;
			counts[c]++;
			return;
		}
	}
	__real_free(ptr);
}

void *__wrap_calloc(size_t count, size_t size)
{
	size_t bytes;
	if (__builtin_mul_overflow(count, size, &bytes) || bytes > MAX)
		return __real_calloc(count, size);
	void *ptr = __wrap_malloc(bytes);
	if (ptr)
		memset(ptr, 0, bytes);
	return ptr;
}
