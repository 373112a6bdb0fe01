import { prepare, Unrunnable } from "./prepare.ts";

/**
 * Where programs built elsewhere are prepared (prepare.ts): preparing a
 * large one takes seconds of Binaryen, which must not stop the kernel's
 * thread meanwhile (the container's other processes, Ctrl-C, a CLI's
 * SIGTERM). The CLI prepares in a worker thread of its own
 * (node/prepare-worker.ts), the browser in a Web Worker of its own
 * (browser/prepare-worker.ts); a test may prepare in its own thread.
 */
export interface Preparer {
  /** The prepared module's bytes; rejects with Unrunnable when it cannot be. */
  prepare(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>>;
}

/** Prepares in the caller's thread. */
export class InThreadPreparer implements Preparer {
  prepare(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
    return prepare(bytes);
  }
}

/** What a preparing worker is asked: the bytes of one module (transferred). */
export interface PrepareRequest {
  id: number;
  bytes: Uint8Array<ArrayBuffer>;
}

/** What it answers: the prepared bytes, or why not (`unrunnable`: an Unrunnable's message). */
export type PrepareReply =
  | { id: number; bytes: Uint8Array<ArrayBuffer> }
  | { id: number; unrunnable: string }
  | { id: number; error: string };

/** A worker, as seen by WorkerPreparer: Node's worker_threads and the browser's alike. */
export interface PreparingWorker {
  post(request: PrepareRequest): void;
  /** Calls `reply` with each reply, and `died` if the worker ends or fails. */
  listen(reply: (r: PrepareReply) => void, died: (why: string) => void): void;
  end(): void;
}

/**
 * Prepares in a worker, started at the first request and ended when no
 * request has been waiting for IDLE_MS: Binaryen's memory is given back
 * between programs.
 */
export class WorkerPreparer implements Preparer {
  private worker: PreparingWorker | null = null;
  private readonly waiting = new Map<
    number,
    { resolve: (b: Uint8Array<ArrayBuffer>) => void; reject: (e: Error) => void }
  >();
  private next = 1;
  private idle: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly start: () => PreparingWorker,
    private readonly idleMs = 30_000,
  ) {}

  prepare(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
    if (this.idle) clearTimeout(this.idle);
    this.idle = null;
    const worker = (this.worker ??= this.started());
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      // A copy of its own goes (transferred): the caller keeps its bytes,
      // and the buffer they may be a view of (a Node Buffer's slice() is
      // not a copy: a layer's whole blob would be detached).
      worker.post({ id, bytes: new Uint8Array(bytes) });
    });
  }

  private started(): PreparingWorker {
    const worker = this.start();
    worker.listen(
      (reply) => {
        const w = this.waiting.get(reply.id);
        if (!w) return;
        this.waiting.delete(reply.id);
        if ("bytes" in reply) w.resolve(reply.bytes);
        else if ("unrunnable" in reply) w.reject(new Unrunnable(reply.unrunnable));
        else w.reject(new Error(reply.error));
        this.idleSoon();
      },
      (why) => {
        if (this.worker !== worker) return;
        this.worker = null;
        for (const w of this.waiting.values())
          w.reject(new Error(`the preparing worker ended: ${why}`));
        this.waiting.clear();
      },
    );
    return worker;
  }

  private idleSoon(): void {
    if (this.waiting.size > 0 || !this.worker) return;
    this.idle = setTimeout(() => {
      this.idle = null;
      if (this.waiting.size > 0) return;
      this.worker?.end();
      this.worker = null;
    }, this.idleMs);
    // A Node process does not stay up for an idle worker.
    (this.idle as { unref?: () => void }).unref?.();
  }
}

/** A preparing worker's side: answers one request (prepare.ts's answer, or why not). */
export async function answer(request: PrepareRequest): Promise<PrepareReply> {
  try {
    return { id: request.id, bytes: await prepare(request.bytes) };
  } catch (e) {
    if (e instanceof Unrunnable) return { id: request.id, unrunnable: e.message };
    return { id: request.id, error: e instanceof Error ? e.message : String(e) };
  }
}
