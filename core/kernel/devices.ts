import { fail } from "../errno.ts";
import type { Filesystem, Stat } from "../vfs/filesystem.ts";
import { OpenFile } from "./open-file.ts";

/** Linux's device number encoding for small numbers: major << 8 | minor. */
export function makedev(major: number, minor: number): number {
  return (major << 8) | minor;
}

interface Driver {
  read(length: number): Uint8Array;
  write(data: Uint8Array): number;
}

const zeros = (length: number) => new Uint8Array(Math.min(length, 1 << 20));
const random = (length: number) => {
  const out = new Uint8Array(Math.min(length, 1 << 20));
  for (let i = 0; i < out.length; i += 65536) crypto.getRandomValues(out.subarray(i, i + 65536));
  return out;
};

/** The memory devices of Linux (drivers/char/mem.c), by device number. */
const drivers = new Map<number, Driver>([
  [makedev(1, 3), { read: () => new Uint8Array(0), write: (d) => d.length }], // null
  [makedev(1, 5), { read: zeros, write: (d) => d.length }], // zero
  [makedev(1, 7), { read: zeros, write: () => fail("ENOSPC") }], // full
  [makedev(1, 8), { read: random, write: (d) => d.length }], // random
  [makedev(1, 9), { read: random, write: (d) => d.length }], // urandom
]);

/** /dev/tty (5,0) and /dev/console (5,1): the process's controlling terminal (tty.ts). */
export function isTerminalDevice(rdev: number): boolean {
  return rdev === makedev(5, 0) || rdev === makedev(5, 1);
}

/** The device nodes the kernel puts in /dev at boot, as devtmpfs does. */
export const deviceNodes: ReadonlyArray<{ name: string; rdev: number; mode: number }> = [
  { name: "null", rdev: makedev(1, 3), mode: 0o666 },
  { name: "zero", rdev: makedev(1, 5), mode: 0o666 },
  { name: "full", rdev: makedev(1, 7), mode: 0o666 },
  { name: "random", rdev: makedev(1, 8), mode: 0o666 },
  { name: "urandom", rdev: makedev(1, 9), mode: 0o666 },
  { name: "tty", rdev: makedev(5, 0), mode: 0o666 },
  { name: "console", rdev: makedev(5, 1), mode: 0o600 },
];

/** The links in /dev to the process's own fds, as udev makes them (through /proc). */
export const deviceLinks: ReadonlyArray<{ name: string; target: string }> = [
  { name: "fd", target: "/proc/self/fd" },
  { name: "stdin", target: "/proc/self/fd/0" },
  { name: "stdout", target: "/proc/self/fd/1" },
  { name: "stderr", target: "/proc/self/fd/2" },
];

/** An open character device node. */
export class DeviceFile extends OpenFile {
  private readonly driver: Driver;
  constructor(
    readonly fs: Filesystem,
    readonly ino: number,
    readable: boolean,
    writable: boolean,
  ) {
    super(readable, writable);
    const driver = drivers.get(fs.stat(ino).rdev);
    if (!driver) fail("ENXIO", "no driver for this device");
    this.driver = driver;
  }
  override get inode(): { fs: Filesystem; ino: number } {
    return { fs: this.fs, ino: this.ino };
  }
  stat(): Stat {
    return this.fs.stat(this.ino);
  }
  override read(length: number): Uint8Array {
    if (!this.readable) fail("EBADF");
    return this.driver.read(length);
  }
  override write(data: Uint8Array): number {
    if (!this.writable) fail("EBADF");
    return this.driver.write(data);
  }
  override pread(length: number): Uint8Array {
    return this.read(length);
  }
  override pwrite(data: Uint8Array): number {
    return this.write(data);
  }
  override seek(): number {
    return 0;
  }
}
