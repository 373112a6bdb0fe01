import { describe, expect, it } from "vitest";
import { importedMemoryPages, lowestDataAddress, MemoryPool } from "./memory-pool.ts";

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
