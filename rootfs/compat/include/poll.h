/* Why this file exists: wasi-libc's <poll.h> has no POLLPRI (WASI has no
 * out-of-band data); wget asks for it beside POLLIN.  A bit wasi-libc's
 * poll() does not use: it is never reported. */
#ifndef OVERBOX_COMPAT_POLL_H
#define OVERBOX_COMPAT_POLL_H

#include_next <poll.h>

#ifndef POLLPRI
#define POLLPRI 0x0004
#endif

#endif
