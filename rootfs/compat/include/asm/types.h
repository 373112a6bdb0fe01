/* Why this file exists: see linux/types.h; <asm/types.h> is where older
 * code (BusyBox's ip) asks for the same names. */
#include <linux/types.h>
