import binaryen from "binaryen";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { builtImage, loadBaseImage } from "../../rootfs/testing.ts";
import { Container } from "../container/container.ts";
import { loadImage } from "../image/image.ts";
import { Kernel } from "../kernel/kernel.ts";
import { MemoryStore } from "../store/memory.ts";
import type { Filesystem } from "../vfs/filesystem.ts";
import type { MemoryFilesystem } from "../vfs/memory.ts";
import { writePath } from "../vfs/paths.ts";
import { InstancePool, type Pooled } from "./instance-pool.ts";
import { ProgramCache, WasmLoader } from "./loader.ts";
import { MemoryPool } from "./memory-pool.ts";

const PAGE = 65536;
const text = (b: Uint8Array) => new TextDecoder().decode(b);

afterEach(() => vi.restoreAllMocks());

describe("InstancePool", () => {
  const a = new WebAssembly.Module(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  const b = new WebAssembly.Module(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  const kept = (module: WebAssembly.Module, pages: number): Pooled => ({
    module,
    memory: new WebAssembly.Memory({ initial: pages }),
  });

  it("gives a fork the largest instance of its module that is no bigger than its parent", () => {
    const pool = new InstancePool<Pooled>(new MemoryPool());
    const small = kept(a, 2);
    const large = kept(a, 4);
    const other = kept(b, 3);
    for (const k of [small, large, other, kept(a, 8)]) pool.give(k);
    expect(pool.take(a, 5 * PAGE)).toBe(large);
    expect(pool.take(a, 5 * PAGE)).toBe(small);
    expect(pool.take(a, 5 * PAGE)).toBeUndefined();
    expect(pool.take(b, 3 * PAGE)).toBe(other);
  });

  it("keeps a few, and gives the memories of the rest to the memory pool", () => {
    const memories = new MemoryPool();
    const give = vi.spyOn(memories, "give");
    const pool = new InstancePool<Pooled>(memories, 2, 4 * PAGE);
    const first = kept(a, 1);
    const huge = kept(a, 5);
    pool.give(first);
    pool.give(kept(a, 1));
    pool.give(huge); // over the size kept
    expect(give).toHaveBeenCalledWith(huge.memory);
    pool.give(kept(a, 1)); // one past the count: the oldest goes
    expect(give).toHaveBeenCalledWith(first.memory);
    expect(pool.size).toBe(2);
  });
});

describe("a shell's processes in kept instances", () => {
  let fs: MemoryFilesystem;
  beforeAll(async () => {
    ({ fs } = await loadBaseImage());
  });

  /** Runs `script` with sh; its stdout, and how many wasm instances were made. */
  async function run(script: string, kernel = new Kernel(fs, new WasmLoader())) {
    const Original = WebAssembly.Instance;
    let instances = 0;
    WebAssembly.Instance = class extends Original {
      constructor(module: WebAssembly.Module, imports?: WebAssembly.Imports) {
        super(module, imports);
        instances++;
      }
    };
    try {
      const r = await kernel.run({ args: ["sh", "-c", script] });
      expect(text(r.stderr)).toBe("");
      expect(r.status).toBe(0);
      return { out: text(r.stdout), instances };
    } finally {
      WebAssembly.Instance = Original;
    }
  }

  it("runs subshells, pipes and commands in a few instances, not one per process", async () => {
    const { out, instances } = await run(
      "i=0; while [ $i -lt 30 ]; do (true); true | true; /bin/true; echo $(echo $i); i=$((i+1)); done",
    );
    expect(out).toBe(Array.from({ length: 30 }, (_, i) => `${i}\n`).join(""));
    // 30 × (one subshell, two pipe ends, a fork and exec, a command substitution): 150 processes.
    expect(instances).toBeLessThan(8);
  });

  it("gives a fork child its parent's state, never a child's before it", async () => {
    const { out } = await run("x=0; for i in 1 2 3 4; do (x=$((x + i)); echo $x); done; echo $x");
    expect(out).toBe("1\n2\n3\n4\n0\n");
  });

  it("starts an exec'd program as a fresh one: its data as built, zeros after, its stack at the top", async () => {
    // A command that prints its data byte, a byte past its data (as C's
    // zeroed statics are), and whether its stack pointer is at the top,
    // then changes all three. Run twice from a shell: the second run is an
    // exec into the instance the first one left.
    const module = binaryen.parseText(`(module
      (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
      (import "env" "memory" (memory 1))
      (global $sp (export "__stack_pointer") (mut i32) (i32.const 4096))
      (data (i32.const 1024) "A")
      (func (export "_start")
        (i32.store8 (i32.const 100) (i32.load8_u (i32.const 1024)))
        (i32.store8 (i32.const 101) (i32.add (i32.const 48) (i32.load8_u (i32.const 2048))))
        (i32.store8 (i32.const 102) (select (i32.const 83) (i32.const 78)
          (i32.eq (global.get $sp) (i32.const 4096))))
        (i32.store8 (i32.const 103) (i32.const 10))
        (i32.store (i32.const 0) (i32.const 100))
        (i32.store (i32.const 4) (i32.const 4))
        (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
        (i32.store8 (i32.const 1024) (i32.const 66))
        (i32.store8 (i32.const 2048) (i32.const 1))
        (global.set $sp (i32.const 3000)))
      (func (export "asyncify_get_state") (result i32) (i32.const 0))
      (func (export "asyncify_start_unwind") (param i32))
      (func (export "asyncify_stop_unwind"))
      (func (export "asyncify_start_rewind") (param i32))
      (func (export "asyncify_stop_rewind"))
      (export "memory" (memory 0)))`);
    const bytes = module.emitBinary();
    module.dispose();
    const ino = fs.create(fs.lookup(fs.root, "bin"), "fresh", {
      type: "file",
      mode: 0o755,
      uid: 0,
      gid: 0,
    });
    fs.write(ino, 0, bytes);
    const { out } = await run("/bin/fresh; /bin/fresh; /bin/fresh");
    expect(out).toBe("A0S\n".repeat(3));
  });

  it("starts an exec'd BusyBox as a fresh one: its variables unset, its arguments its own", async () => {
    // Each `sh -c` is an exec of BusyBox into the instance its fork took,
    // whose memory last held a shell that had set V and run its trap.
    const { out } = await run(
      "for i in 1 2 3; do sh -c 'echo ${V-unset} $0 $#; V=set; trap \"echo trap\" EXIT' a b c; done",
    );
    expect(out).toBe("unset a 2\ntrap\n".repeat(3));
  });

  it("serves the containers of one worker, each with its own files", async () => {
    // Two containers of one image, as a worker hosts them (browser/host.ts).
    const { manifest, source } = builtImage();
    const image = await loadImage(source, manifest);
    const [first, second] = await Promise.all(
      ["first", "second"].map(async (name) => {
        const c = await Container.open(new MemoryStore(), image, source);
        await writePath(c.fs, "/etc/whose", new TextEncoder().encode(`${name}\n`));
        return c.fs;
      }),
    );
    const shared = new ProgramCache();
    const kernel = (f: Filesystem) => new Kernel(f, new WasmLoader(undefined, undefined, shared));
    // Subshells of builtins: no process grows its memory past its shell's.
    const script = "for i in 1 2; do (read l < /etc/whose; echo $l); done";
    expect((await run(script, kernel(first!))).out).toBe("first\nfirst\n");
    expect(shared.instances.size).toBeGreaterThan(0);
    const other = await run(script, kernel(second!));
    expect(other.out).toBe("second\nsecond\n");
    // Its login shell is a new instance; its forks took those the first container left.
    expect(other.instances).toBe(1);
  });
});
