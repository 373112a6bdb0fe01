import { fail } from "../errno.ts";
import type { Filesystem } from "../vfs/filesystem.ts";
import { resolve, resolveExisting } from "../vfs/resolve.ts";
import { retrying, WouldBlock } from "../vfs/would-block.ts";
import { Killed, Program } from "../wasi/program.ts";
import { importedMemoryPages, MemoryPool } from "../wasi/memory-pool.ts";
import { deviceLinks, deviceNodes } from "./devices.ts";
import { InputStream, OpenFile, OutputStream } from "./open-file.ts";
import { Process } from "./process.ts";
import { mountProc, ProcFilesystem } from "./procfs.ts";
import { MountFilesystem } from "../vfs/mount.ts";
import { OverlayFilesystem } from "../overlay/overlay.ts";
import {
  bit,
  defaultAction,
  Disposition,
  SIGCHLD,
  SIGCONT,
  SIGHUP,
  SIGKILL,
  SIGSTOP,
  SIGALRM,
  SIGTSTP,
  SIGTTIN,
  SIGTTOU,
} from "./signals.ts";
import { Tty, TtyFile, type TtyOwner } from "./tty.ts";

export const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** A login's environment: root's, on an xterm (also the base image's default). */
export const LOGIN_ENV: readonly string[] = [
  `PATH=${DEFAULT_PATH}`,
  "HOME=/root",
  "USER=root",
  "LOGNAME=root",
  "SHELL=/bin/sh",
  "TERM=xterm-256color",
];

/** The cgroup analogue: what one container's processes may use. */
export interface Limits {
  /** Bytes of memory one process may have; past it, it is killed (an OOM kill). */
  memory: number;
  /** Processes alive at once; fork past it fails with EAGAIN. */
  processes: number;
  /** Bytes the container's root filesystem is said to hold at most (df's size); default DEFAULT_DISK. */
  disk?: number;
}

export const DEFAULT_LIMITS: Limits = { memory: 256 * 1024 * 1024, processes: 256 };

/** The size df shows for a container: what it holds plus what it may still store. */
export const DEFAULT_DISK = 1024 * 1024 * 1024;

/** What statfs answers for a filesystem (Linux's struct statfs, in blocks of `blockSize`). */
export interface FsStats {
  /** f_type: the filesystem's magic number. */
  type: number;
  blockSize: number;
  blocks: number;
  free: number;
  files: number;
  freeFiles: number;
  nameMax: number;
}

/** Wait status encodings (Linux's <bits/waitstatus.h>). */
export const exited = (code: number): number => (code & 0xff) << 8;
const stoppedStatus = (sig: number): number => (sig << 8) | 0x7f;
const CONTINUED = 0xffff;

const WNOHANG = 1;
const WUNTRACED = 2;
const WCONTINUED = 8;

export interface SpawnOptions {
  /** argv; argv[0] is looked up in PATH unless it holds a slash. */
  args: string[];
  /** NAME=value strings; default PATH, HOME and USER of root. */
  env?: string[];
  /** Working directory, absolute; default "/". */
  cwd?: string;
  /** fds 0, 1, 2. */
  stdio: [OpenFile, OpenFile, OpenFile];
  /** The terminal the process controls, as a session leader (a login shell). */
  tty?: Tty;
  /** The program file, when it is not argv[0] (a login shell's argv[0] is "-sh"). */
  file?: string;
}

export interface RunOptions {
  args: string[];
  env?: string[];
  cwd?: string;
  /** Bytes, or an open file to read (a pipe, a terminal). */
  stdin?: Uint8Array | string | OpenFile;
  onStdout?: (data: Uint8Array) => void;
  onStderr?: (data: Uint8Array) => void;
}

export interface RunResult {
  /** The exit status as a shell reports it: the code, or 128 + the signal that killed it. */
  status: number;
  stdout: Uint8Array;
  stderr: Uint8Array;
}

/** What the kernel keeps of a process beyond the process itself. */
interface Entry {
  proc: Process;
  parent: Entry | null;
  /** Its parent ended first: nobody will wait for it, so it is reaped when it ends (init's job on Linux). */
  orphan: boolean;
  children: Set<Entry>;
  program: Program | null;
  state: "running" | "stopped" | "zombie";
  /** The wait status once it ended. */
  status: number;
  /** A stop or continue the parent has not collected with wait (WUNTRACED, WCONTINUED). */
  report: number | null;
  /** Settles when the process ends. */
  ended: Promise<number>;
  end: (status: number) => void;
  /** The alarm timer (ITIMER_REAL). */
  alarm: { timer: ReturnType<typeof setTimeout>; at: number; interval: number } | null;
  /** Wakes the process when something it may wait for happens (a signal, a child). */
  wake: () => void;
  woken: Promise<void>;
  startedAt: number;
}

/**
 * The process kernel: the process table, pids, process groups and
 * sessions, fork, exec, wait, signals between processes, and the limits.
 * Each process runs its program (worker/wasi/program.ts) as a wasm instance
 * on the one event loop of the worker; a process whose system call would
 * block pauses alone, so pipeline stages run together.
 *
 * Programs are loaded from the filesystem: a file starting with the wasm
 * magic is compiled once (per inode and version) and the module reused; a
 * `#!` script runs its interpreter. Works the same in Node and a browser.
 */
export class Kernel implements TtyOwner {
  private readonly table = new Map<number, Entry>();
  private nextPid = 1;
  private readonly modules = new Map<string, Promise<WebAssembly.Module>>();
  /** The pages each compiled module's imported memory needs (null: it has its own memory). */
  private readonly memoryPages = new WeakMap<WebAssembly.Module, number | null>();
  /** Memories of ended programs, for the next ones (worker/wasi/memory-pool.ts). */
  readonly memories = new MemoryPool();
  readonly bootTime = Date.now();
  /** How many times programs paused in a system call (for tests and benchmarks). */
  pauses = 0;
  /** When the event loop last had a turn (see mustYield). */
  private turnStarted = performance.now();
  private turn: Promise<void> | null = null;

  /** The filesystem processes see: the mount table, the container's root with /proc on it (procfs.ts). */
  readonly fs: Filesystem;

  constructor(
    root: Filesystem,
    readonly limits: Limits = DEFAULT_LIMITS,
  ) {
    addDeviceNodes(root);
    this.fs = mountProc(root, this);
  }

  // ---- starting processes ---------------------------------------------

  /** Starts a program as a new process with no parent in the container (like one started by init). */
  async spawn(options: SpawnOptions): Promise<Process> {
    const env = options.env ?? [`PATH=${DEFAULT_PATH}`, "HOME=/root", "USER=root"];
    const cwd = options.cwd ?? "/";
    const path = env.find((e) => e.startsWith("PATH="))?.slice(5) ?? DEFAULT_PATH;
    const argv0 = options.args[0];
    if (argv0 === undefined) fail("EINVAL", "no program to run");
    const file = options.file ?? (argv0.includes("/") ? argv0 : this.searchPath(argv0, path, cwd));
    const proc = new Process(this.fs, options.args, env, cwd, options.stdio);
    const entry = this.enter(proc, null);
    if (options.tty) {
      proc.sid = proc.pgid = proc.pid;
      proc.tty = options.tty;
      options.tty.session = proc.sid;
      options.tty.foreground = proc.pgid;
    } else {
      proc.sid = proc.pgid = proc.pid;
    }
    try {
      const loaded = await retrying(() => this.load(cwd, file, options.args));
      const module = await this.compile(loaded.ino);
      proc.exec(loaded.args, env, execFile(cwd, file, loaded.path));
      entry.program = new Program(this, proc, module);
    } catch (e) {
      this.table.delete(proc.pid);
      proc.closeAll();
      throw e;
    }
    void this.runProgram(entry, false);
    return proc;
  }

  /**
   * A login shell on a terminal: `sh` as argv[0] "-sh" (so it reads
   * /etc/profile), in its own session with the terminal as its controlling
   * terminal, fds 0-2 on the terminal. Resolves with the shell's process.
   */
  login(
    tty: Tty,
    options: { env?: string[]; cwd?: string; shell?: string } = {},
  ): Promise<Process> {
    const env = options.env ?? [...LOGIN_ENV];
    const end = () => new TtyFile(tty, null, true, true);
    return this.spawn({
      args: ["-sh"],
      file: options.shell ?? "/bin/sh",
      env,
      cwd: options.cwd ?? env.find((e) => e.startsWith("HOME="))?.slice(5) ?? "/",
      stdio: [end(), end(), end()],
      tty,
    });
  }

  /** Runs a program to its end with collected output (tests, the simple API). */
  async run(options: RunOptions): Promise<RunResult> {
    const given = options.stdin;
    const stdin =
      given instanceof OpenFile
        ? given
        : new InputStream(typeof given === "string" ? new TextEncoder().encode(given) : given);
    const stdout = new OutputStream(options.onStdout);
    const stderr = new OutputStream(options.onStderr);
    const proc = await this.spawn({ ...options, stdio: [stdin, stdout, stderr] });
    const status = await this.waitFor(proc);
    return { status: shellStatus(status), stdout: stdout.bytes(), stderr: stderr.bytes() };
  }

  /** Waits for a process started with spawn to end, reaps it, and gives its wait status. */
  async waitFor(proc: Process): Promise<number> {
    const entry = this.entry(proc);
    const status = await entry.ended;
    if (!entry.parent) this.table.delete(proc.pid);
    return status;
  }

  private enter(proc: Process, parent: Entry | null): Entry {
    proc.pid = this.nextPid++;
    let end!: (status: number) => void;
    const ended = new Promise<number>((r) => (end = r));
    const entry: Entry = {
      proc,
      parent,
      orphan: false,
      children: new Set(),
      program: null,
      state: "running",
      status: 0,
      report: null,
      ended,
      end,
      alarm: null,
      wake: () => undefined,
      woken: Promise.resolve(),
      startedAt: performance.now(),
    };
    this.rearm(entry);
    this.table.set(proc.pid, entry);
    parent?.children.add(entry);
    return entry;
  }

  private rearm(entry: Entry): void {
    entry.woken = new Promise((r) => (entry.wake = r));
  }

  private entry(proc: Process): Entry {
    const e = this.table.get(proc.pid);
    if (!e || e.proc !== proc) fail("ESRCH");
    return e;
  }

  /** A promise that settles when something happens to `proc` that a waiting call may care about. */
  events(proc: Process): Promise<void> {
    return this.entry(proc).woken;
  }

  private notify(entry: Entry): void {
    const wake = entry.wake;
    this.rearm(entry);
    wake();
  }

  // ---- time slices ---------------------------------------------------------

  /**
   * Whether programs have run for a time slice since the event loop last
   * turned. Processes hand the CPU to each other through promises
   * (microtasks), which never let a timer, a message (a key press) or I/O
   * in; so, past SLICE_MS, the next system call of any program waits for
   * nextTurn.
   */
  mustYield(): boolean {
    return performance.now() - this.turnStarted > SLICE_MS;
  }

  /** Settles after one turn of the event loop (shared by every program that waits for it). */
  nextTurn(): Promise<void> {
    this.turn ??= yieldToEventLoop().then(() => {
      this.turn = null;
      this.turnStarted = performance.now();
    });
    return this.turn;
  }

  // ---- the program's life ------------------------------------------------

  private async runProgram(entry: Entry, forked: boolean): Promise<void> {
    // Not inside the caller's turn: a fork child starts after its parent's call returns.
    await null;
    let status: number;
    try {
      status = await entry.program!.run(forked);
    } catch (e) {
      console.error(
        `overbox: pid ${entry.proc.pid} (${entry.proc.args[0]}) crashed:`,
        e,
        (e as Error).stack,
      );
      status = 11; // SIGSEGV
    }
    this.exit(entry, status);
  }

  /** The process ends with a wait status: it becomes a zombie until its parent waits. */
  private exit(entry: Entry, status: number): void {
    if (entry.state === "zombie") return;
    const proc = entry.proc;
    entry.state = "zombie";
    entry.status = status;
    entry.program = null;
    if (entry.alarm) clearTimeout(entry.alarm.timer);
    entry.alarm = null;
    proc.closeAll();
    // A session leader that ends hangs up its terminal's foreground group.
    if (proc.tty && proc.sid === proc.pid && proc.tty.session === proc.sid) {
      const fg = proc.tty.foreground;
      proc.tty.session = 0;
      proc.tty.foreground = 0;
      if (fg && fg !== proc.pgid) this.signalGroup(fg, SIGHUP);
    }
    // Orphans are adopted by nobody: they are reaped when they end.
    for (const child of entry.children) {
      child.parent = null;
      child.orphan = true;
      if (child.state === "zombie") this.table.delete(child.proc.pid);
    }
    entry.children.clear();
    const parent = entry.parent;
    if (parent && parent.state !== "zombie") {
      this.post(parent, SIGCHLD);
      this.notify(parent);
    } else if (entry.orphan) {
      this.table.delete(proc.pid);
    }
    // Otherwise a process started by spawn: its starter reaps it in waitFor.
    entry.end(status);
    this.notify(entry);
  }

  /** fork: a copy of `parent`'s process; `copyProgram` makes its program (a copy of the instance). */
  fork(parent: Process, copyProgram: (child: Process) => Program): Process {
    const pe = this.entry(parent);
    if (this.liveCount() >= this.limits.processes) fail("EAGAIN", "too many processes");
    const child = new Process(this.fs, parent.args, parent.env, parent.cwd, null);
    parent.forkInto(child);
    const entry = this.enter(child, pe);
    try {
      entry.program = copyProgram(child);
    } catch (e) {
      // No process after all: nothing may wait for one that never runs.
      this.table.delete(child.pid);
      pe.children.delete(entry);
      child.closeAll();
      // A browser refuses a new wasm memory long before the process limit.
      if (e instanceof RangeError) fail("ENOMEM", `no memory for a new process: ${e.message}`);
      throw e;
    }
    void this.runProgram(entry, true);
    return child;
  }

  private liveCount(): number {
    let n = 0;
    for (const e of this.table.values()) if (e.state !== "zombie") n++;
    return n;
  }

  /**
   * exec: loads `path` for `proc` (ENOENT, EACCES, ENOEXEC come back from
   * here); the caller replaces the program with the module. A program that
   * is not compiled yet makes the call wait (WouldBlock) while it compiles.
   */
  exec(
    proc: Process,
    path: string,
    args: string[],
    env: string[],
  ): { module: WebAssembly.Module; args: string[] } {
    const loaded = this.load(proc.cwd, path, args);
    const module = this.compiled(loaded.ino);
    if (!module) throw new WouldBlock(this.compile(loaded.ino), "compiling a program");
    proc.exec(loaded.args, env, execFile(proc.cwd, path, loaded.path));
    return { module, args: loaded.args };
  }

  /** The program file for `path` and the argv to run it with (`#!` scripts run their interpreter). */
  private load(
    cwd: string,
    path: string,
    args: string[],
    depth = 0,
  ): { ino: number; args: string[]; path: string } {
    const start = resolveExisting(this.fs, this.fs.root, cwd, { follow: true });
    const ino = resolveExisting(this.fs, start, path, { follow: true });
    const st = this.fs.stat(ino);
    if (st.type !== "file" || (st.mode & 0o111) === 0) fail("EACCES", path);
    const head = this.fs.read(ino, 0, Math.min(st.size, 256));
    if (head[0] === 0 && head[1] === 0x61 && head[2] === 0x73 && head[3] === 0x6d) {
      return { ino, args, path };
    }
    if (head[0] === 0x23 && head[1] === 0x21) {
      if (depth >= 4) fail("ELOOP", path);
      let line = new TextDecoder().decode(head.subarray(2));
      const nl = line.indexOf("\n");
      if (nl >= 0) line = line.slice(0, nl);
      const m = /^[ \t]*(\S+)(?:[ \t]+(.*?))?[ \t]*$/.exec(line);
      if (!m) fail("ENOEXEC", path);
      const interpreter = m[1]!;
      const argv = m[2] ? [interpreter, m[2], path] : [interpreter, path];
      return this.load(cwd, interpreter, [...argv, ...args.slice(1)], depth + 1);
    }
    fail("ENOEXEC", path);
  }

  private searchPath(name: string, path: string, cwd: string): string {
    const start = resolveExisting(this.fs, this.fs.root, cwd, { follow: true });
    for (const dir of path.split(":")) {
      if (dir === "") continue;
      try {
        const r = resolve(this.fs, start, `${dir}/${name}`, { follow: true });
        if (r.ino !== null && this.fs.stat(r.ino).type === "file") return `${dir}/${name}`;
      } catch {
        // A PATH entry that is missing or not a directory is skipped, as sh does.
      }
    }
    fail("ENOENT", `${name}: not found in PATH`);
  }

  private readonly ready = new Map<string, WebAssembly.Module>();

  private key(ino: number): string {
    const st = this.fs.stat(ino);
    return `${ino}:${st.mtime}:${st.size}`;
  }

  private compiled(ino: number): WebAssembly.Module | undefined {
    return this.ready.get(this.key(ino));
  }

  /** The pages `module`'s imported memory needs at least; null when the module has its own memory. */
  importedMemory(module: WebAssembly.Module): number | null {
    return this.memoryPages.get(module) ?? null;
  }

  private compile(ino: number): Promise<WebAssembly.Module> {
    const key = this.key(ino);
    let module = this.modules.get(key);
    if (!module) {
      const size = this.fs.stat(ino).size;
      module = retrying(() => this.fs.read(ino, 0, size)).then(async (bytes) => {
        const m = await WebAssembly.compile(bytes.slice());
        this.memoryPages.set(m, importedMemoryPages(bytes));
        this.ready.set(key, m);
        return m;
      });
      module.catch(() => this.modules.delete(key));
      this.modules.set(key, module);
    }
    return module;
  }

  // ---- wait ---------------------------------------------------------------

  /**
   * wait4: a child that ended (reaped), stopped or continued, as `pid` and
   * `options` select (Linux's meanings). Null with WNOHANG when none has;
   * WouldBlock until one does otherwise.
   */
  wait(proc: Process, pid: number, options: number): { pid: number; status: number } | null {
    const me = this.entry(proc);
    const matching = [...me.children].filter((c) =>
      pid > 0
        ? c.proc.pid === pid
        : pid === 0
          ? c.proc.pgid === proc.pgid
          : pid < -1
            ? c.proc.pgid === -pid
            : true,
    );
    if (matching.length === 0) fail("ECHILD");
    for (const c of matching) {
      if (c.state === "zombie") {
        me.children.delete(c);
        this.table.delete(c.proc.pid);
        return { pid: c.proc.pid, status: c.status };
      }
      if (c.report !== null) {
        const stopped = (c.report & 0xff) === 0x7f;
        if ((stopped && options & WUNTRACED) || (!stopped && options & WCONTINUED)) {
          const status = c.report;
          c.report = null;
          return { pid: c.proc.pid, status };
        }
      }
    }
    if (options & WNOHANG) return null;
    throw new WouldBlock(me.woken, "waiting for a child");
  }

  // ---- process groups and sessions ------------------------------------------

  setpgid(proc: Process, pid: number, pgid: number): void {
    const target = pid === 0 ? this.entry(proc) : this.table.get(pid);
    if (!target || target.state === "zombie") fail("ESRCH");
    if (target.proc !== proc && target.parent?.proc !== proc) fail("ESRCH");
    if (target.proc.sid !== proc.sid) fail("EPERM");
    if (target.proc.pid === target.proc.sid) fail("EPERM");
    const group = pgid === 0 ? target.proc.pid : pgid;
    if (group < 0) fail("EINVAL");
    if (
      group !== target.proc.pid &&
      ![...this.table.values()].some((e) => e.proc.pgid === group && e.proc.sid === proc.sid)
    ) {
      fail("EPERM");
    }
    target.proc.pgid = group;
  }

  /** getpriority/setpriority: the niceness of `pid` (0: the caller), set when `value` is given. */
  priority(proc: Process, pid: number, value?: number): number {
    const target = pid === 0 ? proc : this.lookup(pid);
    const old = target.nice;
    if (value !== undefined) target.nice = Math.max(-20, Math.min(19, value));
    return old;
  }

  getpgid(proc: Process, pid: number): number {
    return (pid === 0 ? proc : this.lookup(pid)).pgid;
  }

  getsid(proc: Process, pid: number): number {
    return (pid === 0 ? proc : this.lookup(pid)).sid;
  }

  setsid(proc: Process): number {
    if ([...this.table.values()].some((e) => e.proc.pgid === proc.pid)) fail("EPERM");
    proc.sid = proc.pgid = proc.pid;
    proc.tty = null;
    return proc.sid;
  }

  private lookup(pid: number): Process {
    const e = this.table.get(pid);
    if (!e || e.state === "zombie") fail("ESRCH");
    return e.proc;
  }

  // ---- signals --------------------------------------------------------------

  /** kill(2): pid > 0 one process, 0 the caller's group, -1 every other process, < -1 group -pid. */
  kill(sender: Process, pid: number, sig: number): void {
    if (sig < 0 || sig >= 65) fail("EINVAL");
    const targets = [...this.table.values()].filter(
      (e) =>
        e.state !== "zombie" &&
        (pid > 0
          ? e.proc.pid === pid
          : pid === 0
            ? e.proc.pgid === sender.pgid
            : pid === -1
              ? e.proc !== sender
              : e.proc.pgid === -pid),
    );
    if (targets.length === 0) fail("ESRCH");
    if (sig !== 0) for (const t of targets) this.post(t, sig);
  }

  /** Sends `sig` to every process of group `pgid` (the terminal's Ctrl-C). */
  signalGroup(pgid: number, sig: number): void {
    for (const e of [...this.table.values()]) {
      if (e.state !== "zombie" && e.proc.pgid === pgid) this.post(e, sig);
    }
  }

  /** Sends `sig` to a process by pid (the library API, tests). */
  signal(pid: number, sig: number): void {
    const e = this.table.get(pid);
    if (e && e.state !== "zombie") this.post(e, sig);
  }

  private post(entry: Entry, sig: number): void {
    const proc = entry.proc;
    if (sig === SIGCONT || sig === SIGKILL) this.resume(entry);
    if (sig === SIGCONT) {
      // Stop signals still pending are dropped by SIGCONT, as on Linux.
      proc.signals.pending &= ~(bit(SIGSTOP) | bit(SIGTSTP) | bit(SIGTTIN) | bit(SIGTTOU));
    }
    // And a stop signal drops a pending SIGCONT.
    if (defaultAction(sig) === "stop") {
      proc.signals.pending &= ~bit(SIGCONT);
    }
    if (proc.signals.discards(sig)) return;
    proc.signals.pending |= bit(sig);
    this.notify(entry);
  }

  /**
   * The default action of a signal taken off `proc`'s pending set by its
   * program: a stop stops the process (its parent hears SIGCHLD) and the
   * returned promise settles when SIGCONT comes.
   */
  stop(proc: Process, sig: number): Promise<void> {
    const entry = this.entry(proc);
    entry.state = "stopped";
    entry.report = stoppedStatus(sig);
    if (entry.parent && entry.parent.state !== "zombie") {
      this.post(entry.parent, SIGCHLD);
      this.notify(entry.parent);
    }
    return this.continued(entry);
  }

  private continued(entry: Entry): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (entry.state !== "stopped") resolve();
        else void entry.woken.then(check);
      };
      check();
    });
  }

  private resume(entry: Entry): void {
    if (entry.state !== "stopped") return;
    entry.state = "running";
    entry.report = CONTINUED;
    if (entry.parent && entry.parent.state !== "zombie") {
      this.post(entry.parent, SIGCHLD);
      this.notify(entry.parent);
    }
    this.notify(entry);
  }

  /** sigaction: how `proc` treats `sig` from now on; the old treatment. */
  sigaction(proc: Process, sig: number, action: number): Disposition {
    if (sig <= 0 || sig >= 65) fail("EINVAL");
    const old = proc.signals.dispositions[sig]!;
    if (action < 0) return old;
    if ((sig === SIGKILL || sig === SIGSTOP) && action !== Disposition.Default) fail("EINVAL");
    proc.signals.dispositions[sig] = action as Disposition;
    if (proc.signals.discards(sig)) proc.signals.pending &= ~bit(sig);
    return old;
  }

  /** The alarm timer: SIGALRM after `valueUs` microseconds (0 disarms), then every `intervalUs`. */
  alarm(proc: Process, valueUs: number, intervalUs: number): [number, number] {
    const entry = this.entry(proc);
    const old = entry.alarm;
    const left = old ? Math.max(0, Math.round((old.at - performance.now()) * 1000)) : 0;
    const was: [number, number] = [old ? Math.max(left, 1) : 0, old?.interval ?? 0];
    if (valueUs === Number.MAX_SAFE_INTEGER) return was;
    if (old) clearTimeout(old.timer);
    entry.alarm = null;
    if (valueUs > 0) this.arm(entry, valueUs, intervalUs);
    return was;
  }

  private arm(entry: Entry, valueUs: number, intervalUs: number): void {
    const timer = setTimeout(() => {
      entry.alarm = null;
      if (entry.state === "zombie") return;
      this.post(entry, SIGALRM);
      if (intervalUs > 0) this.arm(entry, intervalUs, intervalUs);
    }, valueUs / 1000);
    entry.alarm = { timer, at: performance.now() + valueUs / 1000, interval: intervalUs };
  }

  // ---- statfs ---------------------------------------------------------------

  /**
   * statfs for the filesystem holding `ino` (an inode of `fs`): /proc holds
   * nothing, as on Linux; the root is measured by a walk (file bytes in
   * 4 KiB blocks, inodes counted once each) against the container's disk
   * size (limits.disk).
   */
  statfs(ino: number): FsStats {
    const BLOCK = 4096;
    const owner = this.fs instanceof MountFilesystem ? this.fs.filesystemOf(ino) : this.fs;
    if (owner instanceof ProcFilesystem) {
      return {
        type: 0x9fa0,
        blockSize: BLOCK,
        blocks: 0,
        free: 0,
        files: 0,
        freeFiles: 0,
        nameMax: 255,
      };
    }
    let blocks = 0;
    const seen = new Set<number>([owner.root]);
    const dirs = [owner.root];
    while (dirs.length > 0) {
      const dir = dirs.pop()!;
      blocks += 1;
      for (const e of owner.readdir(dir)) {
        if (e.name === "." || e.name === ".." || seen.has(e.ino)) continue;
        seen.add(e.ino);
        if (e.type === "directory") dirs.push(e.ino);
        else if (e.type === "file") blocks += Math.ceil(owner.stat(e.ino).size / BLOCK);
      }
    }
    const total = Math.max(blocks, Math.ceil((this.limits.disk ?? DEFAULT_DISK) / BLOCK));
    const files = Math.max(seen.size, total);
    const type = owner instanceof OverlayFilesystem ? 0x794c7630 : 0x01021994; // overlay, tmpfs
    return {
      type,
      blockSize: BLOCK,
      blocks: total,
      free: total - blocks,
      files,
      freeFiles: files - seen.size,
      nameMax: 255,
    };
  }

  // ---- what /proc and ps see -------------------------------------------------

  /** The live and zombie processes, by pid. */
  processes(): Process[] {
    return [...this.table.values()].map((e) => e.proc).sort((a, b) => a.pid - b.pid);
  }

  /** A process's parent pid (0: none in the container), state letter and memory size. */
  describe(proc: Process): {
    ppid: number;
    state: "R" | "S" | "T" | "Z";
    memory: number;
    startedAt: number;
  } {
    const e = this.entry(proc);
    return {
      ppid: e.parent?.proc.pid ?? 0,
      state:
        e.state === "zombie" ? "Z" : e.state === "stopped" ? "T" : e.program?.running ? "R" : "S",
      memory: e.program?.memoryBytes ?? 0,
      startedAt: e.startedAt,
    };
  }

  /** The process wants more memory than its limit: it is killed, as the OOM killer does. */
  outOfMemory(proc: Process, wanted: number): never {
    const mib = (n: number) => `${Math.round(n / 1048576)} MiB`;
    const message =
      `overbox: out of memory: killed process ${proc.pid} (${proc.args[0] ?? "?"}): ` +
      `it asked for ${mib(wanted)}, the limit is ${mib(this.limits.memory)}\n`;
    try {
      proc.write(2, new TextEncoder().encode(message));
    } catch {
      // No stderr to tell: the shell still reports "Killed".
    }
    throw new Killed(SIGKILL);
  }

  parentPid(proc: Process): number {
    return this.entry(proc).parent?.proc.pid ?? 0;
  }

  /** A terminal on this kernel: output goes to `output`; `room` paces programs to the screen (Tty). */
  terminal(
    output: (data: Uint8Array) => void,
    room: () => Promise<unknown> | null = () => null,
  ): Tty {
    return new Tty(output, this, room);
  }

  /** The process whose program is executing: the caller of the system call being made (/proc/self). */
  running(): Process | null {
    for (const e of this.table.values()) if (e.program?.running) return e.proc;
    return null;
  }

  /** The pid given out last (/proc/loadavg), which is how many processes were started (/proc/stat). */
  get lastPid(): number {
    return this.nextPid - 1;
  }
}

/** What /proc tells of an exec: the program file (absolute) and the command name (the file exec was given). */
function execFile(cwd: string, given: string, program: string): { exe: string; comm: string } {
  const absolute = (p: string) => (p.startsWith("/") ? p : `${cwd.replace(/\/$/, "")}/${p}`);
  return { exe: absolute(program), comm: given.slice(given.lastIndexOf("/") + 1) };
}

/** How long programs run before the event loop gets a turn. */
const SLICE_MS = 15;

/** Lets the event loop run (a macrotask: messages, timers and I/O get their turn). */
function yieldToEventLoop(): Promise<void> {
  // Node's setImmediate where there is one (the worker's types are the browser's).
  const immediate = (globalThis as { setImmediate?: (f: () => void) => void }).setImmediate;
  if (immediate) return new Promise((r) => immediate(r));
  return new Promise((r) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      r();
    };
    channel.port2.postMessage(null);
  });
}

/** The status a shell shows for a wait status: the exit code, or 128 + the signal. */
export function shellStatus(waitStatus: number): number {
  const sig = waitStatus & 0x7f;
  if (sig === 0) return (waitStatus >> 8) & 0xff;
  if (sig === 0x7f) return 128 + ((waitStatus >> 8) & 0xff);
  return 128 + sig;
}

/** Puts the device nodes and links in /dev, if the filesystem has a /dev (images built before they existed). */
function addDeviceNodes(fs: Filesystem): void {
  let dev: number | null;
  try {
    dev = resolve(fs, fs.root, "/dev", { follow: true }).ino;
  } catch {
    return;
  }
  if (dev === null || fs.stat(dev).type !== "directory") return;
  for (const d of deviceNodes) {
    if (resolve(fs, dev, d.name, { follow: false }).ino !== null) continue;
    fs.create(dev, d.name, { type: "chardev", mode: d.mode, uid: 0, gid: 0, rdev: d.rdev });
  }
  for (const l of deviceLinks) {
    if (resolve(fs, dev, l.name, { follow: false }).ino !== null) continue;
    fs.symlink(dev, l.name, l.target, { uid: 0, gid: 0 });
  }
}
