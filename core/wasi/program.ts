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
import type { Current } from "./current.ts";
import { syscall } from "./errno.ts";
import type { Pooled } from "./instance-pool.ts";
import type { DataImage } from "./memory-pool.ts";
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
 * An instance of a module with its memory and imports, run by one program
 * at a time (`program`). When its process ends it is kept for the next
 * fork or exec of its module (instance-pool.ts), so the imports ask it, at
 * each call, whom they serve (current.ts).
 */
export class Instance implements Current, Pooled {
  program: WasmProgram | null = null;
  readonly mem = new WasmMemory();
  readonly sjlj = new Sjlj();
  /** The stack pointer the module starts with: the top of its stack. */
  readonly stackTop: number;
  readonly memory: WebAssembly.Memory;
  readonly ex: ProgramExports;

  constructor(
    readonly module: WebAssembly.Module,
    /** The memory the kernel gave it (the module imports one); null when the module has its own. */
    readonly given: WebAssembly.Memory | null,
    make: (self: Instance) => WebAssembly.Instance,
  ) {
    const instance = make(this);
    this.ex = instance.exports as unknown as ProgramExports;
    this.memory = this.ex.memory;
    // (A program built elsewhere may export no stack pointer: it is not forked.)
    const stack = this.ex.__stack_pointer as WebAssembly.Global | undefined;
    this.stackTop = stack ? Number(stack.value) : 0;
    this.mem.attach(this.ex.memory);
    this.sjlj.attach(instance);
  }

  /** The program running the instance now. */
  get runner(): WasmProgram {
    const p = this.program;
    if (!p) throw new Error("an idle instance was called");
    return p;
  }
  get proc(): Process {
    return this.runner.proc;
  }
  get kernel(): Kernel {
    return this.runner.kernel;
  }
  get loader(): WasmLoader {
    return this.runner.loader;
  }
  deliver(): void {
    this.runner.deliver();
  }
}

/**
 * A process's program: an instance of a wasm module, run on the worker's
 * event loop, paused and resumed by Binaryen's Asyncify (README.md,
 * "Pausing"):
 *
 * - A system call that would block throws WouldBlock; the program's stack
 *   is unwound into its buffer, and `run` waits for the WouldBlock's promise
 *   or for a signal, then rewinds it into the same call, made again.
 * - fork unwinds too; the instance's memory (saved stack included) and
 *   stack pointer are copied into another instance of the same module (one
 *   kept from an ended process when there is one, instance-pool.ts), and
 *   both are rewound into the fork call, which answers the child's pid in
 *   the parent and 0 in the child.
 * - exec throws an ExecRequest out of the instance; the process goes on
 *   with an instance of the new module made fresh: this one, one kept, or
 *   a new one.
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
  private inst!: Instance;
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
  private ended = false;
  /** Where Asyncify's data of the pause under way is. */
  private dataAt = 0;
  /** The program's own bytes where a borrowed buffer is (SCRATCH), while it is paused. */
  private borrowed: Uint8Array | null = null;

  /**
   * `from`: a fork child's instance (a kept one), or the memory for a new
   * one; either is sized and about to be overwritten with its parent's.
   */
  constructor(
    readonly kernel: Kernel,
    readonly loader: WasmLoader,
    readonly proc: Process,
    module: WebAssembly.Module,
    from?: Instance | WebAssembly.Memory,
    /** A fork child's copy: it is rewound into its fork call first. */
    private readonly forked = false,
  ) {
    if (from instanceof Instance) {
      from.program = this;
      this.inst = from;
    } else {
      this.instantiate(module, from);
    }
  }

  get memoryBytes(): number {
    return this.ended ? 0 : this.inst.ex.memory.buffer.byteLength;
  }

  private instantiate(module: WebAssembly.Module, memory?: WebAssembly.Memory): void {
    // exec: the program it replaces is done with its instance.
    if (this.inst) this.release(true);
    const pages = this.loader.importedMemory(module);
    const given = pages === null ? null : (memory ?? this.loader.memories.forExec(pages));
    this.inst = new Instance(module, given, (current) => {
      const sjlj = current.sjlj;
      const overbox = {
        ...overboxImports(current, current.mem),
        ...processImports(current, current.mem),
        ...socketImports(current, current.mem),
        fork: (out: number) => current.runner.fork(out),
      };
      return new WebAssembly.Instance(module, {
        wasi_snapshot_preview1: WasmProgram.wrap(current, preview1Imports(current, current.mem)),
        overbox: { ...WasmProgram.wrap(current, overbox), throw_longjmp: sjlj.throwLongjmp },
        env: given ? { ...sjlj.imports(module), memory: given } : sjlj.imports(module),
      });
    });
    this.inst.program = this;
  }

  /**
   * Runs the program (and the programs it execs) to the end of the
   * process; the wait status. A fork child's copy is rewound into its fork
   * call first.
   */
  async run(): Promise<number> {
    let rewind = this.forked;
    // Whether the instance was left between calls (not by a fault of its own or ours).
    let clean = false;
    try {
      for (;;) {
        try {
          await this.loop(rewind);
          clean = true;
          return exited(0);
        } catch (e) {
          rewind = false;
          if (e instanceof ExecRequest) {
            this.exec(e.module);
            continue;
          }
          if (e instanceof ProcessExit) {
            clean = true;
            return exited(e.status);
          }
          if (e instanceof Killed) {
            clean = true;
            return e.signal;
          }
          const trap = trapSignal(e);
          if (trap !== null) return trap;
          throw e;
        }
      }
    } finally {
      this.ended = true;
      this.release(clean);
    }
  }

  /**
   * exec: the process goes on with `module`, in an instance made fresh
   * again where the module allows it (dataImage): this one when it is of
   * that module (BusyBox execs BusyBox), else one kept; otherwise a new
   * one.
   */
  private exec(module: WebAssembly.Module): void {
    const image = this.loader.dataImage(module);
    const inst = this.inst;
    if (image && inst.module === module && this.atRest() && this.loader.instances.fits(inst)) {
      WasmProgram.refresh(inst, image);
      return;
    }
    const kept = image ? this.loader.instances.take(module, Infinity) : undefined;
    if (!kept) {
      this.instantiate(module);
      return;
    }
    this.release(true);
    kept.program = this;
    this.inst = kept;
    WasmProgram.refresh(kept, image!);
  }

  /**
   * Makes a kept instance as a fresh one of its module: its memory holds
   * the module's data and zeros, and its stack pointer is at the top. The
   * rest of its state is as a fresh one's (see release).
   */
  private static refresh(inst: Instance, image: DataImage): void {
    const bytes = new Uint8Array(inst.memory.buffer);
    bytes.fill(0);
    bytes.set(image.bytes, image.at);
    inst.ex.__stack_pointer.value = inst.stackTop;
  }

  /** The instance is between calls: Asyncify at rest, no setjmp invoke entered, and it has an imported memory and a stack pointer. */
  private atRest(): boolean {
    const inst = this.inst;
    return (
      inst.given !== null &&
      inst.stackTop > 0 &&
      !this.running &&
      inst.ex.asyncify_get_state() === State.Normal &&
      inst.sjlj.idle
    );
  }

  /**
   * Nothing runs in the instance any more: it is kept for the next fork
   * or exec of its module when it was left cleanly, or its memory goes
   * back to the kernel's pool. A kept instance is the same as a fresh one
   * to a fork child: the child's memory and stack pointer are its
   * parent's, the rest of its state is Asyncify's (at rest between calls),
   * the setjmp invokes' (none entered) and the tick's countdown
   * (prepare.ts), which only decides when the next time slice is looked at.
   */
  private release(clean: boolean): void {
    const inst = this.inst;
    if (inst.program !== this) return;
    inst.program = null;
    if (!inst.given) return;
    if (clean && this.atRest()) this.loader.instances.give(inst);
    else this.loader.memories.give(inst.given);
  }

  private async loop(rewind: boolean): Promise<void> {
    const ex = this.inst.ex;
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
    this.inst.sjlj.rewinding = true;
    this.inst.ex.asyncify_start_rewind(this.dataAt);
  }

  /** Rewound: the program runs on from the call that paused, with its memory as it was. */
  private stopRewind(): void {
    this.inst.sjlj.rewinding = false;
    this.inst.ex.asyncify_stop_rewind();
    if (this.borrowed) {
      new Uint8Array(this.inst.ex.memory.buffer).set(this.borrowed, this.dataAt);
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
        this.inst.mem.u32(out, answer);
      });
    }
    this.forkRequested = true;
    throw new WouldBlock(Promise.resolve(), "fork");
  }

  /** The fork child's program: another instance of the same module with this one's memory and stack pointer. */
  copy(child: Process): WasmProgram {
    const inst = this.inst;
    const from = inst.ex.memory;
    const bytes = from.buffer.byteLength;
    const into = inst.given
      ? (this.loader.instances.take(inst.module, bytes) ??
        this.loader.memories.forFork(bytes / 65536))
      : undefined;
    const copy = new WasmProgram(this.kernel, this.loader, child, inst.module, into, true);
    const to = copy.inst.ex.memory;
    const more = (bytes - to.buffer.byteLength) / 65536;
    if (more > 0) to.grow(more);
    // With the stack below the data (wasm-ld's --stack-first, as our
    // toolchain links), the stack below its pointer holds nothing live:
    // not copied (most of a shell's 1.3 MiB). The child reads there only
    // what C calls uninitialised.
    const sp = Number(inst.ex.__stack_pointer.value);
    const dataStart = this.loader.dataStart(inst.module);
    const live = dataStart !== null && dataStart >= inst.stackTop ? Math.min(sp, inst.stackTop) : 0;
    new Uint8Array(to.buffer).set(new Uint8Array(from.buffer, live), live);
    copy.inst.ex.__stack_pointer.value = sp;
    copy.inst.sjlj.copyFrom(inst.sjlj);
    copy.forkAnswer = 0;
    copy.dataAt = this.dataAt;
    return copy;
  }

  /**
   * Wraps an import module of `inst` so that any call may pause the program
   * running it and signals are delivered at entry.
   */
  private static wrap(
    inst: Instance,
    module: WebAssembly.ModuleImports,
  ): WebAssembly.ModuleImports {
    const out: WebAssembly.ModuleImports = {};
    for (const [name, value] of Object.entries(module)) {
      if (typeof value !== "function") {
        out[name] = value;
        continue;
      }
      const call = value as (...args: unknown[]) => unknown;
      out[name] = (...args: unknown[]) => {
        const self = inst.program!;
        const ex = inst.ex;
        const resumed = inst.sjlj.rewinding;
        if (resumed) self.stopRewind();
        try {
          if (self.inHandler === 0) {
            if (resumed && self.interrupted) {
              self.interrupted = false;
              if (!self.deliver()) {
                self.proc.deadline = null;
                return WASI_EINTR;
              }
            } else if (!resumed) {
              // A program built elsewhere grows its memory itself (BusyBox
              // asks brk first): past the limit, it is killed here.
              const bytes = ex.memory.buffer.byteLength;
              if (bytes > self.kernel.limits.memory && !ex.overbox_asyncify_buffer)
                self.kernel.outOfMemory(self.proc, bytes);
              self.deliver();
              if (self.kernel.mustYield() && performance.now() >= self.proc.interactiveUntil)
                throw new WouldBlock(self.kernel.nextTurn(), "time slice");
            }
          }
          // SIGKILL ends a process even in a signal handler (whose blocking calls
          // answer EAGAIN, and which a program may retry for ever).
          if (self.inHandler > 0 && self.proc.signals.pending & bit(SIGKILL)) {
            throw new Killed(SIGKILL);
          }
          const result = call(...args);
          self.proc.deadline = null;
          // A signal the call raised (SIGPIPE, kill of itself) is delivered before the program goes on.
          if (self.inHandler === 0 && self.proc.signals.deliverable()) self.deliver(false);
          return result;
        } catch (e) {
          if (!(e instanceof WouldBlock)) throw e;
          // A handler runs inside a call: its stack cannot be unwound.
          if (self.inHandler > 0) return WASI_EAGAIN;
          self.pause(e.ready);
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
  deliver(mayStop = true): boolean {
    const signals = this.proc.signals;
    let restart = true;
    for (;;) {
      const sig = signals.deliverable();
      if (!sig) return restart;
      signals.pending &= ~bit(sig);
      const d = signals.dispositions[sig]!;
      if (d === Disposition.Ignore) continue;
      if (d === Disposition.Default || !this.inst.ex.overbox_signal) {
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
        this.inst.ex.overbox_signal(sig);
      } finally {
        this.inHandler--;
      }
    }
  }

  private pause(ready: Promise<unknown>): void {
    const ex = this.inst.ex;
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
