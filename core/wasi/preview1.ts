import { wasi } from "@bjorn3/browser_wasi_shim";
import { fail } from "../errno.ts";
import { ProcessExit } from "../kernel/exit.ts";
import type { OpenFile } from "../kernel/open-file.ts";
import type { FileType, Stat } from "../vfs/filesystem.ts";
import { now } from "../vfs/filesystem.ts";
import { WouldBlock } from "../vfs/would-block.ts";
import { syscall } from "./errno.ts";
import type { WasmMemory } from "./memory.ts";
import type { Current } from "./current.ts";
import {
  FD_READ,
  FD_WRITE,
  giveRights,
  narrowRights,
  need,
  needOnDirectory,
  PATH_CREATE_FILE,
  PATH_FILESTAT_SET_SIZE,
  PATH_OPEN,
  rightsOf,
} from "./rights.ts";

/** The 46 functions of WASI preview 1 (its witx definitions), every one of which preview1Imports gives. */
export const PREVIEW1_FUNCTIONS: ReadonlySet<string> = new Set([
  "args_get",
  "args_sizes_get",
  "environ_get",
  "environ_sizes_get",
  "clock_res_get",
  "clock_time_get",
  "fd_advise",
  "fd_allocate",
  "fd_close",
  "fd_datasync",
  "fd_sync",
  "fd_fdstat_get",
  "fd_fdstat_set_flags",
  "fd_fdstat_set_rights",
  "fd_filestat_get",
  "fd_filestat_set_size",
  "fd_filestat_set_times",
  "fd_pread",
  "fd_pwrite",
  "fd_read",
  "fd_write",
  "fd_prestat_get",
  "fd_prestat_dir_name",
  "fd_readdir",
  "fd_renumber",
  "fd_seek",
  "fd_tell",
  "path_create_directory",
  "path_filestat_get",
  "path_filestat_set_times",
  "path_link",
  "path_open",
  "path_readlink",
  "path_remove_directory",
  "path_rename",
  "path_symlink",
  "path_unlink_file",
  "poll_oneoff",
  "proc_exit",
  "proc_raise",
  "sched_yield",
  "random_get",
  "sock_accept",
  "sock_recv",
  "sock_send",
  "sock_shutdown",
]);

/**
 * The SYNC, DSYNC and RSYNC flags an fd was opened with: reported by
 * fd_fdstat_get. Its writes are stored as every write is (written back,
 * durable at fsync).
 */
const syncFlags = new WeakMap<OpenFile, number>();

/**
 * The `wasi_snapshot_preview1` imports. Each function only translates: it
 * reads its arguments out of wasm memory, calls the process, and writes the
 * answer back. Struct layouts follow the WASI preview 1 witx definitions.
 */
export function preview1Imports(current: Current, mem: WasmMemory): WebAssembly.ModuleImports {
  const str = (ptr: number, len: number) => mem.string(ptr, len);
  const follow = (lookupflags: number) => (lookupflags & 1) !== 0;
  // A path relative to a directory fd, as WASI's are: one reaching past the
  // directory is refused, absolute (EPERM: wasi-libc never passes one) or
  // climbing above it with `..` (ENOTCAPABLE, Process.checkBeneath).
  // `followLast`: whether the call follows a symlink in the last component.
  const path = (fd: number, ptr: number, len: number, followLast = false) => {
    const p = str(ptr, len);
    if (p.startsWith("/")) fail("EPERM", `${p}: an absolute path relative to a directory fd`);
    current.proc.checkBeneath(fd, p, followLast);
    return p;
  };

  const writeStrings = (list: string[], ptrs: number, buf: number) => {
    for (const s of list) {
      const bytes = mem.encode(s);
      mem.u32(ptrs, buf);
      mem.bytes.set(bytes, buf);
      mem.bytes[buf + bytes.length] = 0;
      ptrs += 4;
      buf += bytes.length + 1;
    }
  };
  const sizes = (list: string[], countPtr: number, sizePtr: number) => {
    mem.u32(countPtr, list.length);
    mem.u32(
      sizePtr,
      list.reduce((n, s) => n + mem.encode(s).length + 1, 0),
    );
  };

  const writeFilestat = (ptr: number, st: Stat) => {
    const v = mem.view;
    v.setBigUint64(ptr, BigInt(st.dev ?? 1), true); // dev
    v.setBigUint64(ptr + 8, BigInt(st.ino), true);
    v.setUint8(ptr + 16, filetype(st.type));
    v.setBigUint64(ptr + 24, BigInt(st.nlink), true);
    v.setBigUint64(ptr + 32, BigInt(st.size), true);
    v.setBigUint64(ptr + 40, st.atime, true);
    v.setBigUint64(ptr + 48, st.mtime, true);
    v.setBigUint64(ptr + 56, st.ctime, true);
  };

  const times = (atim: bigint, mtim: bigint, flags: number) => {
    const both = (a: number, b: number) => (flags & a) !== 0 && (flags & b) !== 0;
    if (both(wasi.FSTFLAGS_ATIM, wasi.FSTFLAGS_ATIM_NOW)) fail("EINVAL", "ATIM and ATIM_NOW");
    if (both(wasi.FSTFLAGS_MTIM, wasi.FSTFLAGS_MTIM_NOW)) fail("EINVAL", "MTIM and MTIM_NOW");
    const t = now();
    return {
      atime: flags & wasi.FSTFLAGS_ATIM_NOW ? t : flags & wasi.FSTFLAGS_ATIM ? atim : undefined,
      mtime: flags & wasi.FSTFLAGS_MTIM_NOW ? t : flags & wasi.FSTFLAGS_MTIM ? mtim : undefined,
    };
  };

  // A call that would block after moving some bytes answers with what it moved.
  const readInto = (iovs: number, count: number, read: (len: number) => Uint8Array) => {
    let total = 0;
    for (const [buf, len] of mem.iovecs(iovs, count)) {
      if (len === 0) continue;
      const data = total > 0 ? unlessBlocked(() => read(len)) : read(len);
      if (data === null) break;
      mem.bytes.set(data, buf);
      total += data.length;
      if (data.length < len) break;
    }
    return total;
  };

  const writeFrom = (iovs: number, count: number, write: (data: Uint8Array) => number) => {
    let total = 0;
    for (const [buf, len] of mem.iovecs(iovs, count)) {
      if (len === 0) continue;
      const data = mem.bytes.slice(buf, buf + len);
      const n = total > 0 ? unlessBlocked(() => write(data)) : write(data);
      if (n === null) break;
      total += n;
      if (n < len) break;
    }
    return total;
  };

  return {
    args_get: (argv: number, buf: number) =>
      syscall(() => writeStrings(current.proc.args, argv, buf)),
    args_sizes_get: (count: number, size: number) =>
      syscall(() => sizes(current.proc.args, count, size)),
    environ_get: (env: number, buf: number) =>
      syscall(() => writeStrings(current.proc.env, env, buf)),
    environ_sizes_get: (count: number, size: number) =>
      syscall(() => sizes(current.proc.env, count, size)),

    clock_res_get: (id: number, out: number) =>
      syscall(() => mem.u64(out, id === wasi.CLOCKID_REALTIME ? 1_000_000n : 1_000n)),
    clock_time_get: (id: number, _precision: bigint, out: number) =>
      syscall(() => mem.u64(out, clock(id))),

    fd_advise: (fd: number) => syscall(() => void current.proc.file(fd)),
    fd_allocate: (fd: number, offset: bigint, len: bigint) =>
      syscall(() => {
        const st = current.proc.fstat(fd);
        // As Linux's fallocate: a directory is EISDIR, a pipe ESPIPE.
        if (st.type === "directory") fail("EISDIR", "allocate in a directory");
        if (st.type !== "file") fail("ESPIPE", "allocate in what is not a file");
        const size = Number(offset + len);
        if (st.size < size) current.proc.ftruncate(fd, size);
      }),
    fd_close: (fd: number) => syscall(() => current.proc.close(fd)),
    fd_datasync: (fd: number) => syscall(() => current.proc.fsync(fd)),
    fd_sync: (fd: number) => syscall(() => current.proc.fsync(fd)),
    fd_fdstat_get: (fd: number, out: number) =>
      syscall(() => {
        const f = current.proc.file(fd);
        const v = mem.view;
        v.setUint8(out, filetype(f.stat().type));
        v.setUint16(
          out + 2,
          (f.append ? wasi.FDFLAGS_APPEND : 0) |
            (f.nonblocking ? wasi.FDFLAGS_NONBLOCK : 0) |
            (syncFlags.get(f) ?? 0),
          true,
        );
        const rights = rightsOf(f);
        v.setBigUint64(out + 8, rights.base, true);
        v.setBigUint64(out + 16, rights.inheriting, true);
      }),
    fd_fdstat_set_flags: (fd: number, flags: number) =>
      syscall(() => {
        const f = current.proc.file(fd);
        f.append = (flags & wasi.FDFLAGS_APPEND) !== 0;
        f.nonblocking = (flags & wasi.FDFLAGS_NONBLOCK) !== 0;
      }),
    fd_fdstat_set_rights: (fd: number, base: bigint, inheriting: bigint) =>
      syscall(() => narrowRights(current.proc.file(fd), { base, inheriting })),
    fd_filestat_get: (fd: number, out: number) =>
      syscall(() => writeFilestat(out, current.proc.fstat(fd))),
    fd_filestat_set_size: (fd: number, size: bigint) =>
      syscall(() => current.proc.ftruncate(fd, Number(size))),
    fd_filestat_set_times: (fd: number, atim: bigint, mtim: bigint, flags: number) =>
      syscall(() => current.proc.fsetattr(fd, times(atim, mtim, flags))),
    fd_pread: (fd: number, iovs: number, count: number, offset: bigint, out: number) =>
      syscall(() => {
        need(current.proc.file(fd), FD_READ, "read");
        let at = Number(offset);
        const n = readInto(iovs, count, (len) => {
          const d = current.proc.pread(fd, len, at);
          at += d.length;
          return d;
        });
        mem.u32(out, n);
      }),
    fd_pwrite: (fd: number, iovs: number, count: number, offset: bigint, out: number) =>
      syscall(() => {
        need(current.proc.file(fd), FD_WRITE, "write");
        let at = Number(offset);
        const n = writeFrom(iovs, count, (d) => {
          const w = current.proc.pwrite(fd, d, at);
          at += w;
          return w;
        });
        mem.u32(out, n);
      }),
    // The fd is checked first (EBADF), even with no iovec, as Linux's read and write of 0 bytes do.
    fd_read: (fd: number, iovs: number, count: number, out: number) =>
      syscall(() => {
        need(current.proc.file(fd), FD_READ, "read");
        mem.u32(
          out,
          readInto(iovs, count, (len) => current.proc.read(fd, len)),
        );
      }),
    fd_write: (fd: number, iovs: number, count: number, out: number) =>
      syscall(() => {
        need(current.proc.file(fd), FD_WRITE, "write");
        mem.u32(
          out,
          writeFrom(iovs, count, (d) => current.proc.write(fd, d)),
        );
      }),
    fd_prestat_get: (fd: number, out: number) =>
      syscall(() => {
        const name = current.proc.preopenAt(fd);
        // Not a directory preopen: a tag libc skips (its only known tag is 0).
        mem.view.setUint8(out, name === null ? NOT_A_PREOPEN : wasi.PREOPENTYPE_DIR);
        mem.u32(out + 4, name === null ? 0 : mem.encode(name).length);
      }),
    fd_prestat_dir_name: (fd: number, ptr: number, len: number) =>
      syscall(() => {
        const name = current.proc.preopens.get(fd);
        if (name === undefined) fail("EBADF");
        const bytes = mem.encode(name);
        if (bytes.length > len) fail("ENAMETOOLONG", "the buffer is shorter than the name");
        mem.bytes.set(bytes, ptr);
      }),
    fd_readdir: (fd: number, buf: number, len: number, cookie: bigint, out: number) =>
      syscall(() => {
        let used = 0;
        let next = Number(cookie);
        for (const entry of current.proc.readdir(fd, Number(cookie))) {
          next++;
          const name = mem.encode(entry.name);
          const head = new DataView(new ArrayBuffer(24));
          head.setBigUint64(0, BigInt(next), true);
          head.setBigUint64(8, BigInt(entry.ino), true);
          head.setUint32(16, name.length, true);
          head.setUint8(20, filetype(entry.type));
          const record = new Uint8Array(24 + name.length);
          record.set(new Uint8Array(head.buffer), 0);
          record.set(name, 24);
          // A record that does not fit is cut: libc sees a full buffer and
          // asks again from that entry's cookie with a bigger one.
          const fits = Math.min(record.length, len - used);
          mem.bytes.set(record.subarray(0, fits), buf + used);
          used += fits;
          if (used === len) break;
        }
        mem.u32(out, used);
      }),
    fd_renumber: (from: number, to: number) => syscall(() => current.proc.renumber(from, to)),
    fd_seek: (fd: number, offset: bigint, whence: number, out: number) =>
      syscall(() => {
        const w = whence === wasi.WHENCE_SET ? "set" : whence === wasi.WHENCE_CUR ? "cur" : "end";
        // A directory's position is fd_readdir's cookie, not an offset.
        if (current.proc.file(fd).stat().type === "directory")
          fail("EISDIR", "seek in a directory");
        mem.u64(out, current.proc.seek(fd, Number(offset), w));
      }),
    fd_tell: (fd: number, out: number) =>
      syscall(() => {
        if (current.proc.file(fd).stat().type === "directory")
          fail("EISDIR", "tell in a directory");
        mem.u64(out, current.proc.seek(fd, 0, "cur"));
      }),

    path_create_directory: (fd: number, p: number, l: number) =>
      syscall(() => current.proc.mkdir(fd, path(fd, p, l), 0o777)),
    path_filestat_get: (fd: number, flags: number, p: number, l: number, out: number) =>
      syscall(() =>
        writeFilestat(out, current.proc.stat(fd, path(fd, p, l, follow(flags)), follow(flags))),
      ),
    path_filestat_set_times: (
      fd: number,
      flags: number,
      p: number,
      l: number,
      atim: bigint,
      mtim: bigint,
      fst: number,
    ) =>
      syscall(() =>
        current.proc.setattr(
          fd,
          path(fd, p, l, follow(flags)),
          follow(flags),
          times(atim, mtim, fst),
        ),
      ),
    path_link: (
      fromFd: number,
      flags: number,
      fp: number,
      fl: number,
      toFd: number,
      tp: number,
      tl: number,
    ) =>
      syscall(() =>
        current.proc.link(
          fromFd,
          path(fromFd, fp, fl, follow(flags)),
          follow(flags),
          toFd,
          path(toFd, tp, tl),
        ),
      ),
    path_open: (
      fd: number,
      dirflags: number,
      p: number,
      l: number,
      oflags: number,
      rightsBase: bigint,
      rightsInheriting: bigint,
      fdflags: number,
      out: number,
    ) =>
      syscall(() => {
        const dir = current.proc.file(fd);
        needOnDirectory(dir, PATH_OPEN, "open");
        if (oflags & wasi.OFLAGS_TRUNC) needOnDirectory(dir, PATH_FILESTAT_SET_SIZE, "truncate");
        if (oflags & wasi.OFLAGS_CREAT) needOnDirectory(dir, PATH_CREATE_FILE, "create");
        const opened = current.proc.open(fd, path(fd, p, l, follow(dirflags)), {
          follow: follow(dirflags),
          create: (oflags & wasi.OFLAGS_CREAT) !== 0,
          exclusive: (oflags & wasi.OFLAGS_EXCL) !== 0,
          truncate: (oflags & wasi.OFLAGS_TRUNC) !== 0,
          directory: (oflags & wasi.OFLAGS_DIRECTORY) !== 0,
          read: (rightsBase & FD_READ) !== 0n,
          // A directory asked for with FD_WRITE is EISDIR, as Linux's O_RDWR.
          write: (rightsBase & FD_WRITE) !== 0n,
          append: (fdflags & wasi.FDFLAGS_APPEND) !== 0,
          mode: 0o666,
        });
        const file = current.proc.file(opened);
        giveRights(file, { base: rightsBase, inheriting: rightsInheriting }, rightsOf(dir));
        const sync = fdflags & (wasi.FDFLAGS_SYNC | wasi.FDFLAGS_DSYNC | wasi.FDFLAGS_RSYNC);
        if (sync) syncFlags.set(file, sync);
        mem.u32(out, opened);
      }),
    path_readlink: (fd: number, p: number, l: number, buf: number, len: number, out: number) =>
      syscall(() => {
        const target = mem.encode(current.proc.readlink(fd, path(fd, p, l))).subarray(0, len);
        mem.bytes.set(target, buf);
        mem.u32(out, target.length);
      }),
    path_remove_directory: (fd: number, p: number, l: number) =>
      syscall(() => current.proc.rmdir(fd, path(fd, p, l))),
    path_rename: (fd: number, fp: number, fl: number, toFd: number, tp: number, tl: number) =>
      syscall(() => current.proc.rename(fd, path(fd, fp, fl), toFd, path(toFd, tp, tl))),
    path_symlink: (tp: number, tl: number, fd: number, p: number, l: number) =>
      syscall(() => current.proc.symlink(str(tp, tl), fd, path(fd, p, l))),
    path_unlink_file: (fd: number, p: number, l: number) =>
      syscall(() => current.proc.unlink(fd, path(fd, p, l))),

    poll_oneoff: (inPtr: number, outPtr: number, count: number, out: number) =>
      syscall(() => {
        const v = mem.view;
        const now = performance.now();
        const ready: Array<{ sub: number; nbytes: number; hangup: boolean; error: number }> = [];
        const changes: Promise<void>[] = [];
        let timeout = Infinity;
        const clocks: number[] = [];
        for (let i = 0; i < count; i++) {
          const sub = inPtr + i * 48;
          const tag = v.getUint8(sub + 8);
          if (tag === wasi.EVENTTYPE_CLOCK) {
            const ns = v.getBigUint64(sub + 24, true);
            const absolute = (v.getUint16(sub + 40, true) & 1) !== 0;
            const left = absolute ? ns - clock(v.getUint32(sub + 16, true)) : ns;
            timeout = Math.min(timeout, Number(left > 0n ? left : 0n) / 1e6);
            clocks.push(sub);
            continue;
          }
          const f = current.proc.fds.get(v.getUint32(sub + 16, true));
          if (!f) {
            ready.push({ sub, nbytes: 0, hangup: false, error: wasi.ERRNO_BADF });
            continue;
          }
          const r = f.readiness();
          const reading = tag === wasi.EVENTTYPE_FD_READ;
          if (reading ? r.readable : r.writable) {
            ready.push({ sub, nbytes: reading ? r.available : 0, hangup: r.hangup, error: 0 });
          } else if (r.changed) {
            changes.push(r.changed);
          }
        }
        // A paused poll waits for what was left of its timeout, not all of it again.
        const deadline = current.proc.deadline ?? now + timeout;
        if (ready.length === 0 && clocks.length > 0 && now >= deadline) {
          for (const sub of clocks) ready.push({ sub, nbytes: 0, hangup: false, error: 0 });
        }
        if (ready.length === 0) {
          if (clocks.length > 0) {
            current.proc.deadline = deadline;
            changes.push(new Promise((r) => setTimeout(r, deadline - now)));
          }
          throw new WouldBlock(Promise.race(changes), "poll");
        }
        ready.forEach((e, i) => {
          const ev = outPtr + i * 32;
          v.setBigUint64(ev, v.getBigUint64(e.sub, true), true);
          v.setUint16(ev + 8, e.error, true);
          v.setUint8(ev + 10, v.getUint8(e.sub + 8));
          v.setBigUint64(ev + 16, BigInt(e.nbytes), true);
          v.setUint16(ev + 24, e.hangup ? wasi.EVENTRWFLAGS_FD_READWRITE_HANGUP : 0, true);
        });
        mem.u32(out, ready.length);
      }),
    proc_exit: (status: number) => {
      throw new ProcessExit(status);
    },
    // A signal to itself, through the kernel's signals like any other (delivered as the call returns).
    proc_raise: (sig: number) =>
      syscall(() => {
        if (sig <= 0 || sig >= 65) fail("EINVAL");
        current.proc.raise(sig);
      }),
    sched_yield: () => wasi.ERRNO_SUCCESS,
    random_get: (buf: number, len: number) =>
      syscall(() => {
        for (let i = 0; i < len; i += 65536) {
          crypto.getRandomValues(mem.bytes.subarray(buf + i, buf + Math.min(len, i + 65536)));
        }
      }),
    sock_accept: () => wasi.ERRNO_NOTSOCK,
    sock_recv: () => wasi.ERRNO_NOTSOCK,
    sock_send: () => wasi.ERRNO_NOTSOCK,
    sock_shutdown: () => wasi.ERRNO_NOTSOCK,
  };
}

/** A prestat tag other than PREOPENTYPE_DIR (0), for an open fd that is no preopen. */
const NOT_A_PREOPEN = 1;

export function filetype(type: FileType): number {
  switch (type) {
    case "file":
      return wasi.FILETYPE_REGULAR_FILE;
    case "directory":
      return wasi.FILETYPE_DIRECTORY;
    case "symlink":
      return wasi.FILETYPE_SYMBOLIC_LINK;
    case "chardev":
      return wasi.FILETYPE_CHARACTER_DEVICE;
    case "blockdev":
      return wasi.FILETYPE_BLOCK_DEVICE;
    case "socket":
      return wasi.FILETYPE_SOCKET_STREAM;
    case "fifo":
      return wasi.FILETYPE_UNKNOWN;
  }
}

function clock(id: number): bigint {
  if (id === wasi.CLOCKID_REALTIME) return now();
  return BigInt(Math.round(performance.now() * 1e6));
}

/** The call's answer, or null if it would block. */
function unlessBlocked<T>(call: () => T): T | null {
  try {
    return call();
  } catch (e) {
    if (e instanceof WouldBlock) return null;
    throw e;
  }
}
