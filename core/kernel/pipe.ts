import { concat } from "../bytes.ts";
import { fail } from "../errno.ts";
import type { Stat } from "../vfs/filesystem.ts";
import { WouldBlock } from "../vfs/would-block.ts";
import { Changes } from "./changes.ts";
import { nextStreamIno, OpenFile, streamStat, type Readiness } from "./open-file.ts";

/** Linux's default pipe capacity. */
export const PIPE_CAPACITY = 65536;

/**
 * A pipe: a bounded buffer with a read end and a write end, each an open
 * file description (shared by the fds that dup or inherit it).
 *
 * Reading an empty pipe blocks (WouldBlock) while a write end is open, and
 * gives end-of-file once none is. Writing blocks while the buffer is full;
 * a write that fits only in part writes that part and answers its length
 * (so writers wait and memory stays bounded). Writing with no read end
 * open is EPIPE; the process kernel also sends SIGPIPE.
 */
export class Pipe {
  private chunks: Uint8Array[] = [];
  /** The first chunk not read yet. */
  private head = 0;
  private buffered = 0;
  private readers = 0;
  private writers = 0;
  /** Wakes whoever waits for a change (data, room, or an end closing). */
  private readonly changes = new Changes();
  readonly ino = nextStreamIno();

  constructor(readonly capacity = PIPE_CAPACITY) {}

  /** The two ends: [read, write]. */
  ends(): [OpenFile, OpenFile] {
    this.readers++;
    this.writers++;
    return [new PipeEnd(this, "read"), new PipeEnd(this, "write")];
  }

  read(length: number, nonblocking: boolean): Uint8Array {
    if (this.buffered === 0) {
      if (this.writers === 0) return new Uint8Array(0);
      if (nonblocking) fail("EAGAIN");
      throw new WouldBlock(this.nextChange(), "reading an empty pipe");
    }
    const out: Uint8Array[] = [];
    let got = 0;
    while (got < length && this.head < this.chunks.length) {
      const first = this.chunks[this.head]!;
      const take = Math.min(first.length, length - got);
      out.push(first.subarray(0, take));
      got += take;
      if (take === first.length) this.head++;
      else this.chunks[this.head] = first.subarray(take);
    }
    // Read chunks are dropped in one go, not one shift at a time: a pipe
    // full of tiny writes (bc writes 3 bytes at a time) stays cheap to read.
    if (this.head === this.chunks.length) {
      this.chunks = [];
      this.head = 0;
    } else if (this.head > 64 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
    this.buffered -= got;
    this.notify();
    // One chunk (a big write read whole) goes out as it is, not copied.
    return out.length === 1 ? out[0]! : concat(out);
  }

  write(data: Uint8Array, nonblocking: boolean): number {
    if (this.readers === 0) fail("EPIPE");
    const room = this.capacity - this.buffered;
    if (room === 0) {
      if (nonblocking) fail("EAGAIN");
      throw new WouldBlock(this.nextChange(), "writing a full pipe");
    }
    const take = Math.min(room, data.length);
    // Kept without a copy: writers hand over bytes they do not change
    // afterwards (a program's write is copied out of its memory first).
    this.chunks.push(data.subarray(0, take));
    this.buffered += take;
    this.notify();
    return take;
  }

  /** Up to `length` of the bytes waiting, left for the next read (a socket's MSG_PEEK). */
  peek(length: number): Uint8Array {
    const out: Uint8Array[] = [];
    let got = 0;
    for (let i = this.head; got < length && i < this.chunks.length; i++) {
      const take = this.chunks[i]!.subarray(0, length - got);
      out.push(take);
      got += take.length;
    }
    return concat(out);
  }

  /** Bytes waiting to be read (FIONREAD, poll). */
  get available(): number {
    return this.buffered;
  }

  get hasReaders(): boolean {
    return this.readers > 0;
  }

  get hasWriters(): boolean {
    return this.writers > 0;
  }

  closed(end: "read" | "write"): void {
    if (end === "read") this.readers--;
    else this.writers--;
    if (this.readers === 0) {
      this.chunks = [];
      this.head = 0;
      this.buffered = 0;
    }
    this.notify();
  }

  stat(): Stat {
    return streamStat(this.ino, "fifo", 0);
  }

  /** A promise settled at the next change of the pipe. */
  nextChange(): Promise<void> {
    return this.changes.next();
  }

  private notify(): void {
    this.changes.notify();
  }
}

/** One end of a pipe. */
class PipeEnd extends OpenFile {
  constructor(
    readonly pipe: Pipe,
    readonly end: "read" | "write",
  ) {
    super(end === "read", end === "write");
  }

  stat(): Stat {
    return this.pipe.stat();
  }

  override readiness(): Readiness {
    const p = this.pipe;
    return {
      readable: this.end === "read" && (p.available > 0 || !p.hasWriters),
      writable: this.end === "write" && (p.available < p.capacity || !p.hasReaders),
      available: this.end === "read" ? p.available : 0,
      hangup: this.end === "read" ? !p.hasWriters : !p.hasReaders,
      changed: p.nextChange(),
    };
  }

  override read(length: number): Uint8Array {
    if (this.end !== "read") fail("EBADF");
    return this.pipe.read(length, this.nonblocking);
  }

  override write(data: Uint8Array): number {
    if (this.end !== "write") fail("EBADF");
    return this.pipe.write(data, this.nonblocking);
  }

  protected override close(): void {
    this.pipe.closed(this.end);
  }
}
