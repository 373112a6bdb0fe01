/*
 * Why this file exists: a program paused in a system call (core/wasi/
 * program.ts) has its call stack saved by Binaryen's Asyncify into a buffer
 * in its own memory.  The buffer must be memory nothing else uses: one grown
 * from outside would be taken by malloc, which claims the memory between
 * __heap_base and the memory's end when it starts.  So it is a static array
 * here, and its address and size are exported for the kernel (as data
 * symbols: the exported globals hold their addresses).  It is copied with
 * the rest of memory when a process forks.
 */
#include <stdint.h>

#define OVERBOX_ASYNCIFY_BUFFER_SIZE (128 * 1024)

_Alignas(16) unsigned char overbox_asyncify_buffer[OVERBOX_ASYNCIFY_BUFFER_SIZE];
const uint32_t overbox_asyncify_buffer_size = OVERBOX_ASYNCIFY_BUFFER_SIZE;
