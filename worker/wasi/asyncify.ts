import { WouldBlock } from "../vfs/would-block.ts";

/** The exports Binaryen's Asyncify adds to a module, and the buffer our build provides. */
interface AsyncifyExports {
  asyncify_start_unwind(data: number): void;
  asyncify_stop_unwind(): void;
  asyncify_start_rewind(data: number): void;
  asyncify_stop_rewind(): void;
  asyncify_get_state(): number;
  /** Addresses of the program's static buffer for its saved stack and of its size (compat/asyncify.c). */
  overbox_asyncify_buffer: WebAssembly.Global;
  overbox_asyncify_buffer_size: WebAssembly.Global;
}

const enum State {
  Normal = 0,
  Unwinding = 1,
  Rewinding = 2,
}

/**
 * Pausing a wasm program in the middle of a system call, without
 * SharedArrayBuffer or JSPI: the program is transformed by Binaryen's
 * Asyncify (rootfs/busybox/build.sh), so that an import can unwind its whole
 * call stack into a buffer, let the event loop run, and rewind it later.
 *
 * A system call that would block throws WouldBlock (having changed
 * nothing). The wrapped import then starts an unwind and returns; `run`
 * sees `_start` return while unwinding, waits for the WouldBlock's promise,
 * and rewinds: the program calls the same import again with the same
 * arguments, which now makes the call for real (and may block again).
 */
export class Pausable {
  private exports: AsyncifyExports | null = null;
  private waiting: Promise<unknown> | null = null;
  /** How many times the program paused (for tests and benchmarks). */
  pauses = 0;

  /** Wraps every function of an import module so that it may pause the program. */
  wrap(module: WebAssembly.ModuleImports): WebAssembly.ModuleImports {
    const out: WebAssembly.ModuleImports = {};
    for (const [name, value] of Object.entries(module)) {
      if (typeof value !== "function") {
        out[name] = value;
        continue;
      }
      const call = value as (...args: unknown[]) => unknown;
      out[name] = (...args: unknown[]) => {
        const ex = this.exports!;
        if (ex.asyncify_get_state() === State.Rewinding) ex.asyncify_stop_rewind();
        try {
          return call(...args);
        } catch (e) {
          if (!(e instanceof WouldBlock)) throw e;
          this.pause(e.ready);
          return 0; // not seen: the caller unwinds
        }
      };
    }
    return out;
  }

  /**
   * Runs `start` (the program's `_start`) to its end, pausing and resuming
   * as its system calls ask. Whatever `start` throws (its exit) is thrown.
   */
  async run(instance: WebAssembly.Instance, start: () => void): Promise<void> {
    this.exports = instance.exports as unknown as AsyncifyExports;
    const ex = this.exports;
    const buffer = ex.overbox_asyncify_buffer.value as number;
    for (;;) {
      start();
      if (ex.asyncify_get_state() !== State.Unwinding) return;
      ex.asyncify_stop_unwind();
      const waiting = this.waiting!;
      this.waiting = null;
      // A failed wait is reported by the call itself when it is made again.
      await waiting.catch(() => undefined);
      // The saved stack is read back as a stack: the header stays as the unwind left it.
      ex.asyncify_start_rewind(buffer);
    }
  }

  private pause(ready: Promise<unknown>): void {
    const ex = this.exports!;
    const buffer = ex.overbox_asyncify_buffer.value as number;
    const memory = (ex as unknown as { memory: WebAssembly.Memory }).memory;
    const size = new DataView(memory.buffer).getUint32(
      ex.overbox_asyncify_buffer_size.value as number,
      true,
    );
    // Asyncify's data: where the saved stack goes next, and where the buffer ends.
    this.header(buffer, buffer + 8, buffer + size);
    this.waiting = ready;
    this.pauses++;
    ex.asyncify_start_unwind(buffer);
  }

  /** Writes Asyncify's two-word header at `buffer`. */
  private header(buffer: number, next: number, end?: number): void {
    const memory = (this.exports as unknown as { memory: WebAssembly.Memory }).memory;
    const view = new DataView(memory.buffer);
    view.setUint32(buffer, next, true);
    if (end !== undefined) view.setUint32(buffer + 4, end, true);
  }
}
