/* Why this file exists: a container has a memory limit per process (the
 * cgroup analogue, core/kernel/kernel.ts).  wasi-libc's malloc grows
 * memory only through sbrk(), so sbrk is wrapped (build.sh: --wrap=sbrk)
 * to tell the kernel first; a process past its limit is killed there, with
 * an OOM message, instead of growing until the tab runs out. */
#include <stdint.h>
#include <unistd.h>
#include "overbox.h"

void *__real_sbrk(intptr_t increment);

void *__wrap_sbrk(intptr_t increment)
{
	if (increment > 0) {
		uint64_t now = (uint64_t)__builtin_wasm_memory_size(0) * 65536u;
		overbox_brk(now + (uint64_t)increment);
	}
	return __real_sbrk(increment);
}
