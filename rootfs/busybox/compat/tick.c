/* Why this file exists: while a program runs, the kernel's thread runs
 * nothing else, so a loop that makes no system call (ash's
 * `while :; do :; done`) would never see Ctrl-C or let another process
 * run.  The shell is compiled with -finstrument-function-entry-bare
 * (build.sh), which calls this function at the entry of each of its
 * functions; every TICK_EVERY calls it calls the kernel's tick, where the
 * kernel may pause the program for a moment and deliver signals. */
#include "overbox.h"

#define TICK_EVERY 4096

static unsigned countdown = TICK_EVERY;

__attribute__((no_instrument_function)) void __cyg_profile_func_enter_bare(void)
{
	if (--countdown == 0) {
		countdown = TICK_EVERY;
		overbox_tick();
	}
}
