/**
 * Memories of ended programs, kept for the next ones. A program's memory
 * is a WebAssembly.Memory the kernel gives it (the module imports
 * `env.memory`). A fresh one costs a page fault for every 4 KiB the
 * program first touches, and on a small machine that is most of a
 * process's start: copying a 1.3 MiB shell into a fresh memory took about
 * 1.8 ms here, into a used one 0.25 ms, and an exec'd instance's data
 * segments alike. So fork and exec take a used memory when there is one.
 *
 * A memory cannot shrink: a program may start with more memory than its
 * module asks for (wasi-libc's malloc uses what is there), but a fork
 * child must be exactly its parent's size, so it takes a memory no bigger
 * and grows it.
 */
const PAGE = 65536;

export class MemoryPool {
  private readonly free: WebAssembly.Memory[] = [];
  private bytes = 0;

  /**
   * @param limit bytes of memories kept at most (and no one memory bigger
   *   than a quarter of it): a tab keeps this much for its next programs.
   */
  constructor(private readonly limit = 32 * 2 ** 20) {}

  /** Memory for a new program: at least `pages`, all zero (as a fresh one). */
  forExec(pages: number): WebAssembly.Memory {
    const memory = this.takeSmallest();
    if (!memory) return new WebAssembly.Memory({ initial: pages });
    new Uint8Array(memory.buffer).fill(0);
    const have = memory.buffer.byteLength / PAGE;
    if (have < pages) memory.grow(pages - have);
    return memory;
  }

  /** Memory of exactly `pages` for a fork child, whose parent's bytes are copied in over whatever it holds. */
  forFork(pages: number): WebAssembly.Memory {
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const size = this.free[i]!.buffer.byteLength;
      if (size <= pages * PAGE && (best < 0 || size > this.free[best]!.buffer.byteLength)) best = i;
    }
    if (best < 0) return new WebAssembly.Memory({ initial: pages });
    const memory = this.remove(best);
    const have = memory.buffer.byteLength / PAGE;
    if (have < pages) memory.grow(pages - have);
    return memory;
  }

  /** A memory no program uses any more (the program ended or exec'd). */
  give(memory: WebAssembly.Memory): void {
    const size = memory.buffer.byteLength;
    if (size > this.limit / 4) return;
    while (this.free.length && this.bytes + size > this.limit) this.remove(0);
    this.free.push(memory);
    this.bytes += size;
  }

  private takeSmallest(): WebAssembly.Memory | undefined {
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      if (best < 0 || this.free[i]!.buffer.byteLength < this.free[best]!.buffer.byteLength)
        best = i;
    }
    return best < 0 ? undefined : this.remove(best);
  }

  private remove(index: number): WebAssembly.Memory {
    const [memory] = this.free.splice(index, 1);
    this.bytes -= memory!.buffer.byteLength;
    return memory!;
  }
}

/** A reader of a module's bytes: unsigned LEB128 numbers, and a section's start. */
class ModuleReader {
  at = 8; // magic and version

  constructor(readonly bytes: Uint8Array) {}

  leb(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = this.bytes[this.at++]!;
      result += (byte & 0x7f) * 2 ** shift;
      if (!(byte & 0x80)) return result;
      shift += 7;
    }
  }

  /** Moves to the contents of the first section `id`; false when there is none. */
  section(id: number): boolean {
    while (this.at < this.bytes.length) {
      const found = this.bytes[this.at++]!;
      const size = this.leb();
      if (found === id) return true;
      this.at += size;
    }
    return false;
  }

  skip(): void {
    const length = this.leb();
    this.at += length;
  }
}

/**
 * The pages a module's imported memory must have at least (`env.memory`'s
 * minimum, from the module's import section), or null when the module has
 * its own memory. WebAssembly.Module.imports does not tell the minimum.
 */
export function importedMemoryPages(bytes: Uint8Array): number | null {
  const r = new ModuleReader(bytes);
  if (!r.section(2)) return null;
  const skipLimits = () => {
    const flags = r.leb();
    r.leb();
    if (flags & 1) r.leb();
  };
  for (let count = r.leb(); count > 0; count--) {
    r.skip(); // module name
    r.skip(); // field name
    const kind = bytes[r.at++]!;
    if (kind === 0)
      r.leb(); // function: its type
    else if (kind === 1) {
      r.at++; // table: element type, limits
      skipLimits();
    } else if (kind === 2) {
      r.leb(); // memory: limits
      return r.leb();
    } else if (kind === 3)
      r.at += 2; // global: value type, mutability
    else if (kind === 4) {
      r.at++; // tag: attribute, type
      r.leb();
    } else throw new Error(`unknown import kind ${kind}`);
  }
  return null;
}

/**
 * The lowest address a module's active data segments write (null: none,
 * or one placed by an expression this does not read). With wasm-ld's
 * --stack-first (rootfs/toolchain.sh) the stack is below it: a fork need
 * not copy the part of the stack below the stack pointer (program.ts).
 */
export function lowestDataAddress(bytes: Uint8Array): number | null {
  const r = new ModuleReader(bytes);
  if (!r.section(11)) return null;
  let lowest: number | null = null;
  for (let count = r.leb(); count > 0; count--) {
    const flags = r.leb();
    if (flags === 1) {
      r.skip(); // passive: its bytes
      continue;
    }
    if (flags === 2)
      r.leb(); // memory index
    else if (flags !== 0) return null;
    // i32.const N end (a signed LEB: addresses below 2 GiB are read as they are)
    if (bytes[r.at++] !== 0x41) return null;
    const offset = r.leb();
    if (bytes[r.at++] !== 0x0b) return null;
    r.skip(); // the segment's bytes
    lowest = lowest === null ? offset : Math.min(lowest, offset);
  }
  return lowest;
}

/** A module's active data laid out as its memory holds them: `bytes` from address `at`, zeros elsewhere. */
export interface DataImage {
  at: number;
  bytes: Uint8Array;
}

/**
 * What a fresh instance of a module holds in its memory: its active data
 * segments. An instance whose memory is cleared and given these, with its
 * stack pointer back at the top, is as a fresh one (program.ts's exec).
 * Null when that is not so or not known: a start function (it could
 * write memory), passive segments (memory.init reads them, and data.drop
 * is the instance's own), or an offset this does not read.
 */
export function dataImage(bytes: Uint8Array): DataImage | null {
  if (new ModuleReader(bytes).section(8)) return null;
  const r = new ModuleReader(bytes);
  if (!r.section(11)) return { at: 0, bytes: new Uint8Array(0) };
  const segments: Array<[number, Uint8Array]> = [];
  for (let count = r.leb(); count > 0; count--) {
    const flags = r.leb();
    if (flags === 2) {
      if (r.leb() !== 0) return null; // another memory
    } else if (flags !== 0) return null;
    if (bytes[r.at++] !== 0x41) return null;
    const offset = r.leb();
    if (bytes[r.at++] !== 0x0b) return null;
    const length = r.leb();
    segments.push([offset, bytes.subarray(r.at, r.at + length)]);
    r.at += length;
  }
  if (segments.length === 0) return { at: 0, bytes: new Uint8Array(0) };
  const at = Math.min(...segments.map(([o]) => o));
  const end = Math.max(...segments.map(([o, d]) => o + d.length));
  const image = new Uint8Array(end - at);
  // In order: a later segment over an earlier one wins, as at instantiation.
  for (const [offset, data] of segments) image.set(data, offset - at);
  return { at, bytes: image };
}
