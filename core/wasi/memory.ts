/**
 * Reading and writing a wasm instance's memory. The memory's buffer is
 * replaced when it grows: the views are made again when it has been.
 */
export class WasmMemory {
  private memory: WebAssembly.Memory | null = null;
  private static readonly decoder = new TextDecoder();
  private static readonly encoder = new TextEncoder();
  /** The buffer the views below are of. */
  private seen: ArrayBuffer | null = null;
  private dataView: DataView | null = null;
  private byteView: Uint8Array | null = null;

  attach(memory: WebAssembly.Memory): void {
    this.memory = memory;
    this.seen = null;
  }

  get view(): DataView {
    if (this.memory?.buffer !== this.seen) this.refresh();
    return this.dataView!;
  }

  get bytes(): Uint8Array {
    if (this.memory?.buffer !== this.seen) this.refresh();
    return this.byteView!;
  }

  private refresh(): void {
    if (!this.memory) throw new Error("wasm memory used before the instance started");
    const buffer = this.memory.buffer;
    this.seen = buffer;
    this.dataView = new DataView(buffer);
    this.byteView = new Uint8Array(buffer);
  }

  string(ptr: number, len: number): string {
    return WasmMemory.decoder.decode(this.bytes.subarray(ptr, ptr + len));
  }

  encode(s: string): Uint8Array {
    return WasmMemory.encoder.encode(s);
  }

  /** The (buf, len) pairs of an iovec array. */
  iovecs(ptr: number, count: number): Array<[number, number]> {
    const v = this.view;
    const out: Array<[number, number]> = [];
    for (let i = 0; i < count; i++) {
      out.push([v.getUint32(ptr + i * 8, true), v.getUint32(ptr + i * 8 + 4, true)]);
    }
    return out;
  }

  u32(ptr: number, value: number): void {
    this.view.setUint32(ptr, value, true);
  }

  u64(ptr: number, value: bigint | number): void {
    this.view.setBigUint64(ptr, BigInt(value), true);
  }
}
