/* Why this file exists: <sys/vfs.h> is the old name of <sys/statfs.h>,
 * which wasi-libc lacks (see that file). */
#include <sys/statfs.h>
