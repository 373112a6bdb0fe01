import { fail } from "../errno.ts";
import type { Filesystem, FsStats } from "../vfs/filesystem.ts";
import type { MountFilesystem } from "../vfs/mount.ts";
import { resolve } from "../vfs/resolve.ts";
import { WouldBlock } from "../vfs/would-block.ts";
import { deviceLinks, deviceNodes } from "./devices.ts";
import { CONTINUED, Killed, shellStatus, stoppedStatus } from "./exit.ts";
import { InputStream, OpenFile, OutputStream } from "./open-file.ts";
import { Process } from "./process.ts";
import { Network } from "./socket.ts";
import { mountProc } from "./procfs.ts";
import type { Program, ProgramLoader } from "./program.ts";
import {
  bit,
  defaultAction,
  Disposition,
  SIGCHLD,
  SIGCONT,
  SIGKILL,
  SIGSTOP,
  SIGALRM,
  SIGTSTP,
  SIGTTIN,
  SIGTTOU,
} from "./signals.ts";
import { Tty, TtyFile, type TtyOwner } from "./tty.ts";

export const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** The PATH an environment gives a program lookup (DEFAULT_PATH when it sets none). */
export function searchPath(env: readonly string[]): string {
  return env.find((e) => e.startsWith("PATH="))?.slice(5) ?? DEFAULT_PATH;
}

/** The program of a login shell (`login`), unless the caller names another. */
export const LOGIN_SHELL = "/bin/sh";

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
 * Each process runs a Program (program.ts), which a ProgramLoader makes:
 * the kernel knows programs only through that interface (core/wasi/
 * runs wasm modules). Every program runs on the one event loop of the
 * worker; a process whose system call would block pauses alone, so
 * pipeline stages run together. Works the same in Node and a browser.
 */
export class Kernel implements TtyOwner {
  private readonly table = new Map<number, Entry>();
  private nextPid = 1;
  /** The container's loopback network: its sockets' addresses and ports (socket.ts). */
  readonly network = new Network();
  readonly bootTime = Date.now();
  /** How many times programs paused in a system call (for tests and benchmarks). */
  pauses = 0;
  /** When the event loop last had a turn (see mustYield). */
  private turnStarted = performance.now();
  private turn: Promise<void> | null = null;
  /** A macrotask queued to learn when the event loop turns (see mustYield). */
  private watching = false;

  /** The filesystem processes see: the mount table, the container's root with /proc on it (procfs.ts). */
  readonly fs: MountFilesystem;

  constructor(
    root: Filesystem,
    /** What makes the programs of new processes. */
    readonly loader: ProgramLoader,
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
    const path = searchPath(env);
    const argv0 = options.args[0];
    if (argv0 === undefined) fail("EINVAL", "no program to run");
    const file = options.file ?? this.loader.find(this.fs, argv0, path, cwd);
    const proc = new Process(this.fs, options.args, env, cwd, options.stdio);
    const entry = this.enter(proc, null);
    proc.sid = proc.pgid = proc.pid;
    options.tty?.attach(proc);
    try {
      entry.program = await this.loader.start(this, proc, file);
    } catch (e) {
      this.table.delete(proc.pid);
      proc.closeAll();
      throw e;
    }
    void this.runProgram(entry);
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
      file: options.shell ?? LOGIN_SHELL,
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
   *
   * The slice is timed from the first call made since the event loop last
   * turned, which a queued macrotask tells: when it has run, the programs
   * now running came in a later turn (a timer, a message, a module
   * compiled), however long the kernel was idle before.
   */
  mustYield(): boolean {
    const now = performance.now();
    if (!this.watching) {
      this.watching = true;
      this.turnStarted = now;
      void yieldToEventLoop().then(() => (this.watching = false));
      return false;
    }
    return now - this.turnStarted > SLICE_MS;
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

  private async runProgram(entry: Entry): Promise<void> {
    // Not inside the caller's turn: a fork child starts after its parent's call returns.
    await null;
    let status: number;
    try {
      status = await entry.program!.run();
    } catch (e) {
      // The error once, with its stack.
      console.error(`overbox: pid ${entry.proc.pid} (${entry.proc.args[0]}) crashed:`, e);
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
    proc.tty?.leaderExited(proc);
    // Orphans are adopted by nobody: they are reaped when they end.
    for (const child of entry.children) {
      child.parent = null;
      child.orphan = true;
      if (child.state === "zombie") this.table.delete(child.proc.pid);
    }
    entry.children.clear();
    const parent = entry.parent;
    if (parent && parent.state !== "zombie") {
      if (parent.proc.signals.dispositions[SIGCHLD] === Disposition.Ignore) {
        // A parent that set SIGCHLD to SIG_IGN leaves no zombies: Linux
        // reaps its children as they end (httpd and other servers count on it).
        parent.children.delete(entry);
        this.table.delete(proc.pid);
      } else {
        this.post(parent, SIGCHLD);
      }
      this.notify(parent);
    } else if (entry.orphan) {
      this.table.delete(proc.pid);
    }
    // Otherwise a process started by spawn: its starter reaps it in waitFor.
    entry.end(status);
    this.notify(entry);
  }

  /** fork: a copy of `parent`'s process, running a copy of its program (Program.copy). */
  fork(parent: Process): Process {
    const pe = this.entry(parent);
    if (!pe.program) fail("ESRCH", "no program to copy");
    if (this.liveCount() >= this.limits.processes) fail("EAGAIN", "too many processes");
    const child = new Process(this.fs, parent.args, parent.env, parent.cwd, null);
    parent.forkInto(child);
    const entry = this.enter(child, pe);
    try {
      entry.program = pe.program.copy(child);
    } catch (e) {
      // No process after all: nothing may wait for one that never runs.
      this.table.delete(child.pid);
      pe.children.delete(entry);
      child.closeAll();
      // A browser refuses a new wasm memory long before the process limit.
      if (e instanceof RangeError) fail("ENOMEM", `no memory for a new process: ${e.message}`);
      throw e;
    }
    void this.runProgram(entry);
    return child;
  }

  private liveCount(): number {
    let n = 0;
    for (const e of this.table.values()) if (e.state !== "zombie") n++;
    return n;
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
   * statfs for the filesystem holding `ino` (an inode of `fs`): each
   * filesystem answers for itself, measured against the container's disk
   * size (limits.disk).
   */
  statfs(ino: number): FsStats {
    return this.fs.statfs(ino, this.limits.disk ?? DEFAULT_DISK);
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

/** Puts the device nodes and links in /dev, if the filesystem has a /dev (images built before they existed). */
function addDeviceNodes(fs: Filesystem): void {
  let dev: number | null;
  try {
    dev = resolve(fs, fs.root, "/dev", { follow: true }).ino;
  } catch {
    return;
  }
  if (dev === null || fs.typeOf(dev) !== "directory") return;
  for (const d of deviceNodes) {
    if (resolve(fs, dev, d.name, { follow: false }).ino !== null) continue;
    fs.create(dev, d.name, { type: "chardev", mode: d.mode, uid: 0, gid: 0, rdev: d.rdev });
  }
  for (const l of deviceLinks) {
    if (resolve(fs, dev, l.name, { follow: false }).ino !== null) continue;
    fs.symlink(dev, l.name, l.target, { uid: 0, gid: 0 });
  }
}
