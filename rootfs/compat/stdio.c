/* Why this file exists: wasi-libc's stdin and stdout buffers are BUFSIZ,
 * 1 KiB, so a program reading a pipe with getc (wc, head, sort, awk) made
 * a system call per KiB, and one writing with putchar (head -c) another;
 * each call into the kernel costs microseconds, not nanoseconds.  Before
 * main, stdin gets a 64 KiB buffer (a pipe's capacity) and stdout 16 KiB,
 * line-buffered on a terminal as libc would have it. */
#include <stdio.h>
#include <unistd.h>

static char stdin_buffer[64 * 1024];
static char stdout_buffer[16 * 1024];

__attribute__((constructor)) void overbox_stdio_buffers(void)
{
	setvbuf(stdin, stdin_buffer, _IOFBF, sizeof(stdin_buffer));
	setvbuf(stdout, stdout_buffer, isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF,
		sizeof(stdout_buffer));
}
