/**
 * setjmp/longjmp for programs built with clang's Emscripten-style lowering
 * (`-mllvm -enable-emscripten-sjlj`, rootfs/busybox/build.sh): a function
 * that calls setjmp makes its other calls through `env.invoke_SIG(fn,
 * ...args)`, and longjmp (rootfs/compat) records its target and
 * calls `overbox.throw_longjmp`, which throws. The invoke that catches it
 * restores the stack pointer and sets `__THREW__`, and the lowered code
 * jumps to the setjmp that matches.
 *
 * Why not WebAssembly exception handling: Asyncify, which pauses programs,
 * cannot unwind through it. These invokes keep no state of their own, so
 * Asyncify can unwind through them: when the program is rewound, the
 * caller calls the invoke again with the same arguments and it calls on.
 */

interface SjljExports {
  __indirect_function_table: WebAssembly.Table;
  __stack_pointer: WebAssembly.Global;
  /** Addresses (exported data symbols) of the two words the lowering reads. */
  __THREW__: WebAssembly.Global;
  __threwValue: WebAssembly.Global;
  memory: WebAssembly.Memory;
}

const invokes = new WeakMap<WebAssembly.Module, string[]>();

/** The `env.invoke_*` a module imports, asked of it once (Module.imports is slow for every fork and exec). */
function invokeNames(module: WebAssembly.Module): string[] {
  let names = invokes.get(module);
  if (!names) {
    names = WebAssembly.Module.imports(module)
      .filter((i) => i.module === "env" && i.name.startsWith("invoke_"))
      .map((i) => i.name);
    invokes.set(module, names);
  }
  return names;
}

/** Thrown by `throw_longjmp`, caught by the innermost invoke. */
const LONGJMP = Symbol("longjmp");

export class Sjlj {
  private exports: SjljExports | null = null;
  /**
   * The stack pointer each invoke on the stack was entered with, by its
   * depth among them. An invoke re-entered by a rewind must restore its
   * own, not the deeper one the paused stack has now (that would leak C
   * stack at every longjmp after a pause): an unwind leaves the entries,
   * and a rewind re-enters the invokes outermost first and takes them back.
   * Entries past the current depth are stale and simply overwritten.
   */
  private readonly entered: number[] = [];
  private depth = 0;
  /**
   * Set by the program while Asyncify rewinds (program.ts), until the call
   * that paused is reached again: kept here rather than asked of the
   * instance, because every invoke needs it and a call into wasm for it
   * costs more than the invoke itself.
   */
  rewinding = false;

  /** No invoke is entered and no rewind is under way: the instance may run another process (instance-pool.ts). */
  get idle(): boolean {
    return this.depth === 0 && !this.rewinding;
  }

  /** `env.invoke_*` for every one the module imports. */
  imports(module: WebAssembly.Module): WebAssembly.ModuleImports {
    const out: WebAssembly.ModuleImports = {};
    // The function table never changes: each callee is looked up once.
    const callees: Array<(...a: unknown[]) => unknown> = [];
    for (const name of invokeNames(module)) {
      // invoke_jSIG returns an i64: its "nothing" is 0n.
      const zero = name.startsWith("invoke_j") ? 0n : 0;
      out[name] = (fn: number, ...args: unknown[]) => {
        const ex = this.exports!;
        const depth = this.depth++;
        if (!this.rewinding) this.entered[depth] = ex.__stack_pointer.value as number;
        const callee = (callees[fn] ??= ex.__indirect_function_table.get(fn) as (
          ...a: unknown[]
        ) => unknown);
        try {
          return callee(...args);
        } catch (e) {
          if (e !== LONGJMP) throw e;
          ex.__stack_pointer.value = this.entered[depth]!;
          const view = new DataView(ex.memory.buffer);
          const threw = ex.__THREW__.value as number;
          if (view.getUint32(threw, true) === 0) {
            view.setUint32(threw, 1, true);
            view.setUint32(ex.__threwValue.value as number, 0, true);
          }
          return zero;
        } finally {
          this.depth = depth;
        }
      };
    }
    return out;
  }

  /** The `overbox.throw_longjmp` import. */
  throwLongjmp = (): never => {
    throw LONGJMP;
  };

  /** A fork child rewinds the same stack as its parent: it takes the parent's record of the invokes on it. */
  copyFrom(parent: Sjlj): void {
    this.entered.splice(0, this.entered.length, ...parent.entered);
  }

  attach(instance: WebAssembly.Instance): void {
    this.exports = instance.exports as unknown as SjljExports;
  }
}
