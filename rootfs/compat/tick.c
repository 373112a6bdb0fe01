/* Why this file exists: while a program runs, the kernel's thread runs
 * nothing else, so a loop that makes no system call (ash's
 * `while :; do :; done`) would never see Ctrl-C or let another process
 * run.  ash calls overbox_time_slice() each time it evaluates a command
 * (patches/0004-ash-time-slice-in-evaltree.patch); every TICK_EVERY calls
 * it calls the kernel's tick, where the kernel may pause the program for a
 * moment and deliver signals. */
#include "overbox.h"

#define TICK_EVERY 256

void overbox_time_slice(void);

static unsigned countdown = TICK_EVERY;

void overbox_time_slice(void)
{
	if (--countdown == 0) {
		countdown = TICK_EVERY;
		overbox_tick();
	}
}
