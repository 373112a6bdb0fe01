import { ErrnoError } from "../errno.ts";
import { exited, Killed, ProcessExit } from "../kernel/exit.ts";
import type { Kernel } from "../kernel/kernel.ts";
import type { Process } from "../kernel/process.ts";
import type { Program } from "../kernel/program.ts";
import {
  bit,
  defaultAction,
  Disposition,
  SIGABRT,
  SIGFPE,
  SIGKILL,
  SIGSEGV,
} from "../kernel/signals.ts";
import { WouldBlock } from "../vfs/would-block.ts";
import { syscall } from "./errno.ts";
import type { WasmLoader } from "./loader.ts";
import { WasmMemory } from "./memory.ts";
import { ExecRequest, overboxImports, processImports } from "./overbox.ts";
import { preview1Imports } from "./preview1.ts";
import { socketImports } from "./sockets.ts";
import { Sjlj } from "./sjlj.ts";

/** The exports a program has (README.md, "Exports"). */
interface ProgramExports {
  memory: WebAssembly.Memory;
  _start(): void;
  asyncify_start_unwind(data: number): void;
  asyncify_stop_unwind(): void;
  asyncify_start_rewind(data: number): void;
  asyncify_stop_rewind(): void;
  asyncify_get_state(): number;
  /** BusyBox's own Asyncify buffer; a program built elsewhere has none (prepare.ts). */
  overbox_asyncify_buffer?: WebAssembly.Global;
  overbox_asyncify_buffer_size?: WebAssembly.Global;
  __stack_pointer: WebAssembly.Global;
  /** Runs the program's handler for a signal (compat/signal.c). */
  overbox_signal?: (sig: number) => void;
}

const enum State {
  Normal = 0,
  Unwinding = 1,
  Rewinding = 2,
}

const WASI_EINTR = 27;
const WASI_EAGAIN = 6;

/**
 * A program built elsewhere has no Asyncify buffer of its own: a pause
 * borrows the last SCRATCH bytes of its memory, kept aside and put back
 * once the program is rewound (README.md, "Programs built elsewhere").
 */
const SCRATCH = 64 * 1024;

/**
 * A process's program: one instance of a wasm module, run on the worker's
 * event loop, paused and resumed by Binaryen's Asyncify (README.md,
 * "Pausing"):
 *
 * - A system call that would block throws WouldBlock; the program's stack
 *   is unwound into its buffer, and `run` waits for the WouldBlock's promise
 *   or for a signal, then rewinds it into the same call, made again.
 * - fork unwinds too; the instance's memory (saved stack included) and
 *   stack pointer are copied into a new instance of the same module, and
 *   both are rewound into the fork call, which answers the child's pid in
 *   the parent and 0 in the child.
 * - exec throws an ExecRequest out of the instance; the process goes on
 *   with a new instance of the new module.
 * - Signals are delivered at the entry of a system call (and at the time
 *   slices the shell's tick makes): a default action is taken here, a caught
 *   signal runs the program's handler through its `overbox_signal` export;
 *   a call paused when a signal came returns EINTR (or is made again, for
 *   SA_RESTART).
 * - When the kernel's processes have run for a time slice without the
 *   event loop turning (kernel.mustYield), a system call pauses the
 *   program for one turn, so that timers and key presses get in.
 */
export class WasmProgram implements Program {
  private ex!: ProgramExports;
  private readonly mem = new WasmMemory();
  private sjlj = new Sjlj();
  private module!: WebAssembly.Module;
  /** What the paused program waits for. */
  private waiting: Promise<unknown> | null = null;
  private forkRequested = false;
  /** The answer of the fork call the program will be rewound into: a pid, or an errno as an ErrnoError. */
  private forkAnswer: number | ErrnoError | null = null;
  /** The paused call was woken by a signal: it answers EINTR, or restarts. */
  private interrupted = false;
  /** Handlers running (the kernel delivers no signal inside one). */
  private inHandler = 0;
  /** Whether the instance is executing (not paused). */
  running = false;
  /** The memory the kernel gave the instance (the module imports it), until it goes back to the pool. */
  private given: WebAssembly.Memory | null = null;
  private ended = false;
  /** Where Asyncify's data of the pause under way is. */
  private dataAt = 0;
  /** The stack pointer the module starts with: the top of its stack. */
  private stackTop = 0;
  /** The program's own bytes where a borrowed buffer is (SCRATCH), while it is paused. */
  private borrowed: Uint8Array | null = null;

  /** `memory`: a fork child's, sized and about to be overwritten with its parent's. */
  constructor(
    private readonly kernel: Kernel,
    private readonly loader: WasmLoader,
    private readonly proc: Process,
    module: WebAssembly.Module,
    memory?: WebAssembly.Memory,
    /** A fork child's copy: it is rewound into its fork call first. */
    private readonly forked = false,
  ) {
    this.instantiate(module, memory);
  }

  get memoryBytes(): number {
    return this.ended ? 0 : this.ex.memory.buffer.byteLength;
  }

  private instantiate(module: WebAssembly.Module, memory?: WebAssembly.Memory): void {
    const pages = this.loader.importedMemory(module);
    const given = pages === null ? null : (memory ?? this.loader.memories.forExec(pages));
    this.module = module;
    this.sjlj = new Sjlj();
    const overbox = {
      ...overboxImports(this.proc, this.mem),
      ...processImports(this.kernel, this.loader, this.proc, this.mem, () => this.deliver()),
      ...socketImports(this.kernel, this.proc, this.mem),
      fork: (out: number) => this.fork(out),
    };
    const instance = new WebAssembly.Instance(module, {
      wasi_snapshot_preview1: this.wrap(preview1Imports(this.proc, this.mem)),
      overbox: { ...this.wrap(overbox), throw_longjmp: this.sjlj.throwLongjmp },
      env: given ? { ...this.sjlj.imports(module), memory: given } : this.sjlj.imports(module),
    });
    // exec: the program it replaces is done with its memory.
    this.release();
    this.given = given;
    this.ex = instance.exports as unknown as ProgramExports;
    // (A program built elsewhere may export no stack pointer: it is not forked.)
    const stack = this.ex.__stack_pointer as WebAssembly.Global | undefined;
    this.stackTop = stack ? Number(stack.value) : 0;
    this.mem.attach(this.ex.memory);
    this.sjlj.attach(instance);
  }

  /**
   * Runs the program (and the programs it execs) to the end of the
   * process; the wait status. A fork child's copy is rewound into its fork
   * call first.
   */
  async run(): Promise<number> {
    let rewind = this.forked;
    try {
      for (;;) {
        try {
          await this.loop(rewind);
          return exited(0);
        } catch (e) {
          rewind = false;
          if (e instanceof ExecRequest) {
            this.instantiate(e.module);
            continue;
          }
          if (e instanceof ProcessExit) return exited(e.status);
          if (e instanceof Killed) return e.signal;
          const trap = trapSignal(e);
          if (trap !== null) return trap;
          throw e;
        }
      }
    } finally {
      this.ended = true;
      this.release();
    }
  }

  /** Gives the instance's memory back to the kernel's pool: nothing runs in it any more. */
  private release(): void {
    if (this.given) this.loader.memories.give(this.given);
    this.given = null;
  }

  private async loop(rewind: boolean): Promise<void> {
    const ex = this.ex;
    if (rewind) this.startRewind();
    for (;;) {
      this.running = true;
      try {
        ex._start();
      } finally {
        this.running = false;
      }
      if (ex.asyncify_get_state() !== State.Unwinding) return;
      ex.asyncify_stop_unwind();
      this.kernel.pauses++;
      if (this.forkRequested) {
        this.forkRequested = false;
        try {
          this.forkAnswer = this.kernel.fork(this.proc).pid;
        } catch (e) {
          if (!(e instanceof ErrnoError)) throw e;
          this.forkAnswer = e;
        }
      } else {
        const waiting = this.waiting!;
        this.waiting = null;
        const woke = await Promise.race([
          waiting.then(
            () => "ready",
            () => "ready",
          ),
          this.kernel.events(this.proc).then(() => "event"),
        ]);
        if (woke === "event" && this.proc.signals.deliverable()) {
          const fatal = this.fatalSignal();
          if (fatal) throw new Killed(fatal);
          this.interrupted = true;
        }
      }
      this.startRewind();
    }
  }

  private startRewind(): void {
    this.sjlj.rewinding = true;
    this.ex.asyncify_start_rewind(this.dataAt);
  }

  /** Rewound: the program runs on from the call that paused, with its memory as it was. */
  private stopRewind(): void {
    this.sjlj.rewinding = false;
    this.ex.asyncify_stop_rewind();
    if (this.borrowed) {
      new Uint8Array(this.ex.memory.buffer).set(this.borrowed, this.dataAt);
      this.borrowed = null;
    }
  }

  /** A pending signal that would kill the process anyway (no need to resume it first). */
  private fatalSignal(): number {
    const s = this.proc.signals;
    const ready = s.pending & ~s.blocked;
    if (ready & bit(SIGKILL)) return SIGKILL;
    for (let sig = 1; sig < 65; sig++) {
      if (!(ready & bit(sig))) continue;
      if (s.dispositions[sig] === Disposition.Default && defaultAction(sig) === "terminate") {
        return sig;
      }
    }
    return 0;
  }

  /** The fork import: unwinds first; the call rewound into answers. */
  private fork(out: number): number {
    const answer = this.forkAnswer;
    if (answer !== null) {
      this.forkAnswer = null;
      return syscall(() => {
        if (answer instanceof ErrnoError) throw answer;
        this.mem.u32(out, answer);
      });
    }
    this.forkRequested = true;
    throw new WouldBlock(Promise.resolve(), "fork");
  }

  /** The fork child's program: a new instance of the same module with this one's memory and stack pointer. */
  copy(child: Process): WasmProgram {
    const from = this.ex.memory;
    const pages = from.buffer.byteLength / 65536;
    const memory =
      this.loader.importedMemory(this.module) === null
        ? undefined
        : this.loader.memories.forFork(pages);
    const copy = new WasmProgram(this.kernel, this.loader, child, this.module, memory, true);
    const to = copy.ex.memory;
    const more = pages - to.buffer.byteLength / 65536;
    if (more > 0) to.grow(more);
    // With the stack below the data (wasm-ld's --stack-first, as our
    // toolchain links), the stack below its pointer holds nothing live:
    // not copied (most of a shell's 1.3 MiB). The child reads there only
    // what C calls uninitialised.
    const sp = Number(this.ex.__stack_pointer.value);
    const dataStart = this.loader.dataStart(this.module);
    const live = dataStart !== null && dataStart >= this.stackTop ? Math.min(sp, this.stackTop) : 0;
    new Uint8Array(to.buffer).set(new Uint8Array(from.buffer, live), live);
    copy.ex.__stack_pointer.value = sp;
    copy.sjlj.copyFrom(this.sjlj);
    copy.forkAnswer = 0;
    copy.dataAt = this.dataAt;
    return copy;
  }

  /** Wraps an import module so that any call may pause the program and signals are delivered at entry. */
  private wrap(module: WebAssembly.ModuleImports): WebAssembly.ModuleImports {
    const out: WebAssembly.ModuleImports = {};
    for (const [name, value] of Object.entries(module)) {
      if (typeof value !== "function") {
        out[name] = value;
        continue;
      }
      const call = value as (...args: unknown[]) => unknown;
      out[name] = (...args: unknown[]) => {
        const ex = this.ex;
        const resumed = this.sjlj.rewinding;
        if (resumed) this.stopRewind();
        try {
          if (this.inHandler === 0) {
            if (resumed && this.interrupted) {
              this.interrupted = false;
              if (!this.deliver()) {
                this.proc.deadline = null;
                return WASI_EINTR;
              }
            } else if (!resumed) {
              // A program built elsewhere grows its memory itself (BusyBox
              // asks brk first): past the limit, it is killed here.
              const bytes = ex.memory.buffer.byteLength;
              if (bytes > this.kernel.limits.memory && !ex.overbox_asyncify_buffer)
                this.kernel.outOfMemory(this.proc, bytes);
              this.deliver();
              if (this.kernel.mustYield() && performance.now() >= this.proc.interactiveUntil)
                throw new WouldBlock(this.kernel.nextTurn(), "time slice");
            }
          }
          // SIGKILL ends a process even in a signal handler (whose blocking calls
          // answer EAGAIN, and which a program may retry for ever).
          if (this.inHandler > 0 && this.proc.signals.pending & bit(SIGKILL)) {
            throw new Killed(SIGKILL);
          }
          const result = call(...args);
          this.proc.deadline = null;
          // A signal the call raised (SIGPIPE, kill of itself) is delivered before the program goes on.
          if (this.inHandler === 0 && this.proc.signals.deliverable()) this.deliver(false);
          return result;
        } catch (e) {
          if (!(e instanceof WouldBlock)) throw e;
          // A handler runs inside a call: its stack cannot be unwound.
          if (this.inHandler > 0) return WASI_EAGAIN;
          this.pause(e.ready);
          return 0; // not seen: the caller unwinds
        }
      };
    }
    return out;
  }

  /**
   * Takes the deliverable signals: default actions here, handlers in the
   * program. Whether a call they interrupted may be made again (every
   * handler run was SA_RESTART). Throws Killed, or WouldBlock for a stop
   * (`mayStop`: the program can still be paused in the call).
   */
  private deliver(mayStop = true): boolean {
    const signals = this.proc.signals;
    let restart = true;
    for (;;) {
      const sig = signals.deliverable();
      if (!sig) return restart;
      signals.pending &= ~bit(sig);
      const d = signals.dispositions[sig]!;
      if (d === Disposition.Ignore) continue;
      if (d === Disposition.Default || !this.ex.overbox_signal) {
        const action = defaultAction(sig);
        if (action === "terminate") throw new Killed(sig);
        if (action === "stop") {
          if (mayStop) throw new WouldBlock(this.kernel.stop(this.proc, sig), "stopped");
          // After a call that is done: the stop waits for the next call.
          signals.pending |= bit(sig);
          return restart;
        }
        continue;
      }
      if (d === Disposition.Catch) restart = false;
      this.inHandler++;
      try {
        this.ex.overbox_signal(sig);
      } finally {
        this.inHandler--;
      }
    }
  }

  private pause(ready: Promise<unknown>): void {
    const ex = this.ex;
    const view = new DataView(ex.memory.buffer);
    let buffer: number;
    let size: number;
    if (ex.overbox_asyncify_buffer && ex.overbox_asyncify_buffer_size) {
      buffer = ex.overbox_asyncify_buffer.value as number;
      size = view.getUint32(ex.overbox_asyncify_buffer_size.value as number, true);
    } else {
      size = Math.min(SCRATCH, view.byteLength);
      buffer = view.byteLength - size;
      this.borrowed = new Uint8Array(ex.memory.buffer, buffer, size).slice();
    }
    // Asyncify's data: where the saved stack goes next, and where the buffer ends.
    view.setUint32(buffer, buffer + 8, true);
    view.setUint32(buffer + 4, buffer + size, true);
    this.dataAt = buffer;
    this.waiting = ready;
    ex.asyncify_start_unwind(buffer);
  }
}

/**
 * The program of a process whose file cannot run (prepare.ts's checks):
 * like Linux's dynamic loader missing a library, it says why on its stderr
 * and exits 127.
 */
export class RefusedProgram implements Program {
  readonly running = false;
  readonly memoryBytes = 0;

  constructor(
    private readonly proc: Process,
    private readonly line: string,
  ) {}

  run(): Promise<number> {
    try {
      this.proc.write(2, new TextEncoder().encode(this.line));
    } catch {
      // No stderr to tell: the status still says it.
    }
    return Promise.resolve(exited(127));
  }

  copy(): Program {
    throw new RangeError("a program that cannot run is not forked");
  }
}

/**
 * A trap of the program's own, as the signal Linux kills a process with
 * for it: `unreachable` is what abort(), a failed assert and a Rust panic
 * come to (SIGABRT), a division by zero is SIGFPE, and a memory access out
 * of bounds, a bad indirect call or the stack exhausted SIGSEGV. The
 * engines word them differently (V8, SpiderMonkey, JavaScriptCore). Null
 * when `e` is no trap: a fault of overbox's, which the kernel reports.
 */
export function trapSignal(e: unknown): number | null {
  if (e instanceof RangeError && /call stack/i.test(e.message)) return SIGSEGV;
  if (typeof e === "object" && e?.constructor?.name === "InternalError") return SIGSEGV; // SpiderMonkey: too much recursion
  if (!(e instanceof WebAssembly.RuntimeError)) return null;
  if (/unreachable/i.test(e.message)) return SIGABRT;
  if (/divi(de|sion) by zero|remainder by zero/i.test(e.message)) return SIGFPE;
  return SIGSEGV;
}
