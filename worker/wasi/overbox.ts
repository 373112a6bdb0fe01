import { fail } from "../errno.ts";
import type { Process } from "../kernel/process.ts";
import type { FileType, Stat } from "../vfs/filesystem.ts";
import { syscall } from "./errno.ts";
import type { WasmMemory } from "./memory.ts";

/**
 * The `overbox` import module: the system calls WASI preview 1 lacks, as
 * README.md beside this file documents them. Like preview1.ts, it only
 * translates between wasm memory and the process.
 */
export function overboxImports(proc: Process, mem: WasmMemory): WebAssembly.ModuleImports {
  const str = (ptr: number, len: number) => mem.string(ptr, len);
  const follow = (flags: number) => (flags & 1) !== 0;

  const writeStat = (ptr: number, st: Stat) => {
    const v = mem.view;
    const blocks = st.type === "directory" ? 8 : Math.ceil(st.size / 4096) * 8;
    v.setBigUint64(ptr, 1n, true);
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
      syscall(() => writeStat(out, proc.stat(fd, str(p, l), follow(flags)))),
    fstat: (fd: number, out: number) => syscall(() => writeStat(out, proc.fstat(fd))),
    chmod: (fd: number, flags: number, p: number, l: number, mode: number) =>
      syscall(() => proc.setattr(fd, str(p, l), follow(flags), { mode: mode & 0o7777 })),
    fchmod: (fd: number, mode: number) => syscall(() => proc.fsetattr(fd, { mode: mode & 0o7777 })),
    chown: (fd: number, flags: number, p: number, l: number, uid: number, gid: number) =>
      syscall(() => proc.chown(fd, str(p, l), follow(flags), uid, gid)),
    fchown: (fd: number, uid: number, gid: number) => syscall(() => proc.fchown(fd, uid, gid)),
    open: (fd: number, p: number, l: number, flags: number, mode: number, out: number) =>
      syscall(() => {
        const access = flags & O_ACCMODE;
        if (access === 0) fail("EINVAL", "no access mode");
        const opened = proc.open(fd, str(p, l), {
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
        mem.u32(out, opened);
      }),
    dup: (fd: number, min: number, out: number) => syscall(() => mem.u32(out, proc.dup(fd, min))),
    dup2: (fd: number, to: number) => syscall(() => proc.dup2(fd, to)),
    mkdir: (fd: number, p: number, l: number, mode: number) =>
      syscall(() => proc.mkdir(fd, str(p, l), mode)),
    umask: (mask: number, out: number) =>
      syscall(() => {
        mem.u32(out, proc.umask);
        proc.umask = mask & 0o777;
      }),
    getcwd: (buf: number, len: number, out: number) =>
      syscall(() => {
        const cwd = mem.encode(proc.cwd);
        if (cwd.length + 1 > len) fail("ERANGE");
        mem.bytes.set(cwd, buf);
        mem.bytes[buf + cwd.length] = 0;
        mem.u32(out, cwd.length);
      }),
  };
}

// wasi-libc's open() flags (its <fcntl.h>): access modes are WASI rights bits.
const O_APPEND = 0x1;
const O_CREAT = 1 << 12;
const O_DIRECTORY = 2 << 12;
const O_EXCL = 4 << 12;
const O_TRUNC = 8 << 12;
const O_NOFOLLOW = 0x01000000;
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
