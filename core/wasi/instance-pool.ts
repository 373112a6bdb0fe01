import type { MemoryPool } from "./memory-pool.ts";

/** What the pool keeps: an instance of `module` whose imports take a new process (program.ts's Instance). */
export interface Pooled {
  readonly module: WebAssembly.Module;
  /** The memory the instance imports, which goes with it. */
  readonly memory: WebAssembly.Memory;
}

/**
 * Instances of ended programs, kept for the next fork of their module.
 * Linux forks by sharing pages copy-on-write; a fork here copies the
 * parent's memory into another instance of its module. Making that
 * instance was most of a subshell's cost: WebAssembly.Instance, the
 * functions of its imports, and the collection of both once the child
 * ended (a V8 profile of a loop of `(true)` put about half its time there).
 * A fork takes a kept instance instead, and its parent's bytes are copied
 * over its memory as over a fresh one (program.ts explains why that is the
 * same state).
 *
 * Instances of programs that share a ProgramCache are kept together: the
 * imports look up their process, kernel and loader at each call
 * (current.ts), so an instance serves any container of the worker. An
 * instance dropped from the pool gives its memory to the MemoryPool.
 */
export class InstancePool<T extends Pooled> {
  private readonly free: T[] = [];

  /**
   * @param memories where a dropped instance's memory goes
   * @param keep instances kept at most
   * @param largest bytes of memory an instance may hold and be kept
   */
  constructor(
    private readonly memories: MemoryPool,
    private readonly keep = 4,
    private readonly largest = 8 * 2 ** 20,
  ) {}

  /**
   * An instance of `module` with at most `bytes` of memory (a fork child
   * must be exactly its parent's size, and memory only grows), the largest
   * there is; undefined when none is kept.
   */
  take(module: WebAssembly.Module, bytes: number): T | undefined {
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const f = this.free[i]!;
      const size = f.memory.buffer.byteLength;
      if (f.module !== module || size > bytes) continue;
      if (best < 0 || size > this.free[best]!.memory.buffer.byteLength) best = i;
    }
    if (best < 0) return undefined;
    return this.free.splice(best, 1)[0];
  }

  /** Whether an instance of this memory would be kept. */
  fits(instance: T): boolean {
    return instance.memory.buffer.byteLength <= this.largest;
  }

  /** An instance no process runs any more, in a state to take another (program.ts checks). */
  give(instance: T): void {
    if (!this.fits(instance)) {
      this.memories.give(instance.memory);
      return;
    }
    if (this.free.length >= this.keep) this.memories.give(this.free.shift()!.memory);
    this.free.push(instance);
  }

  /** How many are kept (tests). */
  get size(): number {
    return this.free.length;
  }
}
