import { concat } from "../bytes.ts";
import { ErrnoError, fail } from "../errno.ts";
import { WouldBlock } from "../vfs/would-block.ts";
import type { LayerChunk } from "./layer.ts";

/**
 * The bytes of a layer's data blob, as LayerFilesystem reads them: all in
 * memory (`wholeData`), or chunk by chunk as files are first read
 * (`LazyData`, for a big layer kept in chunks: layer.ts).
 */
export interface LayerData {
  /**
   * Bytes `start` to `end` of the data. `want` (which holds them) is what
   * to bring in when they are not here yet: a whole file, say, so that
   * reading it through costs one wait. Throws WouldBlock meanwhile.
   */
  read(start: number, end: number, want?: { start: number; end: number }): Uint8Array;
}

const EMPTY = new Uint8Array(0);

/** Data already in memory: read never blocks, and returns views, not copies. */
export function wholeData(bytes: Uint8Array): LayerData {
  return { read: (start, end) => bytes.subarray(start, end) };
}

/** Fetches one chunk (`size` bytes) and checks it against its digest (image.ts's verifiedBlob). */
export type ChunkFetch = (digest: string, size: number) => Promise<Uint8Array>;

/**
 * A layer's data fetched a chunk at a time, when a read first needs it, and
 * kept. A read of bytes not here throws WouldBlock while their chunks come
 * (the process that read waits, as for a disk); a chunk that could not be
 * fetched (offline, say) fails that read with EIO once, and is fetched
 * again by the next read that needs it.
 */
export class LazyData implements LayerData {
  /** Where each chunk starts, and where the last ends. */
  private readonly starts: number[] = [0];
  private readonly present: Array<Uint8Array | undefined>;
  private readonly loading = new Map<number, Promise<void>>();
  private readonly failed = new Map<number, unknown>();

  /** The chunks holding the start files (LayerIndex.start): fetched together. */
  private readonly startChunks: number;

  constructor(
    private readonly chunks: readonly LayerChunk[],
    private readonly fetchChunk: ChunkFetch,
    /** LayerIndex.start: the bytes at the head of the data that are fetched as one. */
    start = 0,
  ) {
    for (const c of chunks) this.starts.push(this.starts[this.starts.length - 1]! + c.size);
    this.present = new Array<Uint8Array | undefined>(chunks.length);
    this.startChunks = this.starts.findIndex((at) => at >= start);
  }

  read(start: number, end: number, want = { start, end }): Uint8Array {
    if (end <= start) return EMPTY;
    const first = this.chunkAt(start);
    const last = this.chunkAt(end - 1);
    for (let n = first; n <= last; n++) {
      if (this.present[n]) continue;
      const failure = this.failed.get(n);
      if (failure !== undefined) {
        this.failed.delete(n);
        fail("EIO", `a chunk of an image layer could not be fetched: ${describe(failure)}`);
      }
      const missing: number[] = [];
      let from = Math.min(first, this.chunkAt(want.start));
      let to = Math.max(last, this.chunkAt(Math.max(want.start, want.end - 1)));
      // One of the start files: they all come now, as the program will read them next.
      if (from < this.startChunks) [from, to] = [0, Math.max(to, this.startChunks - 1)];
      for (let m = from; m <= to; m++) if (!this.present[m]) missing.push(m);
      throw new WouldBlock(
        this.load(missing),
        `fetching ${missing.length} chunks of an image layer`,
      );
    }
    if (first === last) {
      const at = this.starts[first]!;
      return this.present[first]!.subarray(start - at, end - at);
    }
    const parts: Uint8Array[] = [];
    for (let n = first; n <= last; n++) {
      const at = this.starts[n]!;
      const chunk = this.present[n]!;
      parts.push(chunk.subarray(Math.max(0, start - at), Math.min(chunk.length, end - at)));
    }
    return concat(parts);
  }

  /** Settles once every chunk of `numbers` is here or has failed. */
  private load(numbers: number[]): Promise<unknown> {
    return Promise.all(
      numbers.map((n) => {
        let loading = this.loading.get(n);
        if (!loading) {
          loading = this.fetchChunk(this.chunks[n]!.digest, this.chunks[n]!.size)
            .then((bytes) => {
              if (bytes.length !== this.chunks[n]!.size)
                fail("EIO", `chunk ${n} has the wrong size`);
              this.present[n] = bytes;
            })
            .catch((e: unknown) => void this.failed.set(n, e))
            .finally(() => this.loading.delete(n));
          this.loading.set(n, loading);
        }
        return loading;
      }),
    );
  }

  /** The chunk holding byte `offset` of the data (EINVAL past its end). */
  private chunkAt(offset: number): number {
    const starts = this.starts;
    if (offset < 0 || offset >= starts[starts.length - 1]!)
      fail("EINVAL", `offset ${offset} is outside the layer's data`);
    let lo = 0;
    let hi = starts.length - 2;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

function describe(e: unknown): string {
  if (e instanceof ErrnoError) return e.detail;
  return e instanceof Error ? e.message : String(e);
}
