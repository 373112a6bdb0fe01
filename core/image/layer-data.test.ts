import { describe, expect, it } from "vitest";
import { ErrnoError } from "../errno.ts";
import { MemoryStore } from "../store/memory.ts";
import { resolveExisting } from "../vfs/resolve.ts";
import { retrying, WouldBlock } from "../vfs/would-block.ts";
import {
  IMAGE_MEDIA_TYPE,
  dataBlobs,
  loadImage,
  putLayer,
  StoreBlobs,
  type BlobSource,
  type ImageManifest,
} from "./image.ts";
import { buildLayer, chunkCuts, parseLayerIndex, sha256, type PackEntry } from "./layer.ts";
import { LazyData } from "./layer-data.ts";
import { LayerFilesystem } from "./layer-fs.ts";

const at = { uid: 0, gid: 0, mtime: 1_700_000_000 };
const filled = (length: number, seed: number) =>
  Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff);
const file = (path: string, data: Uint8Array): PackEntry => ({
  path,
  type: "file",
  mode: 0o644,
  ...at,
  data,
});

// In path order: a 1000, b 300, big 2500, c 50, d 700 (bytes).
const entries: PackEntry[] = [
  file("a", filled(1000, 1)),
  file("b", filled(300, 2)),
  file("big", filled(2500, 3)),
  file("c", filled(50, 4)),
  file("d", filled(700, 5)),
  file("empty", new Uint8Array(0)),
];

/** The layer in chunks of `size`, and its chunks by digest. */
async function chunked(size = 1024) {
  const layer = await buildLayer(entries, { chunkSize: size });
  return { layer, blobs: new Map(dataBlobs(layer.index, layer.data)) };
}

/** A LayerFilesystem fetching its chunks from `blobs`, and the digests fetched, in order. */
function lazyLayer(
  layer: Awaited<ReturnType<typeof chunked>>["layer"],
  fetch: (digest: string) => Promise<Uint8Array>,
) {
  const fetched: string[] = [];
  const data = new LazyData(layer.index.chunks!, (digest) => {
    fetched.push(digest);
    return fetch(digest);
  });
  return { fs: new LayerFilesystem(layer.index.entries, data, layer.digest), fetched, data };
}

const inoOf = (fs: LayerFilesystem, path: string) =>
  resolveExisting(fs, fs.root, path, { follow: false });

describe("a layer kept in chunks", () => {
  it("cuts where a file would overfill a chunk, and through files longer than one", async () => {
    const { layer } = await chunked(1024);
    // b starts a chunk (1000 + 300 > 1024), big is cut every 1024 bytes
    // from where it starts, c fits beside big's end, and d does not.
    expect(chunkCuts(layer.index.entries, layer.data.length, 1024)).toEqual([
      0, 1000, 1300, 2324, 3348, 3850, 4550,
    ]);
    expect(layer.index.chunks!.map((c) => c.size)).toEqual([1000, 300, 1024, 1024, 502, 700]);
    for (const [digest, bytes] of dataBlobs(layer.index, layer.data)) {
      expect(await sha256(bytes)).toBe(digest);
    }
  });

  it("keeps its index's digest over the chunks: a layer with other chunks is another layer", async () => {
    const whole = await buildLayer(entries);
    const { layer } = await chunked(1024);
    const other = await buildLayer(entries, { chunkSize: 512 });
    expect(whole.index.chunks).toBeUndefined();
    expect(new Set([whole.digest, layer.digest, other.digest]).size).toBe(3);
    expect(layer.index.data).toEqual(whole.index.data);
  });

  it("is stored as its chunks, not as one data blob, and loads whole from them", async () => {
    const { layer } = await chunked();
    const store = new MemoryStore();
    const blobs = new StoreBlobs(store);
    await putLayer(blobs, layer);
    const keys = await store.keys("blob/");
    expect(keys).not.toContain(`blob/${layer.index.data.digest}`);
    // (big's two whole chunks hold the same bytes: one blob)
    const digests = new Set([layer.digest, ...layer.index.chunks!.map((c) => c.digest)]);
    expect(digests.size).toBe(6);
    expect(keys).toEqual([...digests].map((d) => `blob/${d}`).sort());
    const image = await loadImage(blobs, manifestOf(layer.digest));
    const fs = image.layers[0]!;
    expect(fs.read(inoOf(fs, "big"), 0, 5000)).toEqual(filled(2500, 3));
  });

  it("fetches a file's chunks when it is first read, and only those", async () => {
    const { layer, blobs } = await chunked();
    const { fs, fetched } = lazyLayer(layer, (d) => Promise.resolve(blobs.get(d)!));
    const big = inoOf(fs, "big");
    // Looking costs nothing.
    expect(fs.stat(big).size).toBe(2500);
    expect(fetched).toEqual([]);
    let blocked: unknown;
    try {
      fs.read(big, 10, 20);
    } catch (e) {
      blocked = e;
    }
    expect(blocked).toBeInstanceOf(WouldBlock);
    // The whole file comes at once (its three chunks), not just the bytes asked for.
    expect(fetched).toEqual(layer.index.chunks!.slice(2, 5).map((c) => c.digest));
    await (blocked as WouldBlock).ready;
    expect(fs.read(big, 10, 20)).toEqual(filled(2500, 3).subarray(10, 30));
    expect(fs.read(big, 1000, 2000)).toEqual(filled(2500, 3).subarray(1000));
    expect(fetched).toHaveLength(3);
    // c came with big's end; b and d are a chunk each.
    expect(fs.read(inoOf(fs, "c"), 0, 300)).toEqual(filled(50, 4));
    expect(await retrying(() => fs.read(inoOf(fs, "b"), 0, 300))).toEqual(filled(300, 2));
    expect(await retrying(() => fs.read(inoOf(fs, "d"), 0, 700))).toEqual(filled(700, 5));
    expect(fetched).toHaveLength(5);
    expect(fs.read(inoOf(fs, "empty"), 0, 10)).toEqual(new Uint8Array(0));
  });

  it("puts the start files first, and fetches them all at the first read of one", async () => {
    const start = ["d", "b", "nothing", "c"];
    const layer = await buildLayer(entries, { chunkSize: 1024, start });
    const at = (path: string) => layer.index.entries.find((e) => e.path === path)!;
    // d, b and c first (the path that is no file passed over), then the rest in path order.
    expect(["d", "b", "c", "a", "big"].map((p) => at(p).offset)).toEqual([
      0, 700, 1000, 1050, 2050,
    ]);
    expect(layer.index.start).toBe(1050);
    // c would overfill the first chunk; a cut where the start files end, though a would fit beside c.
    const cuts = chunkCuts(layer.index.entries, layer.data.length, 1024, 1050);
    expect(cuts.slice(0, 5)).toEqual([0, 1000, 1050, 2050, 3074]);
    expect(layer.index.chunks!.map((c) => c.size).slice(0, 3)).toEqual([1000, 50, 1000]);
    const blobs = new Map(dataBlobs(layer.index, layer.data));
    const fetched: string[] = [];
    const data = new LazyData(
      layer.index.chunks!,
      (digest) => {
        fetched.push(digest);
        return Promise.resolve(blobs.get(digest)!);
      },
      layer.index.start,
    );
    const fs = new LayerFilesystem(layer.index.entries, data, layer.digest);
    expect(await retrying(() => fs.read(inoOf(fs, "b"), 0, 300))).toEqual(filled(300, 2));
    expect(fetched).toEqual(layer.index.chunks!.slice(0, 2).map((c) => c.digest));
    expect(fs.read(inoOf(fs, "d"), 0, 700)).toEqual(filled(700, 5));
    expect(fs.read(inoOf(fs, "c"), 0, 50)).toEqual(filled(50, 4));
    // Other files come as before, a file at a time.
    expect(await retrying(() => fs.read(inoOf(fs, "a"), 0, 1000))).toEqual(filled(1000, 1));
    expect(fetched).toHaveLength(3);
  });

  it("asks once for a chunk two readers wait for", async () => {
    const { layer, blobs } = await chunked();
    const { fs, fetched } = lazyLayer(layer, (d) => Promise.resolve(blobs.get(d)!));
    const read = (path: string) => retrying(() => fs.read(inoOf(fs, path), 0, 100));
    await Promise.all([read("d"), read("c"), read("d")]);
    expect(fetched).toHaveLength(2);
  });

  it("fails a read with EIO once when a chunk cannot be fetched, and tries again on the next", async () => {
    const { layer, blobs } = await chunked();
    let offline = true;
    const { fs, fetched } = lazyLayer(layer, (d) =>
      offline ? Promise.reject(new TypeError("Failed to fetch")) : Promise.resolve(blobs.get(d)!),
    );
    const a = inoOf(fs, "a");
    await expect(retrying(() => fs.read(a, 0, 10))).rejects.toMatchObject({
      errno: "EIO",
      detail: "a chunk of an image layer could not be fetched: Failed to fetch",
    });
    offline = false;
    expect(await retrying(() => fs.read(a, 0, 10))).toEqual(filled(10, 1));
    expect(fetched).toHaveLength(2);
  });

  it("refuses a chunk that does not match its digest, through loadImage", async () => {
    const { layer, blobs } = await chunked();
    const source: BlobSource = {
      blob: (digest) =>
        Promise.resolve(
          digest === layer.digest ? layer.indexBytes : blobs.get(digest)!.map((b) => b ^ 1),
        ),
    };
    const image = await loadImage(source, manifestOf(layer.digest), [], { lazy: true });
    const fs = image.layers[0]!;
    const error = await retrying(() => fs.read(inoOf(fs, "a"), 0, 10)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ErrnoError);
    expect((error as ErrnoError).detail).toMatch(
      /^a chunk of an image layer could not be fetched: blob sha256:\w+ does not match its digest$/,
    );
  });

  it("refuses an index whose chunks are not digests or do not add up to its data, or whose start is past it", async () => {
    const { layer } = await chunked();
    const edited = (change: (index: Record<string, unknown>) => void) => {
      const index = JSON.parse(new TextDecoder().decode(layer.indexBytes)) as Record<
        string,
        unknown
      >;
      change(index);
      return new TextEncoder().encode(JSON.stringify(index));
    };
    const refusal = (bytes: Uint8Array) => {
      try {
        parseLayerIndex(bytes);
        return "accepted";
      } catch (e) {
        return (e as ErrnoError).detail;
      }
    };
    expect(refusal(layer.indexBytes)).toBe("accepted");
    expect(
      refusal(
        edited((i) => {
          (i.chunks as Array<{ digest: string }>)[0]!.digest = "sha256:../../etc/passwd";
        }),
      ),
    ).toBe("a layer's chunk has a bad digest: sha256:../../etc/passwd");
    expect(
      refusal(
        edited((i) => {
          (i.chunks as Array<{ size: number }>)[0]!.size += 1;
        }),
      ),
    ).toBe("a layer's chunks hold 4551 bytes, its data 4550");
    expect(refusal(edited((i) => (i.chunks = "all")))).toBe("a layer's chunks are not a list");
    expect(refusal(edited((i) => (i.start = 4551)))).toBe(
      "a layer's start is not a size within its data: 4551",
    );
  });
});

function manifestOf(digest: string): ImageManifest {
  return {
    mediaType: IMAGE_MEDIA_TYPE,
    name: "chunked",
    layers: [{ digest, size: 0 }],
    config: { env: [], cwd: "/", cmd: ["/bin/sh"] },
  };
}
