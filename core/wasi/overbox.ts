import { fail } from "../errno.ts";
import { Pipe } from "../kernel/pipe.ts";
import type { SignalSet } from "../kernel/signals.ts";
import { TtyFile, type Termios } from "../kernel/tty.ts";
import type { FileType, Stat } from "../vfs/filesystem.ts";
import { WouldBlock } from "../vfs/would-block.ts";
import { syscall } from "./errno.ts";
import { interfaceIoctl } from "./sockets.ts";
import type { WasmMemory } from "./memory.ts";
import type { Current } from "./current.ts";

/** Thrown out of the instance by exec: the process goes on with another program (program.ts). */
export class ExecRequest {
  constructor(readonly module: WebAssembly.Module) {}
}

/**
 * The `overbox` import module: the system calls WASI preview 1 lacks, as
 * README.md beside this file documents them. Like preview1.ts, it only
 * translates between wasm memory and the process.
 */
export function overboxImports(current: Current, mem: WasmMemory): WebAssembly.ModuleImports {
  const str = (ptr: number, len: number) => mem.string(ptr, len);
  const follow = (flags: number) => (flags & 1) !== 0;

  const writeStat = (ptr: number, st: Stat) => {
    const v = mem.view;
    const blocks = st.type === "directory" ? 8 : Math.ceil(st.size / 4096) * 8;
    v.setBigUint64(ptr, BigInt(st.dev ?? 1), true);
    v.setBigUint64(ptr + 8, BigInt(st.ino), true);
    v.setUint32(ptr + 16, modeBits(st.type) | st.mode, true);
    v.setUint32(ptr + 20, st.nlink, true);
    v.setUint32(ptr + 24, st.uid, true);
    v.setUint32(ptr + 28, st.gid, true);
    v.setBigUint64(ptr + 32, BigInt(st.rdev), true);
    v.setBigUint64(ptr + 40, BigInt(st.size), true);
    v.setBigUint64(ptr + 48, BigInt(st.type === "symlink" ? 0 : blocks), true);
    v.setBigUint64(ptr + 56, st.atime, true);
    v.setBigUint64(ptr + 64, st.mtime, true);
    v.setBigUint64(ptr + 72, st.ctime, true);
  };

  return {
    stat: (fd: number, flags: number, p: number, l: number, out: number) =>
      syscall(() => writeStat(out, current.proc.stat(fd, str(p, l), follow(flags)))),
    fstat: (fd: number, out: number) => syscall(() => writeStat(out, current.proc.fstat(fd))),
    chmod: (fd: number, flags: number, p: number, l: number, mode: number) =>
      syscall(() => current.proc.setattr(fd, str(p, l), follow(flags), { mode: mode & 0o7777 })),
    fchmod: (fd: number, mode: number) =>
      syscall(() => current.proc.fsetattr(fd, { mode: mode & 0o7777 })),
    chown: (fd: number, flags: number, p: number, l: number, uid: number, gid: number) =>
      syscall(() => current.proc.chown(fd, str(p, l), follow(flags), uid, gid)),
    fchown: (fd: number, uid: number, gid: number) =>
      syscall(() => current.proc.fchown(fd, uid, gid)),
    open: (fd: number, p: number, l: number, flags: number, mode: number, out: number) =>
      syscall(() => {
        const access = flags & O_ACCMODE;
        if (access === 0) fail("EINVAL", "no access mode");
        const opened = current.proc.open(fd, str(p, l), {
          follow: (flags & O_NOFOLLOW) === 0,
          create: (flags & O_CREAT) !== 0,
          exclusive: (flags & O_EXCL) !== 0,
          truncate: (flags & O_TRUNC) !== 0,
          directory: (flags & O_DIRECTORY) !== 0,
          read: (access & O_RDONLY) !== 0,
          write: (access & O_WRONLY) !== 0,
          append: (flags & O_APPEND) !== 0,
          mode,
        });
        if (flags & O_CLOEXEC) current.proc.cloexec.add(opened);
        mem.u32(out, opened);
      }),
    dup: (fd: number, min: number, out: number) =>
      syscall(() => mem.u32(out, current.proc.dup(fd, min))),
    dup2: (fd: number, to: number) => syscall(() => current.proc.dup2(fd, to)),
    mkdir: (fd: number, p: number, l: number, mode: number) =>
      syscall(() => current.proc.mkdir(fd, str(p, l), mode)),
    umask: (mask: number, out: number) =>
      syscall(() => {
        mem.u32(out, current.proc.umask);
        current.proc.umask = mask & 0o777;
      }),
    getcwd: (buf: number, len: number, out: number) =>
      syscall(() => {
        const cwd = mem.encode(current.proc.cwd);
        if (cwd.length + 1 > len) fail("ERANGE");
        mem.bytes.set(cwd, buf);
        mem.bytes[buf + cwd.length] = 0;
        mem.u32(out, cwd.length);
      }),
  };
}

/**
 * The process calls of the `overbox` module (README.md, "Processes",
 * "Signals", "Terminals"): translation only, to the kernel and the process.
 * fork is the program's own (program.ts), because it copies the instance.
 */
export function processImports(current: Current, mem: WasmMemory): WebAssembly.ModuleImports {
  /** NUL-terminated strings laid end to end. */
  const strings = (ptr: number, len: number) =>
    len === 0 ? [] : mem.string(ptr, len).slice(0, -1).split("\0");
  const set = (lo: number, hi: number): SignalSet => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
  const writeSet = (ptr: number, value: SignalSet) => {
    mem.u32(ptr, Number(value & 0xffffffffn));
    mem.u32(ptr + 4, Number(value >> 32n));
  };
  const terminal = (fd: number) => {
    const f = current.proc.file(fd);
    if (!(f instanceof TtyFile)) fail("ENOTTY");
    return f.tty;
  };

  return {
    getpid: () => current.proc.pid,
    getppid: () => current.kernel.parentPid(current.proc),
    exec: (p: number, pl: number, a: number, al: number, e: number, el: number) =>
      syscall(() => {
        const module = current.loader.exec(
          current.proc,
          mem.string(p, pl),
          strings(a, al),
          strings(e, el),
        );
        throw new ExecRequest(module);
      }),
    wait4: (pid: number, options: number, statusOut: number, pidOut: number) =>
      syscall(() => {
        const r = current.kernel.wait(current.proc, pid, options);
        mem.u32(pidOut, r?.pid ?? 0);
        if (r) mem.u32(statusOut, r.status);
      }),
    pipe: (out: number) =>
      syscall(() => {
        const [r, w] = new Pipe().ends();
        const rfd = current.proc.install(r);
        mem.u32(out, rfd);
        mem.u32(out + 4, current.proc.install(w));
      }),
    cloexec: (fd: number, op: number, out: number) =>
      syscall(() => {
        current.proc.file(fd);
        if (op < 0) mem.u32(out, current.proc.cloexec.has(fd) ? 1 : 0);
        else if (op) current.proc.cloexec.add(fd);
        else current.proc.cloexec.delete(fd);
      }),
    chdir: (p: number, l: number) =>
      syscall(() => {
        current.proc.cwd = mem.string(p, l);
      }),
    priority: (pid: number, value: number, out: number) =>
      syscall(() =>
        mem.u32(
          out,
          current.kernel.priority(current.proc, pid, value === -2147483648 ? undefined : value),
        ),
      ),
    statfs: (fd: number, out: number) =>
      syscall(() => {
        const st = current.kernel.statfs(current.proc.fstat(fd).ino);
        [
          st.type,
          st.blockSize,
          st.blocks,
          st.free,
          st.free,
          st.files,
          st.freeFiles,
          st.nameMax,
        ].forEach((n, i) => mem.u64(out + i * 8, n));
      }),
    setpgid: (pid: number, pgid: number) =>
      syscall(() => current.kernel.setpgid(current.proc, pid, pgid)),
    getpgid: (pid: number, out: number) =>
      syscall(() => mem.u32(out, current.kernel.getpgid(current.proc, pid))),
    setsid: (out: number) => syscall(() => mem.u32(out, current.kernel.setsid(current.proc))),
    getsid: (pid: number, out: number) =>
      syscall(() => mem.u32(out, current.kernel.getsid(current.proc, pid))),

    kill: (pid: number, sig: number) => syscall(() => current.kernel.kill(current.proc, pid, sig)),
    sigaction: (sig: number, action: number, out: number) =>
      syscall(() => {
        const old = current.kernel.sigaction(current.proc, sig, action);
        if (out) mem.u32(out, old);
      }),
    sigmask: (how: number, lo: number, hi: number, out: number) =>
      syscall(() => {
        const s = current.proc.signals;
        if (out) writeSet(out, s.blocked);
        const given = set(lo, hi);
        if (how === 0) s.setBlocked(s.blocked | given);
        else if (how === 1) s.setBlocked(s.blocked & ~given);
        else if (how === 2) s.setBlocked(given);
        else if (how !== -1) fail("EINVAL");
      }),
    sigpending: (out: number) =>
      syscall(() => {
        if (out) writeSet(out, current.proc.signals.pending);
      }),
    sigsuspend: (lo: number, hi: number) =>
      syscall(() => {
        // With the given mask: a signal is handled, and EINTR; or it waits.
        const s = current.proc.signals;
        const saved = s.blocked;
        s.setBlocked(set(lo, hi));
        try {
          if (!s.deliverable())
            throw new WouldBlock(current.kernel.events(current.proc), "sigsuspend");
          current.deliver();
        } finally {
          s.blocked = saved;
        }
        fail("EINTR");
      }),
    alarm: (value: bigint, interval: bigint, out: number) =>
      syscall(() => {
        const v = value === 0xffffffffffffffffn ? Number.MAX_SAFE_INTEGER : Number(value);
        const [oldValue, oldInterval] = current.kernel.alarm(current.proc, v, Number(interval));
        if (out) {
          mem.u64(out, oldValue);
          mem.u64(out + 8, oldInterval);
        }
      }),
    tick: () => 0,
    brk: (end: bigint) =>
      syscall(() => {
        if (Number(end) > current.kernel.limits.memory)
          current.kernel.outOfMemory(current.proc, Number(end));
      }),

    tcgetattr: (fd: number, out: number) =>
      syscall(() => writeTermios(mem, out, terminal(fd).termios)),
    tcsetattr: (fd: number, when: number, from: number) =>
      syscall(() => {
        const tty = terminal(fd);
        if (when === 2) tty.flushInput();
        tty.setTermios(readTermios(mem, from));
      }),
    ioctl: (fd: number, request: number, arg: number) =>
      syscall(() => {
        const v = mem.view;
        switch (request) {
          case TIOCGWINSZ: {
            const { rows, cols } = terminal(fd).winsize;
            v.setUint16(arg, rows, true);
            v.setUint16(arg + 2, cols, true);
            v.setUint32(arg + 4, 0, true);
            return;
          }
          case TIOCSWINSZ:
            terminal(fd).resize({ rows: v.getUint16(arg, true), cols: v.getUint16(arg + 2, true) });
            return;
          case TIOCGPGRP:
            mem.u32(arg, terminal(fd).foregroundFor(current.proc));
            return;
          case TIOCSPGRP:
            terminal(fd).setForeground(current.proc, v.getInt32(arg, true));
            return;
          case TIOCGSID:
            mem.u32(arg, terminal(fd).sessionFor(current.proc));
            return;
          case TIOCSCTTY:
            terminal(fd).makeControlling(current.proc);
            return;
          case TIOCNOTTY:
            terminal(fd).detach(current.proc);
            return;
          case TCFLSH:
            terminal(fd).flushInput();
            return;
          default:
            // A socket's interface requests (SIOCGIF*).
            if ((request & 0xff00) === 0x8900) interfaceIoctl(current.proc, mem, fd, request, arg);
            else if (current.proc.file(fd)) fail("ENOTTY");
        }
      }),
  };
}

const TIOCGWINSZ = 0x5413;
const TIOCSWINSZ = 0x5414;
const TIOCGPGRP = 0x540f;
const TIOCSPGRP = 0x5410;
const TIOCSCTTY = 0x540e;
const TIOCNOTTY = 0x5422;
const TIOCGSID = 0x5429;
const TCFLSH = 0x540b;

/** struct termios, Linux's layout (60 bytes). */
function writeTermios(mem: WasmMemory, ptr: number, t: Termios): void {
  const v = mem.view;
  v.setUint32(ptr, t.iflag, true);
  v.setUint32(ptr + 4, t.oflag, true);
  v.setUint32(ptr + 8, t.cflag, true);
  v.setUint32(ptr + 12, t.lflag, true);
  v.setUint8(ptr + 16, t.line);
  mem.bytes.set(t.cc, ptr + 17);
  v.setUint32(ptr + 52, t.ispeed, true);
  v.setUint32(ptr + 56, t.ospeed, true);
}

function readTermios(mem: WasmMemory, ptr: number): Termios {
  const v = mem.view;
  return {
    iflag: v.getUint32(ptr, true),
    oflag: v.getUint32(ptr + 4, true),
    cflag: v.getUint32(ptr + 8, true),
    lflag: v.getUint32(ptr + 12, true),
    line: v.getUint8(ptr + 16),
    cc: mem.bytes.slice(ptr + 17, ptr + 49),
    ispeed: v.getUint32(ptr + 52, true),
    ospeed: v.getUint32(ptr + 56, true),
  };
}

// wasi-libc's open() flags (its <fcntl.h>): access modes are WASI rights bits.
const O_APPEND = 0x1;
const O_CREAT = 1 << 12;
const O_DIRECTORY = 2 << 12;
const O_EXCL = 4 << 12;
const O_TRUNC = 8 << 12;
const O_NOFOLLOW = 0x01000000;
/** Not wasi-libc's (its O_CLOEXEC is 0): ours, compat/include/fcntl.h. */
const O_CLOEXEC = 0x40000000;
const O_RDONLY = 0x04000000;
const O_WRONLY = 0x10000000;
const O_ACCMODE = 0x02000000 | O_RDONLY | O_WRONLY | 0x08000000;

/** Linux's file-type bits of st_mode (<linux/stat.h>). */
function modeBits(type: FileType): number {
  switch (type) {
    case "fifo":
      return 0o010000;
    case "chardev":
      return 0o020000;
    case "directory":
      return 0o040000;
    case "blockdev":
      return 0o060000;
    case "file":
      return 0o100000;
    case "symlink":
      return 0o120000;
    case "socket":
      return 0o140000;
  }
}
