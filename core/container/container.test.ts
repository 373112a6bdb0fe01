import "fake-indexeddb/auto";
import { describe, expect, it } from "vitest";
import { ErrnoError } from "../errno.ts";
import {
  IMAGE_MEDIA_TYPE,
  StoreBlobs,
  type BlobStore,
  type Image,
  type ImageManifest,
} from "../image/image.ts";
import { buildLayer, type PackEntry } from "../image/layer.ts";
import { LayerFilesystem } from "../image/layer-fs.ts";
import { readTar, writeTar } from "../image/tar.ts";
import { applyOperation, operator } from "../testing/operations.ts";
import type { Operation } from "../testing/scenarios.ts";
import { BASE, contentOf, layered, newStore, reference } from "../testing/layers.ts";
import { IndexedDbStore } from "../../browser/indexeddb.ts";
import { MemoryStore } from "../store/memory.ts";
import { retrying } from "../vfs/would-block.ts";
import { Container, importLayer } from "./container.ts";

/** BASE over two layers, as an image whose blobs are in `blobs`. */
async function baseImage(blobs: BlobStore): Promise<Image> {
  const built = await Promise.all(layered(BASE, 2).map((l) => buildLayer(l)));
  for (const b of built) {
    await blobs.put(b.index.data.digest, b.data);
    await blobs.put(b.digest, b.indexBytes);
  }
  const manifest: ImageManifest = {
    mediaType: IMAGE_MEDIA_TYPE,
    name: "base",
    layers: built.map((b) => ({ digest: b.digest, size: b.indexBytes.length })),
    config: { env: [], cwd: "/", cmd: ["/bin/sh"] },
  };
  const layers = built.map((b) => new LayerFilesystem(b.index.entries, b.data, b.digest));
  return { manifest, layers };
}

async function setUp() {
  const blobs = new StoreBlobs(new MemoryStore());
  const image = await baseImage(blobs);
  const store = new MemoryStore();
  const container = await Container.open(store, image, blobs);
  return { blobs, image, store, container };
}

async function run(container: Container, ops: Operation[]): Promise<void> {
  const proc = operator(container.fs);
  for (const op of ops) {
    const outcome = await retrying(() => applyOperation(proc, op));
    expect(outcome.result, JSON.stringify(op)).toBe(op.expect ?? "ok");
  }
}

const changes: Operation[] = [
  { op: "write", path: "/etc/passwd", data: "changed", offset: 0 },
  { op: "unlink", path: "/etc/group" },
  { op: "mkdir", path: "/srv" },
  { op: "write", path: "/srv/app", data: "app" },
  { op: "rename", from: "/a/b", to: "/b" },
  { op: "chmod", path: "/tmp", mode: 0o1770 },
];

const at = { mode: 0o644, uid: 0, gid: 0, mtime: 1 };

describe("a container's Docker-like operations", () => {
  it("lists its changes as docker diff does: A, C and D, sorted by path", async () => {
    const { container } = await setUp();
    expect(container.diff()).toEqual([]);
    await run(container, changes);
    const lines = container.diff().map((c) => `${c.kind} ${c.path}`);
    expect(lines).toEqual([
      "C /a",
      "D /a/b",
      "A /b",
      "A /b/c",
      "A /b/c/deep",
      "C /etc",
      "D /etc/group",
      "C /etc/passwd",
      "C /etc/passwd-",
      "A /srv",
      "A /srv/app",
      "C /tmp",
    ]);
  });

  it("exports the merged tree as a tar that unpacks to the same tree", async () => {
    const { container } = await setUp();
    await run(container, changes);
    const tar = await container.export();
    const layer = await buildLayer(readTar(tar));
    const unpacked = new LayerFilesystem(layer.index.entries, layer.data, layer.digest);
    expect(await contentOf(unpacked)).toEqual(await contentOf(container.fs));
    expect(readTar(tar).some((e) => e.type === "whiteout")).toBe(false);
  });

  it("exports its upper layer as an OCI layer with whiteouts and opaque markers", async () => {
    const { container, image } = await setUp();
    await run(container, [
      ...changes,
      { op: "unlink", path: "/opq/kept" },
      { op: "rmdir", path: "/opq" },
      { op: "mkdir", path: "/opq" },
    ]);
    const tar = await container.exportLayer();
    const names = readTarNames(tar);
    expect(names).toContain("etc/.wh.group");
    expect(names).toContain("a/.wh.b");
    expect(names).toContain("opq/.wh..wh..opq");
    expect(names).not.toContain("usr/share/big"); // unchanged files stay in the image
    // Over the image's layers, the exported layer gives the container's tree.
    const layer = await buildLayer(readTar(tar));
    const top = new LayerFilesystem(layer.index.entries, layer.data, layer.digest);
    const { OverlayFilesystem } = await import("../overlay/overlay.ts");
    const applied = await OverlayFilesystem.open(new MemoryStore(), [
      top,
      ...[...image.layers].reverse(),
    ]);
    expect(await contentOf(applied)).toEqual(await contentOf(container.fs));
  });

  it("resets to its image, and stays reset after reopening", async () => {
    const { container, image, store, blobs } = await setUp();
    await run(container, changes);
    await container.reset();
    expect(await contentOf(container.fs)).toEqual(await contentOf(await reference(BASE)));
    expect(container.diff()).toEqual([]);
    await run(container, [{ op: "write", path: "/after", data: "after reset" }]);
    await container.close();
    const again = await Container.open(store.reopen(), image, blobs);
    expect(again.diff().map((c) => `${c.kind} ${c.path}`)).toEqual(["A /after"]);
  });

  it("commits its upper layer as a new image layer and goes on from it", async () => {
    const { container, image, store, blobs } = await setUp();
    await run(container, changes);
    const before = await contentOf(container.fs);
    const committed = await container.commit(blobs, "base-committed");
    expect(committed.manifest.layers.map((l) => l.digest).slice(0, 2)).toEqual(
      image.manifest.layers.map((l) => l.digest),
    );
    expect(committed.manifest.layers).toHaveLength(3);
    expect(committed.manifest.name).toBe("base-committed");
    expect(container.diff()).toEqual([]);
    expect(await contentOf(container.fs)).toEqual(before);
    expect(await store.keys("i/")).toEqual([]); // nothing of the old upper layer is left
    await run(container, [{ op: "unlink", path: "/srv/app" }]);
    await container.close();
    // Reopened with the old image at hand, it runs the committed one.
    const again = await Container.open(store.reopen(), image, blobs);
    expect(again.image.manifest).toEqual(committed.manifest);
    expect(again.diff().map((c) => `${c.kind} ${c.path}`)).toEqual(["C /srv", "D /srv/app"]);
  });

  it("keeps a container in IndexedDB across reopening, with its committed image", async () => {
    const blobs = new StoreBlobs(new IndexedDbStore("overbox-images-test"));
    const image = await baseImage(blobs);
    const store = newStore("indexeddb") as IndexedDbStore;
    const container = await Container.open(store, image, blobs);
    await run(container, changes);
    const tree = await contentOf(container.fs);
    await container.commit(blobs);
    await run(container, [{ op: "write", path: "/etc/passwd", data: "again" }]);
    const later = await contentOf(container.fs);
    await container.close();
    const again = await Container.open(new IndexedDbStore(store.database), image, blobs);
    expect(await contentOf(again.fs)).toEqual(later);
    expect(tree.get("etc/passwd")).not.toEqual(later.get("etc/passwd"));
  });

  it("imports an OCI layer tar as a new image layer, honouring whiteouts and opaque markers", async () => {
    const { image, blobs } = await setUp();
    const tar = writeTar([
      { path: "etc", type: "directory", ...at, mode: 0o755 },
      { path: "etc/group", type: "whiteout", ...at, mode: 0 },
      { path: "etc/motd", type: "file", ...at, data: new TextEncoder().encode("hello\n") },
      { path: "opq", type: "directory", ...at, mode: 0o755, opaque: true },
      { path: "opq/new", type: "file", ...at, data: new Uint8Array(0) },
    ]);
    const imported = await importLayer(image, tar, blobs, "base-plus");
    expect(imported.manifest.layers).toHaveLength(3);
    const store = new MemoryStore();
    const container = await Container.open(store, imported, blobs);
    const tree = await contentOf(container.fs);
    expect(tree.has("etc/group")).toBe(false);
    expect(tree.has("etc/motd")).toBe(true);
    expect([...tree.keys()].filter((p) => p.startsWith("opq/"))).toEqual(["opq/new"]);
  });

  it.each([
    ["a path with ..", [{ path: "../escape", type: "file", ...at }]],
    ["an absolute path", [{ path: "/etc/passwd", type: "file", ...at }]],
    [
      "a hard link out of the layer",
      [{ path: "x", type: "hardlink", ...at, target: "../etc/shadow" }],
    ],
    [
      "a hard link to a file not in the layer",
      [{ path: "x", type: "hardlink", ...at, target: "etc/shadow" }],
    ],
    [
      "a symlink that climbs out",
      [{ path: "a/x", type: "symlink", ...at, target: "../../../etc" }],
    ],
    [
      "a file under a symlink",
      [
        { path: "l", type: "symlink", ...at, target: "/etc" },
        { path: "l/passwd", type: "file", ...at },
      ],
    ],
  ] as Array<[string, PackEntry[]]>)(
    "refuses to import a tar with %s, storing nothing",
    async (_what, entries) => {
      const { image } = await setUp();
      const blobStore = new MemoryStore();
      const blobs = new StoreBlobs(blobStore);
      const tar = rawTar(entries);
      const error = await importLayer(image, tar, blobs).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ErrnoError);
      expect((error as ErrnoError).errno).toBe("EINVAL");
      expect((error as ErrnoError).message).toMatch(/root|layer|directory|path/);
      expect(await blobStore.keys()).toEqual([]);
    },
  );
});

function readTarNames(tar: Uint8Array): string[] {
  const names: string[] = [];
  for (let at = 0; at + 512 <= tar.length;) {
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const name = new TextDecoder().decode(header.subarray(0, 100)).replace(/\0.*$/s, "");
    const prefix = new TextDecoder().decode(header.subarray(345, 500)).replace(/\0.*$/s, "");
    names.push((prefix ? `${prefix}/${name}` : name).replace(/\/$/, ""));
    const size = parseInt(new TextDecoder().decode(header.subarray(124, 136)), 8) || 0;
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return names;
}

/** A ustar archive written without our writer's checks, as a hostile tool might. */
function rawTar(entries: PackEntry[]): Uint8Array {
  const blocks: Uint8Array[] = [];
  const types: Record<string, string> = { file: "0", hardlink: "1", symlink: "2", directory: "5" };
  for (const e of entries) {
    const header = new Uint8Array(512);
    const put = (at: number, text: string) => header.set(new TextEncoder().encode(text), at);
    put(0, e.path);
    put(100, "0000644\0");
    put(108, "0000000\0");
    put(116, "0000000\0");
    put(124, "00000000000\0");
    put(136, "00000000001\0");
    put(148, "        ");
    put(156, types[e.type] ?? "0");
    put(157, e.target ?? "");
    put(257, "ustar\0");
    put(263, "00");
    const sum = header.reduce((n, b) => n + b, 0);
    put(148, `${sum.toString(8).padStart(6, "0")}\0 `);
    blocks.push(header);
  }
  const out = new Uint8Array((blocks.length + 2) * 512); // two zero blocks end it
  blocks.forEach((b, i) => out.set(b, i * 512));
  return out;
}

describe("a container whose storage is damaged", () => {
  /** A container with `changes` made, closed, and its store's keys and values. */
  async function stored() {
    const { blobs, image, store, container } = await setUp();
    await run(container, [
      ...changes,
      { op: "write", path: "/srv/big", data: "b".repeat(150_000) },
    ]);
    await container.close();
    const data = store.reopen();
    const snapshot = async () => {
      const keys = await data.keys();
      return { keys, values: await data.getMany(keys) };
    };
    return { blobs, image, store: data, snapshot };
  }

  const damages: Array<[string, (store: MemoryStore) => Promise<void>, RegExp]> = [
    [
      "an inode record that is not JSON",
      async (store) => {
        const key = (await store.keys("i/")).at(-1)!;
        await store.commit({ puts: new Map([[key, bytes("{ torn")]]), deletes: new Set() });
      },
      /^i\/\d+: the record i\/\d+ is damaged: not JSON$/,
    ],
    [
      "a missing chunk",
      async (store) => {
        const key = (await store.keys("c/")).at(-1)!;
        await store.commit({ puts: new Map(), deletes: new Set([key]) });
      },
      /^i\/\d+: 1 of its \d+ chunks are missing$/,
    ],
    [
      "a missing inode",
      async (store) => {
        const srv = (await store.keys("e/1/srv"))[0]!;
        const ino = new TextDecoder().decode((await store.get(srv))!);
        await store.commit({ puts: new Map(), deletes: new Set([`i/${ino}`]) });
      },
      /^e\/1\/srv: names inode \d+, which is missing$/,
    ],
    [
      "a missing record of its image",
      (store) => store.commit({ puts: new Map(), deletes: new Set(["image"]) }),
      /^image: the record of the container's image is missing$/,
    ],
  ];

  it.each(damages)(
    "opens read-only over %s: says what is damaged, exports what can be read, writes nothing",
    async (_, damage, said) => {
      const { blobs, image, store, snapshot } = await stored();
      await damage(store);
      const before = await snapshot();
      const container = await Container.open(store.reopen(), image, blobs);
      expect(container.damage.map((p) => `${p.key}: ${p.message}`)).toContainEqual(
        expect.stringMatching(said),
      );
      // What can be read is there: the export has the files the damage did not touch.
      const paths = readTar(await container.export()).map((e) => e.path);
      expect(paths).toEqual(expect.arrayContaining(["etc/passwd", "b/c/deep"]));
      // It works, and saves nothing.
      await run(container, [{ op: "write", path: "/etc/new", data: "not saved" }]);
      await container.sync();
      await container.close();
      expect(await snapshot()).toEqual(before);
      expect((await Container.check(store.reopen(), image, blobs)).problems.length).toBeGreaterThan(
        0,
      );
    },
  );

  it("reset clears a damaged container's store, damage and all, and it saves again", async () => {
    const { blobs, image, store } = await stored();
    await damages[0]![1](store);
    const container = await Container.open(store.reopen(), image, blobs);
    expect(container.damage).not.toEqual([]);
    await expect(container.commit(blobs, "salvage")).rejects.toMatchObject({ errno: "EROFS" });
    await container.reset();
    expect(container.damage).toEqual([]);
    await run(container, [{ op: "write", path: "/etc/new", data: "saved" }]);
    await container.close();
    const again = await Container.open(store.reopen(), image, blobs);
    expect(again.damage).toEqual([]);
    expect(readTar(await again.export()).find((e) => e.path === "etc/new")).toBeDefined();
    expect(readTar(await again.export()).find((e) => e.path === "srv/app")).toBeUndefined();
    expect((await Container.check(store.reopen(), image, blobs)).problems).toEqual([]);
    await again.close();
  });

  it("a sound container opens with no damage and is written as usual", async () => {
    const { blobs, image, store, snapshot } = await stored();
    const before = await snapshot();
    const container = await Container.open(store.reopen(), image, blobs);
    expect(container.damage).toEqual([]);
    await run(container, [{ op: "write", path: "/etc/new", data: "saved" }]);
    await container.close();
    expect((await snapshot()).keys.length).toBeGreaterThan(before.keys.length);
  });
});

function bytes(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}
