/* Why this file exists: the runtime half of setjmp/longjmp.  clang-19, with
 * `-mllvm -wasm-enable-sjlj -mexception-handling`, rewrites every function
 * that calls setjmp() so that:
 *   - setjmp(env) becomes __wasm_setjmp(env, label, id): remember which call
 *     site (label) in which activation of the function (id) filled env;
 *   - longjmp(env, val) becomes __wasm_longjmp(env, val), which throws a
 *     WebAssembly exception with the tag __c_longjmp, carrying &arg;
 *   - the rewritten function catches __c_longjmp exceptions, asks
 *     __wasm_setjmp_test(env, id) whether env belongs to this activation and,
 *     if so, resumes at call site `label` with setjmp() returning arg->val;
 *     otherwise it rethrows.
 * wasi-libc (2022) has no such runtime, so here is ours.  The __c_longjmp tag
 * itself is emitted (weakly) by the compiler in every object that uses it.
 *
 * Design limits, documented for the process stage:
 *   - Binaryen's Asyncify cannot unwind or rewind through functions that use
 *     WebAssembly exception handling (Binaryen issue 5343), so a build that
 *     pauses with Asyncify (blocking reads, fork emulation) needs another
 *     setjmp (for example one built on Asyncify itself) or JSPI.  This file
 *     is the piece to replace then.
 *   - There is no signal mask to save, so sigsetjmp == setjmp (setjmp.h). */
#include <stddef.h>
#include <stdint.h>

/* Our record inside the caller's jmp_buf (which is far larger; see
 * compat/include/setjmp.h). */
struct overbox_jmp_record {
	void *activation;	/* the "func_invocation_id" of the setjmp caller */
	uint32_t label;		/* which setjmp call site in that function, never 0 */
	/* What the exception carries: the compiler-generated catch code reads
	 * env and val back from here (wasm exceptions carry one pointer). */
	struct {
		void *env;
		int val;
	} thrown;
};

_Static_assert(sizeof(struct overbox_jmp_record) <= 64, "must fit in jmp_buf");

void __wasm_setjmp(void *env, uint32_t label, void *activation);
uint32_t __wasm_setjmp_test(void *env, void *activation);
void __wasm_longjmp(void *env, int val);

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

void __wasm_longjmp(void *env, int val)
{
	struct overbox_jmp_record *r = env;

	r->thrown.env = env;
	/* C11 7.13.2.1: longjmp(env, 0) makes setjmp return 1. */
	r->thrown.val = val != 0 ? val : 1;
	__builtin_wasm_throw(1 /* the C_LONGJMP tag, __c_longjmp */, &r->thrown);
}
