import { ErrnoError } from "../errno.ts";
import type { OpenFile } from "./open-file.ts";
import { Pipe } from "./pipe.ts";

/**
 * A pipe whose read end is outside the container: a host's stdout (the
 * CLI), a page's callback (the library's spawn). What programs write is
 * handed to `sink` as it comes; the next read waits for the sink's promise,
 * so a slow consumer holds the writers back (the pipe fills, they wait).
 * When no writer is left, `done` settles.
 *
 * `close` is the consumer going away (`overbox exec c -- yes | head -1`):
 * the read end closes, so writers get EPIPE and SIGPIPE, as with a pipe
 * between two host programs.
 */
export class OutputPipe {
  /** The end to give a program as its stdout or stderr. */
  readonly write: OpenFile;
  private readonly read: OpenFile;
  private open = true;
  readonly done: Promise<void>;

  constructor(
    private readonly sink: (data: Uint8Array) => void | Promise<void>,
    private readonly pipe = new Pipe(),
  ) {
    [this.read, this.write] = pipe.ends();
    this.done = this.pump().finally(() => this.close());
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    this.read.drop();
  }

  private async pump(): Promise<void> {
    while (this.open) {
      let data: Uint8Array;
      try {
        data = this.pipe.read(1 << 16, true);
      } catch (e) {
        if (e instanceof ErrnoError && e.errno === "EAGAIN") {
          await this.pipe.nextChange();
          continue;
        }
        throw e;
      }
      if (data.length === 0) return;
      if (this.open) await this.sink(data);
    }
  }
}

/**
 * A pipe whose write end is outside the container: a host's stdin, a
 * page's `writeStdin`. Chunks wait in a queue while the pipe is full and go
 * in as programs read; `taken` is told each time some went in (the CLI
 * stops reading its stdin while too much waits). After `end`, once the
 * queue is empty, the write end closes and readers get end-of-file. If no
 * reader is left, what waits is dropped.
 */
export class InputPipe {
  /** The end to give a program as its stdin. */
  readonly read: OpenFile;
  private readonly write: OpenFile;
  private readonly queue: Uint8Array[] = [];
  private ended = false;
  private closed = false;
  private feeding = false;

  constructor(
    private readonly taken: (bytes: number) => void = () => undefined,
    private readonly pipe = new Pipe(),
  ) {
    [this.read, this.write] = pipe.ends();
  }

  push(data: Uint8Array): void {
    if (this.ended) return;
    this.queue.push(data);
    void this.feed();
  }

  end(): void {
    this.ended = true;
    void this.feed();
  }

  private async feed(): Promise<void> {
    if (this.feeding) return;
    this.feeding = true;
    try {
      while (this.queue.length > 0) {
        const data = this.queue[0]!;
        let taken: number;
        try {
          taken = this.pipe.write(data, true);
        } catch (e) {
          if (!(e instanceof ErrnoError)) throw e;
          if (e.errno === "EAGAIN") {
            await this.pipe.nextChange();
            continue;
          }
          // EPIPE: nobody reads any more; what is left is dropped.
          taken = data.length;
        }
        if (taken === data.length) this.queue.shift();
        else this.queue[0] = data.subarray(taken);
        this.taken(taken);
      }
      if (this.ended && !this.closed) {
        this.closed = true;
        this.write.drop();
      }
    } finally {
      this.feeding = false;
    }
  }
}
