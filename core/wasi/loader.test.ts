import { afterEach, describe, expect, it, vi } from "vitest";
import { Kernel } from "../kernel/kernel.ts";
import { buildLayer } from "../image/layer.ts";
import { LayerFilesystem } from "../image/layer-fs.ts";
import { OverlayFilesystem } from "../overlay/overlay.ts";
import { MemoryStore } from "../store/memory.ts";
import { MemoryFilesystem } from "../vfs/memory.ts";
import { writePath } from "../vfs/paths.ts";
import { ProgramCache, WasmLoader } from "./loader.ts";

/**
 * A module the kernel runs as it is, without preparing it:
 * (module (memory (export "memory") 1) (func (export "_start"))
 *   (func (export "asyncify_get_state") (result i32) (i32.const 0)))
 */
const EMPTY_COMMAND = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x60, 0x00, 0x00, 0x60, 0x00,
  0x01, 0x7f, 0x03, 0x03, 0x02, 0x00, 0x01, 0x05, 0x03, 0x01, 0x00, 0x01, 0x07, 0x28, 0x03, 0x06,
  0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, 0x06, 0x5f, 0x73, 0x74, 0x61, 0x72, 0x74, 0x00,
  0x00, 0x12, 0x61, 0x73, 0x79, 0x6e, 0x63, 0x69, 0x66, 0x79, 0x5f, 0x67, 0x65, 0x74, 0x5f, 0x73,
  0x74, 0x61, 0x74, 0x65, 0x00, 0x01, 0x0a, 0x09, 0x02, 0x02, 0x00, 0x0b, 0x04, 0x00, 0x41, 0x00,
  0x0b,
]);

function withProgram(path: string, bytes: Uint8Array): MemoryFilesystem {
  const fs = new MemoryFilesystem();
  const ino = fs.create(fs.root, path.slice(1), { type: "file", mode: 0o755, uid: 0, gid: 0 });
  fs.write(ino, 0, bytes);
  return fs;
}

afterEach(() => vi.restoreAllMocks());

describe("warming a program", () => {
  it("compiles it before its first run, which then compiles nothing", async () => {
    const fs = withProgram("/prog", EMPTY_COMMAND);
    const compile = vi.spyOn(WebAssembly, "compile");
    const loader = new WasmLoader();
    loader.warm(fs, "/prog");
    await vi.waitFor(() => expect(compile).toHaveBeenCalledTimes(1));
    const kernel = new Kernel(fs, loader);
    const r = await kernel.run({ args: ["/prog"] });
    expect(r.status).toBe(0);
    expect(compile).toHaveBeenCalledTimes(1);
  });

  it("leaves a missing or unrunnable file to the run, which says why", async () => {
    const fs = withProgram("/junk", new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0xff]));
    const loader = new WasmLoader();
    expect(() => loader.warm(fs, "/missing")).not.toThrow();
    expect(() => loader.warm(fs, "/junk")).not.toThrow();
    const r = await new Kernel(fs, loader).run({ args: ["/junk"] });
    expect(r.status).toBe(127);
    expect(new TextDecoder().decode(r.stderr)).toMatch(/not a WebAssembly module/);
  });
});

describe("loaders sharing a ProgramCache (containers of one worker)", () => {
  /** Two containers of one image: each its own upper layer over the same layer. */
  async function twoContainers(): Promise<OverlayFilesystem[]> {
    const at = { uid: 0, gid: 0, mtime: 1_700_000_000 };
    const layer = await buildLayer([
      { path: "bin", type: "directory", mode: 0o755, ...at },
      { path: "bin/prog", type: "file", mode: 0o755, ...at, data: EMPTY_COMMAND },
    ]);
    const lower = new LayerFilesystem(layer.index.entries, layer.data, layer.digest);
    return Promise.all([1, 2].map(() => OverlayFilesystem.open(new MemoryStore(), [lower])));
  }

  it("compile an image's program once for every container", async () => {
    const [a, b] = await twoContainers();
    const compile = vi.spyOn(WebAssembly, "compile");
    const shared = new ProgramCache();
    for (const fs of [a!, b!]) {
      const r = await new Kernel(fs, new WasmLoader(undefined, undefined, shared)).run({
        args: ["/bin/prog"],
      });
      expect(r.status).toBe(0);
    }
    expect(compile).toHaveBeenCalledTimes(1);
  });

  it("compile a container's own copy of it for that container alone", async () => {
    const [a, b] = await twoContainers();
    const shared = new ProgramCache();
    const run = (fs: OverlayFilesystem) =>
      new Kernel(fs, new WasmLoader(undefined, undefined, shared)).run({ args: ["/bin/prog"] });
    expect((await run(a!)).status).toBe(0);
    // Container b's program is replaced (copied up): b runs its own bytes, a still the image's.
    await writePath(b!, "/bin/prog", new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0xff]));
    const compile = vi.spyOn(WebAssembly, "compile");
    const r = await run(b!);
    expect(r.status).toBe(127);
    expect(compile).toHaveBeenCalledTimes(1);
    expect((await run(a!)).status).toBe(0);
    expect(compile).toHaveBeenCalledTimes(1);
  });
});
