/**
 * rootfs/python/start-files.txt lists the files of the python layer that
 * starting the REPL at a terminal reads, in the order it first reads them.
 * The set-up puts their bytes first in the layer, and a page fetches them
 * at once instead of one wait per file (rootfs/README.md, "Layers kept in
 * chunks"). This test starts the REPL over the built layer, records what
 * it reads, and holds the list to that. After a change to the python
 * build, `OVERBOX_UPDATE=1 npx vitest run rootfs/python/start-files.test.ts`
 * writes the list again (and the set-up then packs the layer again).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { Container } from "../../core/container/container.ts";
import { layerBytes, loadImage, parseManifest, verifiedBlob } from "../../core/image/image.ts";
import { parseLayerIndex } from "../../core/image/layer.ts";
import type { LayerData } from "../../core/image/layer-data.ts";
import { LayerFilesystem } from "../../core/image/layer-fs.ts";
import { Kernel } from "../../core/kernel/kernel.ts";
import { MemoryStore } from "../../core/store/memory.ts";
import { WasmLoader } from "../../core/wasi/loader.ts";
import { FileBlobs } from "../../node/blobs.ts";
import { readStartFiles } from "../image.ts";
import { TerminalSession } from "../terminal.ts";
import { IMAGES } from "../testing.ts";

const LIST = join(import.meta.dirname, "start-files.txt");
const HEADER = `# The files of the python layer that starting python3 at a terminal reads,
# in the order it first reads them: written by start-files.test.ts
# (OVERBOX_UPDATE=1), packed first in the layer by the set-up.
`;

/** The paths of the python layer that starting the REPL reads, in order. */
async function recordStart(): Promise<string[]> {
  const manifest = parseManifest(readFileSync(join(IMAGES, "python.json")));
  const blobs = new FileBlobs(join(IMAGES, "blobs"));
  const below = await loadImage(blobs, { ...manifest, layers: manifest.layers.slice(0, -1) });
  const top = manifest.layers.at(-1)!;
  const index = parseLayerIndex(await verifiedBlob(blobs, top.digest));
  const bytes = await layerBytes(blobs, index);
  const pathAt = new Map(
    index.entries.filter((e) => e.type === "file" && e.size).map((e) => [e.offset!, e.path]),
  );
  const read: string[] = [];
  // LayerFilesystem asks for a whole file's bytes as `want`: which file it is.
  const recording: LayerData = {
    read(start, end, want = { start, end }) {
      const path = want.end > want.start ? pathAt.get(want.start) : undefined;
      if (path !== undefined && !read.includes(path)) read.push(path);
      return bytes.subarray(start, end);
    },
  };
  const layers = [...below.layers, new LayerFilesystem(index.entries, recording, top.digest)];
  const container = await Container.open(new MemoryStore(), { manifest, layers }, blobs);
  const session = new TerminalSession(new Kernel(container.fs, new WasmLoader()));
  await session.login();
  session.type("python3\r");
  await session.waitFor(/^>>> $/m, 30_000);
  session.type("\x04");
  await session.waitFor(/# $/, 10_000);
  return read;
}

it("lists what starting python3 at a terminal reads of its layer, in order", async () => {
  const read = await recordStart();
  expect(read[0]).toBe("usr/bin/python3.11");
  expect(read.length).toBeGreaterThan(10);
  if (process.env.OVERBOX_UPDATE) writeFileSync(LIST, HEADER + read.join("\n") + "\n");
  expect(
    readStartFiles(readFileSync(LIST, "utf8")),
    "rootfs/python/start-files.txt is not what starting python3 reads: run this test with OVERBOX_UPDATE=1",
  ).toEqual(read);
}, 60_000);
