/**
 * Test support for the overlay: one tree spread over one, two or three
 * lower layers, overlays of it on either store, and the reference it must
 * behave like (the same tree in a MemoryFilesystem).
 */
import { applyLayer, dataBlobs } from "../image/image.ts";
import { LazyData } from "../image/layer-data.ts";
import { buildLayer, type PackEntry } from "../image/layer.ts";
import { LayerFilesystem } from "../image/layer-fs.ts";
import { IndexedDbStore } from "../../browser/indexeddb.ts";
import { MemoryStore } from "../store/memory.ts";
import type { Store } from "../store/store.ts";
import { MemoryFilesystem } from "../vfs/memory.ts";
import { describeTree } from "./tree.ts";
import { retrying } from "../vfs/would-block.ts";
import type { Filesystem } from "../vfs/filesystem.ts";
import { OverlayFilesystem } from "../overlay/overlay.ts";
import type { UpperOptions } from "../overlay/upper.ts";

const bytes = (s: string) => new TextEncoder().encode(s);
const at = { uid: 0, gid: 0, mtime: 1_700_000_000 };

/** The tree every conformance case starts from (what the merged lowers show). */
export const BASE: PackEntry[] = [
  { path: "etc", type: "directory", mode: 0o755, ...at },
  {
    path: "etc/passwd",
    type: "file",
    mode: 0o644,
    ...at,
    data: bytes("root:x:0:0::/root:/bin/sh\n"),
  },
  { path: "etc/group", type: "file", mode: 0o644, ...at, data: bytes("root:x:0:\n") },
  { path: "etc/passwd-", type: "hardlink", mode: 0o644, ...at, target: "etc/passwd" },
  { path: "etc/shadow", type: "file", mode: 0o640, uid: 0, gid: 42, mtime: 5, data: bytes("x") },
  { path: "bin", type: "directory", mode: 0o755, ...at },
  { path: "bin/busybox", type: "file", mode: 0o755, ...at, data: bytes("\0asm busybox") },
  { path: "bin/sh", type: "symlink", mode: 0o777, ...at, target: "busybox" },
  { path: "bin/su", type: "file", mode: 0o4755, ...at, data: bytes("setuid") },
  { path: "usr/bin/env", type: "symlink", mode: 0o777, ...at, target: "/bin/busybox" },
  { path: "usr/bin/up", type: "symlink", mode: 0o777, ...at, target: "../../etc" },
  { path: "usr/share/big", type: "file", mode: 0o644, ...at, data: pattern(300_000) },
  { path: "a/b/c/deep", type: "file", mode: 0o600, ...at, data: bytes("deep") },
  { path: "empty", type: "directory", mode: 0o700, ...at },
  { path: "tmp", type: "directory", mode: 0o1777, ...at },
  { path: "run/fifo", type: "fifo", mode: 0o600, ...at },
  { path: "opq", type: "directory", mode: 0o755, ...at },
  { path: "opq/kept", type: "file", mode: 0o644, ...at, data: bytes("kept") },
];

/** Bytes that differ at every offset mod 251, so a misplaced chunk shows. */
export function pattern(length: number, seed = 0): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i + seed) % 251;
  return out;
}

/**
 * `base` spread over `count` layers (bottom first) whose merge is `base`:
 * files are dealt out over the layers, with stale copies below the layer
 * that holds the real one; every layer but the top adds decoys that the
 * layer above deletes with whiteouts; `opq` is made opaque by the top
 * layer over junk below it.
 */
export function layered(base: PackEntry[], count: number): PackEntry[][] {
  if (count === 1) return [base];
  const layers: PackEntry[][] = Array.from({ length: count }, () => []);
  const dirs = base.filter((e) => e.type === "directory");
  const top = count - 1;
  base.forEach((e, i) => {
    if (e.type === "directory") {
      const holders = e.path === "opq" || e.path.startsWith("opq/") ? [top] : layers.keys();
      for (const l of holders) layers[l]!.push({ ...e, opaque: e.path === "opq" && l === top });
      return;
    }
    if (e.path.startsWith("opq/")) return void layers[top]!.push(e);
    const linked = e.type === "hardlink" ? base.findIndex((t) => t.path === e.target) : i;
    const home = linked % count;
    layers[home]!.push(e);
    if (home > 0 && e.type === "file" && i % 2 === 0) {
      layers[home - 1]!.push({ ...e, mode: 0o600, data: bytes(`stale copy of ${e.path}`) });
    }
  });
  for (let l = 0; l < top; l++) {
    const junk = { type: "file" as const, mode: 0o644, ...at, data: bytes(`junk of layer ${l}`) };
    layers[l]!.push({ ...junk, path: `decoy-${l}` });
    layers[l]!.push({ path: `decoy-dir-${l}`, type: "directory", mode: 0o755, ...at });
    layers[l]!.push({ ...junk, path: `decoy-dir-${l}/child` });
    layers[l]!.push({ ...junk, path: `etc/decoy-${l}` });
    layers[l]!.push({ ...junk, path: `opq/junk-${l}` });
    if (!layers[l]!.some((e) => e.path === "opq")) {
      layers[l]!.push({ path: "opq", type: "directory", mode: 0o755, ...at });
    }
    const whiteout = { type: "whiteout" as const, mode: 0, ...at };
    layers[l + 1]!.push({ ...whiteout, path: `decoy-${l}` });
    layers[l + 1]!.push({ ...whiteout, path: `decoy-dir-${l}` });
    layers[l + 1]!.push({ ...whiteout, path: `etc/decoy-${l}` });
  }
  for (const layer of layers) {
    for (const d of dirs) if (!layer.some((e) => e.path === d.path)) layer.push(d);
  }
  return layers;
}

/** Builds the layers of `layered` and returns them top first, as the overlay takes them. */
export async function lowerLayers(layers: PackEntry[][]): Promise<LayerFilesystem[]> {
  const built = await Promise.all(layers.map((l) => buildLayer(l)));
  return built.map((b) => new LayerFilesystem(b.index.entries, b.data, b.digest)).reverse();
}

/**
 * The layers of `layered` kept in chunks of `chunkSize` bytes, top first:
 * each call gives them afresh, with nothing fetched yet, each chunk coming
 * a tick after it is asked for (as from the network in a page).
 */
export async function lazyLowerLayers(
  layers: PackEntry[][],
  chunkSize = 200,
): Promise<() => LayerFilesystem[]> {
  const built = await Promise.all(layers.map((l) => buildLayer(l, { chunkSize })));
  return () =>
    built
      .map((b) => {
        const blobs = new Map(dataBlobs(b.index, b.data));
        const data = new LazyData(b.index.chunks!, async (digest) => {
          await new Promise((r) => setTimeout(r, 0));
          return blobs.get(digest)!;
        });
        return new LayerFilesystem(b.index.entries, data, b.digest);
      })
      .reverse();
}

/** The reference: the same tree in a MemoryFilesystem. */
export async function reference(base: PackEntry[]): Promise<MemoryFilesystem> {
  const fs = new MemoryFilesystem();
  const layer = await buildLayer(base);
  applyLayer(fs, layer.index.entries, layer.data);
  return fs;
}

export type StoreKind = "memory" | "indexeddb";
let databases = 0;

/** A fresh, empty store of a kind (IndexedDB needs fake-indexeddb in Node). */
export function newStore(kind: StoreKind): Store {
  return kind === "memory" ? new MemoryStore() : new IndexedDbStore(`overbox-test-${++databases}`);
}

export async function openOverlay(
  store: Store,
  lowers: LayerFilesystem[],
  options: UpperOptions = {},
): Promise<OverlayFilesystem> {
  return OverlayFilesystem.open(store, lowers, options);
}

/**
 * The tree without times (copy-up and the reference differ in those),
 * loading what it reads. `wait` makes the walk (retrying, or a bounded
 * version of it), which starts again after each WouldBlock.
 */
export function contentOf(
  fs: Filesystem,
  wait: <T>(call: () => T) => Promise<T> = retrying,
): Promise<Map<string, string>> {
  const remembering = rememberingReads(fs, new Map());
  return wait(() => describeTree(remembering, { times: false }));
}

/**
 * `fs`, with the answers of its reads kept in `reads` and given again when
 * the same read is made again. For calls made again as a whole after
 * WouldBlock (a read operation, a walk of the tree): like a process, which
 * makes one call at a time, they then never need more file data in memory
 * at once than one read does. Only while the files read do not change.
 */
export function rememberingReads(fs: Filesystem, reads: Map<string, Uint8Array>): Filesystem {
  return new Proxy(fs, {
    get(target, key) {
      if (key !== "read") {
        const value: unknown = Reflect.get(target, key);
        return typeof value === "function" ? value.bind(target) : value;
      }
      return (ino: number, offset: number, length: number) => {
        const at = `${ino} ${offset} ${length}`;
        const data = reads.get(at) ?? target.read(ino, offset, length);
        reads.set(at, data);
        return data;
      };
    },
  });
}
