/* Why this file exists: the runtime half of setjmp/longjmp.  BusyBox is
 * transformed by Binaryen's Asyncify so that the kernel can pause it in the
 * middle of a system call (rootfs/README.md), and Asyncify cannot unwind or
 * rewind through functions that use WebAssembly exception handling
 * (Binaryen issue 5343).  So setjmp/longjmp are lowered by clang-19's
 * Emscripten-style pass instead (`-mllvm -enable-emscripten-sjlj`, build.sh),
 * which needs no exception handling in the module, only a JavaScript
 * exception thrown and caught outside it.  The pass rewrites every function
 * that calls setjmp() so that:
 *   - setjmp(env) becomes __wasm_setjmp(env, label, id): remember which call
 *     site (label) in which activation of the function (id, the address of a
 *     stack slot of that activation) filled env;
 *   - every call that could longjmp goes through an imported
 *     env.invoke_<signature>(table index, args...): the kernel calls the
 *     function through __indirect_function_table and, if the call throws the
 *     longjmp exception, restores __stack_pointer and returns (a zero of the
 *     return type); the kernel keeps no state, so Asyncify can unwind and
 *     rewind through it (env.invoke_* is among asyncify-imports);
 *   - after each such call the function reads __THREW__ and __threwValue,
 *     asks __wasm_setjmp_test(env, id) whether env belongs to this
 *     activation and, if so, resumes at call site `label` with setjmp()
 *     returning the value (handed over through setTempRet0/getTempRet0);
 *     otherwise it longjmps on with emscripten_longjmp;
 *   - longjmp(env, val) becomes emscripten_longjmp(env, val), which records
 *     env and val in __THREW__ / __threwValue and calls the kernel's
 *     overbox.throw_longjmp, which throws the exception.
 * The pass declares these helpers as env.* imports; defining them here
 * keeps them inside the module (build.sh fails the build if any other env
 * import than invoke_* is left).  The kernel reads and writes __THREW__,
 * __threwValue and __stack_pointer, which build.sh exports, as the
 * Emscripten runtime does (core/wasi/README.md).
 *
 * There is no signal mask to save, so sigsetjmp == setjmp (setjmp.h). */
#include <stddef.h>
#include <stdint.h>
#include "overbox.h"

/* Set by emscripten_longjmp (or by the kernel, for an exception that is not
 * a longjmp), cleared by the generated code before each invoke_. */
uintptr_t __THREW__;
int __threwValue;

/* The second return value of the generated code's helpers. */
static int temp_ret;

int getTempRet0(void);
void setTempRet0(int value);
void __wasm_setjmp(void *env, uint32_t label, void *activation);
uint32_t __wasm_setjmp_test(void *env, void *activation);
_Noreturn void emscripten_longjmp(uintptr_t env, int val);

int getTempRet0(void)
{
	return temp_ret;
}

void setTempRet0(int value)
{
	temp_ret = value;
}

/* Our record inside the caller's jmp_buf (which is far larger; see
 * include/setjmp.h). */
struct overbox_jmp_record {
	void *activation;	/* the setjmp caller's activation ("func_invocation_id") */
	uint32_t label;		/* which setjmp call site in that function, never 0 */
};

_Static_assert(sizeof(struct overbox_jmp_record) <= 64, "must fit in jmp_buf");

void __wasm_setjmp(void *env, uint32_t label, void *activation)
{
	struct overbox_jmp_record *r = env;

	/* label 0 means "not ours" to the generated code; a null activation
	 * would make every test succeed.  Either is a compiler bug. */
	if (label == 0 || activation == NULL)
		__builtin_trap();
	r->activation = activation;
	r->label = label;
}

uint32_t __wasm_setjmp_test(void *env, void *activation)
{
	struct overbox_jmp_record *r = env;

	if (r->label == 0 || activation == NULL)
		__builtin_trap();	/* longjmp to a jmp_buf setjmp never filled */
	return r->activation == activation ? r->label : 0;
}

_Noreturn void emscripten_longjmp(uintptr_t env, int val)
{
	/* As Emscripten's setThrew: the first record wins until the generated
	 * code clears __THREW__ again. */
	if (__THREW__ == 0) {
		__THREW__ = env;
		/* C11 7.13.2.1: longjmp(env, 0) makes setjmp return 1 (and the
		 * generated code takes __threwValue 0 for "not a longjmp"). */
		__threwValue = val != 0 ? val : 1;
	}
	overbox_throw_longjmp();
}
