/* Why this file exists: wasi-libc's struct rusage has only ru_utime and
 * ru_stime, but BusyBox's `time` applet reads the Linux fields (ru_maxrss,
 * ru_minflt, ...).  This shadows the internal header (same include guard) with
 * the full Linux layout; compat/resource.c fills it. */
#ifndef __wasilibc___struct_rusage_h
#define __wasilibc___struct_rusage_h

#include <__struct_timeval.h>

struct rusage {
	struct timeval ru_utime;
	struct timeval ru_stime;
	long ru_maxrss;
	long ru_ixrss;
	long ru_idrss;
	long ru_isrss;
	long ru_minflt;
	long ru_majflt;
	long ru_nswap;
	long ru_inblock;
	long ru_oublock;
	long ru_msgsnd;
	long ru_msgrcv;
	long ru_nsignals;
	long ru_nvcsw;
	long ru_nivcsw;
	long __reserved[16];
};

#endif
