/* Why this file exists: wasi-libc (2022) ships no <setjmp.h>; without
 * setjmp/longjmp ash aborts on every syntax error and every `exit`.
 * clang-19 lowers setjmp()/longjmp() calls itself when compiling with
 * `-mllvm -enable-emscripten-sjlj` (Emscripten-style: calls through the
 * kernel's env.invoke_* imports and a JavaScript exception, not WebAssembly
 * exception handling, which Binaryen's Asyncify cannot unwind through);
 * compat/em_sjlj.c supplies the small runtime the lowered code calls.  The
 * lowering recognises calls to the functions named setjmp and longjmp, so
 * the sig* and _* variants are macros onto them (there is no signal mask to
 * save).  jmp_buf only needs room for the runtime's record (see em_sjlj.c);
 * it keeps musl's size so that code which embeds a jmp_buf in a struct has
 * the same layout as on Linux musl. */
#ifndef OVERBOX_COMPAT_SETJMP_H
#define OVERBOX_COMPAT_SETJMP_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct __jmp_buf_tag {
	unsigned long long __jb[8];
	unsigned long __fl;
	unsigned long __ss[128 / sizeof(long)];
} jmp_buf[1];
typedef jmp_buf sigjmp_buf;

int setjmp(jmp_buf) __attribute__((__returns_twice__));
_Noreturn void longjmp(jmp_buf, int);

#define _setjmp(env) setjmp(env)
#define _longjmp(env, val) longjmp(env, val)
#define sigsetjmp(env, savemask) setjmp(env)
#define siglongjmp(env, val) longjmp(env, val)

#ifdef __cplusplus
}
#endif

#endif
