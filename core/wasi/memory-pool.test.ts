import { describe, expect, it } from "vitest";
import { dataImage, importedMemoryPages, lowestDataAddress, MemoryPool } from "./memory-pool.ts";

const PAGE = 65536;

function used(pages: number): WebAssembly.Memory {
  const memory = new WebAssembly.Memory({ initial: pages });
  new Uint8Array(memory.buffer).fill(0xaa);
  return memory;
}

/** A module importing a function `env.f` and then a memory `env.memory` of at least `pages`. */
function moduleImportingMemory(pages: number): Uint8Array<ArrayBuffer> {
  const name = (s: string) => [s.length, ...new TextEncoder().encode(s)];
  const imports = [
    2,
    ...name("env"),
    ...name("f"),
    0,
    0,
    ...name("env"),
    ...name("memory"),
    2,
    0,
    pages,
  ];
  return new Uint8Array([
    0,
    0x61,
    0x73,
    0x6d,
    1,
    0,
    0,
    0,
    1,
    4,
    1,
    0x60,
    0,
    0, // type section: () -> ()
    2,
    imports.length,
    ...imports,
  ]);
}

describe("the pool of used memories", () => {
  it("gives a new program a used memory, all zero, at least as big as asked", () => {
    const pool = new MemoryPool();
    const old = used(4);
    pool.give(old);
    const memory = pool.forExec(2);
    expect(memory).toBe(old);
    expect(memory.buffer.byteLength).toBe(4 * PAGE);
    expect(new Uint8Array(memory.buffer).every((b) => b === 0)).toBe(true);
    // Grown when the used one is smaller than the module asks.
    pool.give(used(1));
    expect(pool.forExec(3).buffer.byteLength).toBe(3 * PAGE);
  });

  it("gives a fork child a memory of exactly its parent's size, never a bigger one", () => {
    const pool = new MemoryPool();
    const small = used(2);
    const big = used(8);
    pool.give(big);
    pool.give(small);
    const child = pool.forFork(5);
    expect(child).toBe(small);
    expect(child.buffer.byteLength).toBe(5 * PAGE);
    const fresh = pool.forFork(3);
    expect(fresh).not.toBe(big);
    expect(fresh.buffer.byteLength).toBe(3 * PAGE);
  });

  it("makes a new memory when it has none, and keeps no more than its limit", () => {
    const pool = new MemoryPool(8 * PAGE);
    expect(pool.forExec(2).buffer.byteLength).toBe(2 * PAGE);
    const tooBig = used(3); // more than a quarter of the limit
    pool.give(tooBig);
    expect(pool.forExec(1)).not.toBe(tooBig);
    const first = used(2);
    const others = [used(2), used(2), used(2), used(2)];
    pool.give(first);
    for (const m of others) pool.give(m);
    // The oldest went to make room: four of two pages fill eight.
    const taken = [1, 2, 3, 4].map(() => pool.forFork(2));
    expect(taken).toEqual(expect.arrayContaining(others));
    expect(taken).not.toContain(first);
  });
});

describe("importedMemoryPages", () => {
  it("reads the minimum of a module's imported memory, past the imports before it", () => {
    const bytes = moduleImportingMemory(21);
    expect(() => new WebAssembly.Module(bytes)).not.toThrow();
    expect(importedMemoryPages(bytes)).toBe(21);
  });

  it("is null for a module with its own memory", () => {
    const own = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 5, 3, 1, 0, 1]);
    expect(() => new WebAssembly.Module(own)).not.toThrow();
    expect(importedMemoryPages(own)).toBeNull();
  });
});

describe("lowestDataAddress", () => {
  const header = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0];
  const memory = [5, 3, 1, 0, 1]; // one memory of one page

  it("reads the lowest address the active data segments write, past passive ones", () => {
    const segments = [
      ...[0, 0x41, 0x80, 0x10, 0x0b, 1, 0x61], // at 2048: "a"
      ...[1, 2, 0x62, 0x63], // passive: "bc"
      ...[2, 0, 0x41, 0x80, 0x08, 0x0b, 1, 0x64], // memory 0, at 1024: "d"
    ];
    const bytes = new Uint8Array([
      ...header,
      ...memory,
      ...[12, 1, 3], // data count
      ...[11, segments.length + 1, 3, ...segments],
    ]);
    expect(() => new WebAssembly.Module(bytes)).not.toThrow();
    expect(lowestDataAddress(bytes)).toBe(1024);
  });

  it("is null for a module with no data", () => {
    expect(lowestDataAddress(new Uint8Array([...header, ...memory]))).toBeNull();
  });
});

describe("dataImage", () => {
  const header = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0];
  const memory = [5, 3, 1, 0, 1]; // one memory of one page
  const data = (segments: number[], count: number) => [
    ...[11, segments.length + 1, count, ...segments],
  ];

  it("lays the active segments out as a fresh instance's memory holds them", () => {
    const segments = [
      ...[0, 0x41, 0x80, 0x10, 0x0b, 2, 0x61, 0x62], // at 2048: "ab"
      ...[2, 0, 0x41, 0x80, 0x08, 0x0b, 1, 0x64], // memory 0, at 1024: "d"
      ...[0, 0x41, 0x81, 0x10, 0x0b, 1, 0x7a], // at 2049: "z", over the "b"
    ];
    const exportMemory = [7, 10, 1, 6, ...new TextEncoder().encode("memory"), 2, 0];
    const bytes = new Uint8Array([...header, ...memory, ...exportMemory, ...data(segments, 3)]);
    const image = dataImage(bytes)!;
    expect(image.at).toBe(1024);
    expect([...image.bytes.subarray(1024)]).toEqual([0x61, 0x7a]);
    // As the engine lays them: the image where it says, zeros elsewhere.
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes));
    const fresh = new Uint8Array((instance.exports.memory as WebAssembly.Memory).buffer);
    const laid = new Uint8Array(fresh.length);
    laid.set(image.bytes, image.at);
    expect(laid).toEqual(fresh);
  });

  it("is null for a module whose fresh memory it cannot tell: a start function, passive data", () => {
    // (func) as the start function: a type, a function, the start section, the code.
    const withStart = new Uint8Array([
      ...header,
      ...[1, 4, 1, 0x60, 0, 0], // type: () -> ()
      ...[3, 2, 1, 0], // one function of it
      ...memory,
      ...[8, 1, 0], // start: function 0
      ...[10, 4, 1, 2, 0, 0x0b], // its code: nothing
    ]);
    expect(() => new WebAssembly.Module(withStart)).not.toThrow();
    expect(dataImage(withStart)).toBeNull();
    const passive = new Uint8Array([
      ...header,
      ...memory,
      ...[12, 1, 1], // data count
      ...data([1, 2, 0x62, 0x63], 1),
    ]);
    expect(() => new WebAssembly.Module(passive)).not.toThrow();
    expect(dataImage(passive)).toBeNull();
  });
});
