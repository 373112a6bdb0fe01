import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { concat } from "../bytes.ts";
import { importLayer } from "../container/container.ts";
import { ErrnoError } from "../errno.ts";
import { MemoryStore } from "../store/memory.ts";
import {
  IMAGE_MEDIA_TYPE,
  loadImage,
  parseManifest,
  putLayer,
  StoreBlobs,
  type Image,
  type ImageManifest,
} from "./image.ts";
import { NAME_MAX } from "../vfs/filesystem.ts";
import { describeTree } from "../testing/tree.ts";
import { buildLayer, parseLayerIndex, sha256, type LayerEntry, type PackEntry } from "./layer.ts";
import { readTar, writeTar } from "./tar.ts";

/**
 * Hostile layer tars and image manifests: each is refused with an
 * ErrnoError that says what is wrong, and nothing is stored. The tars are
 * written byte by byte here, so that they can be anything a writer could
 * put in an archive, not only what `writeTar` writes.
 */

const encoder = new TextEncoder();
const utf8 = (s: string) => encoder.encode(s);

interface Header {
  name: string;
  /** The typeflag: "0" (a file) unless given. */
  type?: string;
  /** The size field: a number in octal, or the field's 12 bytes as they are. Else the data's length. */
  size?: number | Uint8Array;
  link?: string;
}

/** One entry: a ustar header with a valid checksum, then its data padded to whole blocks. */
function entry(h: Header, data: Uint8Array | string = ""): Uint8Array {
  const body = typeof data === "string" ? utf8(data) : data;
  const header = new Uint8Array(512);
  const put = (at: number, text: string) => header.set(utf8(text), at);
  const octal = (n: number, width: number) => n.toString(8).padStart(width - 1, "0") + "\0";
  put(0, h.name);
  put(100, octal(0o644, 8));
  put(108, octal(0, 8));
  put(116, octal(0, 8));
  if (h.size instanceof Uint8Array) header.set(h.size, 124);
  else put(124, octal(h.size ?? body.length, 12));
  put(136, octal(0, 12));
  put(156, h.type ?? "0");
  put(157, h.link ?? "");
  put(257, "ustar\0" + "00");
  checksum(header);
  const padded = new Uint8Array(Math.ceil(body.length / 512) * 512);
  padded.set(body);
  return concat([header, padded]);
}

/** Writes a header block's checksum, as its other bytes now sum. */
function checksum(header: Uint8Array): void {
  header.fill(0x20, 148, 156);
  const sum = header.reduce((a, b) => a + b, 0);
  header.set(utf8(sum.toString(8).padStart(6, "0") + "\0 "), 148);
}

/** A pax extended header: records written with their true lengths, or a body as it is. */
function pax(records: Record<string, string> | string): Uint8Array {
  if (typeof records === "string") return entry({ name: "PaxHeaders/x", type: "x" }, records);
  let text = "";
  for (const [key, value] of Object.entries(records)) {
    const rest = utf8(` ${key}=${value}\n`).length;
    let len = rest + String(rest).length;
    if (String(len).length + rest !== len) len = rest + String(len).length;
    text += `${len} ${key}=${value}\n`;
  }
  return entry({ name: "PaxHeaders/x", type: "x" }, text);
}

/** Entries, then the two zero blocks that end an archive. */
function archive(...entries: Uint8Array[]): Uint8Array {
  return concat([...entries, new Uint8Array(1024)]);
}

const EMPTY: Image = {
  manifest: {
    mediaType: IMAGE_MEDIA_TYPE,
    name: "empty",
    layers: [],
    config: { env: [], cwd: "/", cmd: ["/bin/sh"] },
  },
  layers: [],
};

/** Imports `tar` into a fresh blob store: the image, or the error, and the keys stored. */
async function tryImport(tar: Uint8Array) {
  const store = new MemoryStore();
  const blobs = new StoreBlobs(store);
  const outcome = await importLayer(EMPTY, tar, blobs).then(
    (image) => ({ image }),
    (error: unknown) => ({ error }),
  );
  return { ...outcome, blobs, keys: await store.keys() };
}

/** Imports `tar`, expecting a refusal with `errno` and a detail matching `message`, storing nothing. */
async function expectRefused(tar: Uint8Array, message: RegExp, errno = "EINVAL"): Promise<void> {
  const outcome = await tryImport(tar);
  expect("error" in outcome, "refused").toBe(true);
  const error = (outcome as { error: unknown }).error;
  expect(error).toBeInstanceOf(ErrnoError);
  expect((error as ErrnoError).errno).toBe(errno);
  expect((error as ErrnoError).detail).toMatch(message);
  expect(outcome.keys, "nothing stored").toEqual([]);
}

/** The entries of the layer an import stored, read back from its blobs. */
async function storedEntries(image: Image, blobs: StoreBlobs) {
  const digest = image.manifest.layers.at(-1)!.digest;
  return parseLayerIndex(await blobs.blob(digest)).entries;
}

/** A base-256 size field (GNU): 0x80, then the number big-endian. */
function base256(n: bigint, negative = false): Uint8Array {
  const field = new Uint8Array(12);
  let v = negative ? (1n << 95n) - n : n;
  for (let i = 11; i >= 0; i--) {
    field[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  field[0]! |= negative ? 0xc0 : 0x80;
  return field;
}

describe("hostile tars", () => {
  it.each([
    ["a path given twice, as two files", [entry({ name: "a" }, "1"), entry({ name: "a" }, "2")]],
    [
      "a file archived twice by GNU tar (then as a hard link to itself)",
      [
        entry({ name: "d/", type: "5" }),
        entry({ name: "d/f" }, "x"),
        entry({ name: "d/f", type: "1", link: "d/f" }),
      ],
    ],
    [
      "a file, then a directory of the same path with files in it",
      [entry({ name: "a" }, "1"), entry({ name: "a/", type: "5" }), entry({ name: "a/x" }, "2")],
    ],
    [
      "a directory with a file in it, then a file of the same path",
      [entry({ name: "a/", type: "5" }), entry({ name: "a/x" }, "1"), entry({ name: "a" }, "2")],
    ],
    [
      "a whiteout and a file of the same path",
      [entry({ name: ".wh.a" }), entry({ name: "a" }, "1")],
    ],
  ])("refuses %s: which one wins is not the layer's to guess", async (_what, entries) => {
    await expectRefused(archive(...entries), /duplicate path in layer: (a|d\/f)$/);
  });

  it.each([
    [
      "a symlink that climbs out, then a file through it",
      "link",
      "../../etc",
      "link/passwd",
      /leads out of the root/,
    ],
    [
      "a deeper symlink that climbs out, then a file through it",
      "d/link",
      "../..",
      "d/link/passwd",
      /leads out of the root/,
    ],
    [
      "a symlink to a directory of the layer, then a file through it",
      "link",
      "d",
      "link/x",
      /link is not a directory/,
    ],
    [
      "a symlink to the root, then a file through it",
      "link",
      "/",
      "link/etc/passwd",
      /link is not a directory/,
    ],
  ])("refuses %s", async (_what, link, target, through, message) => {
    const tar = archive(
      entry({ name: "d/", type: "5" }),
      entry({ name: link, type: "2", link: target }),
      entry({ name: through }, "root::0:0::/:/bin/sh\n"),
    );
    await expectRefused(tar, message);
  });

  it("takes a hard link to a later entry, the data under the first name in layer order", async () => {
    const tar = archive(
      entry({ name: "a-link", type: "1", link: "z-file" }),
      entry({ name: "z-file" }, "data"),
    );
    const outcome = await tryImport(tar);
    expect("image" in outcome).toBe(true);
    const { image } = outcome as { image: Image };
    const entries = await storedEntries(image, outcome.blobs);
    expect(entries.map((e) => [e.path, e.type, e.target])).toEqual([
      ["a-link", "file", undefined],
      ["z-file", "hardlink", "a-link"],
    ]);
    const layer = image.layers.at(-1)!;
    const ino = layer.lookup(layer.root, "z-file");
    expect(layer.lookup(layer.root, "a-link")).toBe(ino);
    expect(new TextDecoder().decode(layer.read(ino, 0, 100))).toBe("data");
  });

  it.each([
    ["a hard link to itself", [entry({ name: "h", type: "1", link: "h" })]],
    [
      "a hard link to a directory",
      [entry({ name: "d/", type: "5" }), entry({ name: "h", type: "1", link: "d" })],
    ],
    [
      "a hard link to a hard link",
      [
        entry({ name: "f" }, "x"),
        entry({ name: "g", type: "1", link: "f" }),
        entry({ name: "h", type: "1", link: "g" }),
      ],
    ],
  ])("refuses %s", async (_what, entries) => {
    await expectRefused(archive(...entries), /hard link h points to \w+, not a file of this layer/);
  });

  it.each([
    [
      "a size of 8 GiB in octal",
      0o77777777777,
      /truncated \(8589934591 bytes of data at byte 512\)/,
    ],
    ["a size of a terabyte in base-256", base256(1n << 40n), /truncated \(1099511627776 bytes/],
    ["a base-256 size past 2^53", base256(1n << 80n), /bad size in the header at byte 0/],
    ["a negative base-256 size", base256(1n, true), /bad size in the header at byte 0/],
    ["a size that is not octal", utf8("0000000009z\0"), /bad size in the header at byte 0/],
    ["a negative octal size", utf8("-1\0"), /bad size in the header at byte 0/],
  ])("refuses %s", async (_what, size, message) => {
    await expectRefused(
      archive(entry({ name: "big", size }, "x"), entry({ name: "next" }, "y")),
      message,
    );
  });

  it("refuses a header cut short, not taking the entries before it", async () => {
    const whole = archive(entry({ name: "a" }, "1"), entry({ name: "b" }, "2"));
    await expectRefused(whole.subarray(0, 1024 + 300), /truncated \(a header at byte 1024\)/);
  });

  it("refuses data cut short", async () => {
    const whole = archive(entry({ name: "a" }, "x".repeat(1000)));
    await expectRefused(
      whole.subarray(0, 512 + 600),
      /truncated \(1000 bytes of data at byte 512\)/,
    );
  });

  it("takes an archive that ends at a block boundary without its zero blocks, as GNU tar does", async () => {
    const outcome = await tryImport(entry({ name: "a" }, "1"));
    expect("image" in outcome).toBe(true);
  });

  it("refuses a header whose checksum does not match, naming where it is", async () => {
    const tar = archive(entry({ name: "a" }, "1"), entry({ name: "b" }, "2"));
    tar[1025] = tar[1025]! ^ 0x01; // one bit of the second header's name
    await expectRefused(tar, /not a tar archive \(bad header at byte 1024\)/);
  });

  it.each([
    [
      "a record longer than the header's data",
      pax("99999999 path=evil\n"),
      /record at byte 0 is not whole/,
    ],
    ["a record shorter than its own text", pax("5 path=evil\n"), /record at byte 0 is not whole/],
    ["a record without its newline", pax("13 path=evil!"), /record at byte 0 is not whole/],
    [
      "a record length that is not a number",
      pax("1e3 path=evil\n"),
      /record at byte 0 is not whole/,
    ],
    ["a record without key=value", pax("10 pathxx\n"), /no key=value in "pathxx"/],
    ["a path with a NUL", pax({ path: "etc\0/passwd" }), /a NUL byte in a path/],
    ["a uid that is not a number", pax({ uid: "0x10" }), /bad uid of tar entry a: 0x10/],
    ["a negative gid", pax({ gid: "-1" }), /bad gid of tar entry a: -1/],
    [
      "an mtime that is not a number",
      pax({ mtime: "yesterday" }),
      /bad mtime of tar entry a: yesterday/,
    ],
    [
      "a path of PATH_MAX bytes",
      pax({ path: "a/".repeat(2048) }),
      /a path or link of 4096 bytes or more/,
    ],
  ])("refuses a pax header with %s", async (_what, header, message) => {
    await expectRefused(archive(header, entry({ name: "a" }, "1")), message);
  });

  it("refuses a pax link target with a NUL", async () => {
    const tar = archive(pax({ linkpath: "/etc\0passwd" }), entry({ name: "l", type: "2" }));
    await expectRefused(tar, /symlink l: a NUL byte in its target/);
  });

  it("reads an entry's data by its pax size, not the header's, and refuses a pax size past the archive", async () => {
    const tar = archive(pax({ size: "11" }), entry({ name: "a", size: 0 }, "pax-counted"));
    expect(readTar(tar)).toMatchObject([{ path: "a", data: utf8("pax-counted") }]);
    await expectRefused(
      archive(pax({ size: "99999" }), entry({ name: "a" }, "short")),
      /truncated \(99999 bytes of data/,
    );
    await expectRefused(
      archive(pax({ size: "-1" }), entry({ name: "a" }, "x")),
      /bad pax size of the entry at byte 1024: -1/,
    );
  });

  it("takes a pax mtime with a fraction, and a negative one, to the second below", async () => {
    for (const [mtime, seconds] of [
      ["1700000000.75", 1700000000],
      ["-1.5", -2],
    ] as const) {
      const outcome = await tryImport(archive(pax({ mtime }), entry({ name: "a" }, "1")));
      const { image } = outcome as { image: Image };
      expect((await storedEntries(image, outcome.blobs))[0]!.mtime).toBe(seconds);
    }
  });

  it("reads a GNU long name (././@LongLink), and refuses one that climbs out", async () => {
    const long = `${"d/".repeat(70)}file`;
    const longName = (name: string) => entry({ name: "././@LongLink", type: "L" }, `${name}\0`);
    const outcome = await tryImport(
      archive(longName(long), entry({ name: "truncated-name" }, "x")),
    );
    const { image } = outcome as { image: Image };
    expect((await storedEntries(image, outcome.blobs)).map((e) => e.path)).toEqual([long]);

    await expectRefused(
      archive(longName(`${"d/".repeat(70)}../`.repeat(2) + "x"), entry({ name: "n" }, "x")),
      /escapes the root/,
    );
    await expectRefused(
      archive(longName("a/".repeat(2048)), entry({ name: "n" }, "x")),
      /4096 bytes or more/,
    );
  });

  it.each([
    ["a name of 256 bytes", `d/${"x".repeat(256)}`, /a name longer than 255 bytes in layer/],
    [
      "a name of 256 bytes in 128 two-byte characters",
      `${"é".repeat(128)}`,
      /a name longer than 255 bytes/,
    ],
    ["nesting 2,048 deep", `${"a/".repeat(2048)}f`, /a path or link of 4096 bytes or more/],
    ["a symlink target of PATH_MAX bytes", "l", /a path or link of 4096 bytes or more/],
  ])("refuses %s", async (what, path, message) => {
    const link = what.includes("symlink") ? `/${"t".repeat(4095)}` : undefined;
    const header = pax(link ? { path, linkpath: link } : { path });
    await expectRefused(
      archive(header, entry({ name: "n", type: link ? "2" : "0" }, "x")),
      message,
    );
  });

  it("takes a name of 255 bytes and nesting 2,000 deep", async () => {
    const paths = [`${"x".repeat(255)}`, `${"a/".repeat(2000)}f`];
    const outcome = await tryImport(
      archive(...paths.flatMap((path) => [pax({ path }), entry({ name: "n" }, "x")])),
    );
    const { image } = outcome as { image: Image };
    const stored = (await storedEntries(image, outcome.blobs)).filter((e) => e.type === "file");
    expect(stored.map((e) => e.path).sort()).toEqual([...paths].sort());
  });

  it.each([".wh.", ".wh..", "d/.wh..."])("refuses the whiteout of no name %s", async (name) => {
    await expectRefused(archive(entry({ name }, "")), /a whiteout of no name/);
  });

  it("refuses an entry of a type it cannot hold (a GNU sparse file)", async () => {
    await expectRefused(archive(entry({ name: "sparse", type: "S" }, "x")), /unsupported type 'S'/);
  });
});

describe("hostile image manifests", () => {
  const manifestOf = (digest: string): ImageManifest => ({
    ...EMPTY.manifest,
    layers: [{ digest, size: 0 }],
  });

  async function storedLayer() {
    const store = new MemoryStore();
    const blobs = new StoreBlobs(store);
    const layer = await buildLayer([
      { path: "f", type: "file", mode: 0o644, uid: 0, gid: 0, mtime: 0, data: utf8("x") },
    ]);
    await putLayer(blobs, layer);
    return { store, blobs, layer };
  }

  it("refuses a layer whose index does not match its digest", async () => {
    const { blobs, layer } = await storedLayer();
    const tampered = utf8(
      new TextDecoder().decode(layer.indexBytes).replace('"mode":420', '"mode":2541'),
    );
    await blobs.put(layer.digest, tampered);
    await expect(loadImage(blobs, manifestOf(layer.digest))).rejects.toMatchObject({
      errno: "EIO",
      detail: `blob ${layer.digest} does not match its digest`,
    });
  });

  it("refuses a layer whose data does not match the digest its index names", async () => {
    const { blobs, layer } = await storedLayer();
    await blobs.put(layer.index.data.digest, utf8("y"));
    await expect(loadImage(blobs, manifestOf(layer.digest))).rejects.toMatchObject({
      errno: "EIO",
      detail: `blob ${layer.index.data.digest} does not match its digest`,
    });
  });

  it("refuses a layer index that is not JSON, though its digest matches", async () => {
    const { blobs } = await storedLayer();
    const bytes = utf8("{ not json");
    const digest = await sha256(bytes);
    await blobs.put(digest, bytes);
    await expect(loadImage(blobs, manifestOf(digest))).rejects.toMatchObject({
      errno: "EINVAL",
      detail: "layer index is not JSON",
    });
  });

  it("refuses a layer index with a path that climbs out, though its digest matches", async () => {
    const { blobs, layer } = await storedLayer();
    const bytes = utf8(
      new TextDecoder().decode(layer.indexBytes).replace('"path":"f"', '"path":"../f"'),
    );
    const digest = await sha256(bytes);
    await blobs.put(digest, bytes);
    await expect(loadImage(blobs, manifestOf(digest))).rejects.toMatchObject({
      errno: "EINVAL",
      detail: "path escapes the root: ../f",
    });
  });

  it.each([
    ["not JSON", "<html>404</html>", "image manifest is not JSON"],
    ["JSON null", "null", "not an overbox image manifest"],
    [
      "of the wrong mediaType",
      JSON.stringify({
        ...EMPTY.manifest,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
      }),
      "not an overbox image manifest",
    ],
    [
      "without layers",
      JSON.stringify({ ...EMPTY.manifest, layers: undefined }),
      "not an overbox image manifest",
    ],
  ])("refuses a manifest %s", (_what, text, detail) => {
    let error: unknown;
    try {
      parseManifest(utf8(text));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ErrnoError);
    expect(error).toMatchObject({ errno: "EINVAL", detail });
  });
});

/**
 * Every stored entry's path is normalised and inside the root, made of
 * names a filesystem could hold, under directories; its numbers are whole;
 * a hard link names a file of the layer; the layer opens and can be walked.
 */
function expectSound(image: Image, entries: LayerEntry[]): void {
  const byPath = new Map(entries.map((e) => [e.path, e]));
  expect(byPath.size, "no path twice").toBe(entries.length);
  for (const e of entries) {
    for (const name of e.path.split("/")) {
      expect(name, e.path).not.toMatch(/^(|\.|\.\.)$|\0/);
      expect(utf8(name).length, e.path).toBeLessThanOrEqual(NAME_MAX);
    }
    expect([e.uid, e.gid, e.mtime].every(Number.isSafeInteger), `${e.path} numbers`).toBe(true);
    expect(e.uid >= 0 && e.gid >= 0, `${e.path} owner`).toBe(true);
    for (let p = e.path; p.includes("/");) {
      p = p.slice(0, p.lastIndexOf("/"));
      expect(byPath.get(p)?.type ?? "directory", `${e.path}: ${p}`).toBe("directory");
    }
    if (e.type === "hardlink") {
      expect(["file", "symlink", "fifo", "chardev", "blockdev"]).toContain(
        byPath.get(e.target!)?.type,
      );
    }
  }
  describeTree(image.layers.at(-1)!);
}

/** Imports `tar`: refused with an ErrnoError, storing nothing, or stored whole and sound. */
async function expectRefusedOrSound(tar: Uint8Array): Promise<void> {
  const outcome = await tryImport(tar);
  if ("error" in outcome) {
    expect(outcome.error).toBeInstanceOf(ErrnoError);
    expect(outcome.keys, "nothing stored").toEqual([]);
    return;
  }
  expectSound(outcome.image, await storedEntries(outcome.image, outcome.blobs));
}

const COMPONENT = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom("a", "b", ".wh.a", "x".repeat(100)) },
  { weight: 4, arbitrary: fc.constantFrom(".", "..", "") },
  { weight: 1, arbitrary: fc.constantFrom("x".repeat(256), "a\0b", ".wh..wh..opq", ".wh.") },
);
const PATH = fc
  .tuple(fc.constantFrom("", "", "/", "./"), fc.array(COMPONENT, { minLength: 1, maxLength: 5 }))
  .map(([lead, parts]) => lead + parts.join("/"));
const ENTRY = fc.record({
  path: PATH,
  type: fc.constantFrom("file", "directory", "symlink", "hardlink", "fifo", "whiteout"),
  target: PATH,
  data: fc.uint8Array({ maxLength: 600 }),
  opaque: fc.boolean(),
});
const TYPEFLAG = {
  file: "0",
  hardlink: "1",
  symlink: "2",
  directory: "5",
  fifo: "6",
  whiteout: "0",
};

describe("the tar importer, on arbitrary input", () => {
  // A valid archive of every kind of entry, a pax header and whiteouts, to mutate.
  const valid = writeTar([
    { path: "d", type: "directory", mode: 0o755, uid: 0, gid: 0, mtime: 1, opaque: true },
    {
      path: "d/f",
      type: "file",
      mode: 0o644,
      uid: 1000,
      gid: 1000,
      mtime: 2,
      data: utf8("hello\n"),
    },
    { path: "d/h", type: "hardlink", mode: 0o644, uid: 0, gid: 0, mtime: 2, target: "d/f" },
    { path: "d/l", type: "symlink", mode: 0o777, uid: 0, gid: 0, mtime: 3, target: "../d/f" },
    {
      path: `d/${"long/".repeat(30)}name`,
      type: "file",
      mode: 0o600,
      uid: 0,
      gid: 0,
      mtime: 4,
      data: utf8("x".repeat(700)),
    },
    { path: "d/gone", type: "whiteout", mode: 0, uid: 0, gid: 0, mtime: 5 },
    { path: "p", type: "fifo", mode: 0o644, uid: 0, gid: 0, mtime: 6 },
  ]);
  const headers: number[] = [];
  for (let at = 0; at + 512 <= valid.length;) {
    if (valid.subarray(at, at + 512).every((b) => b === 0)) break;
    headers.push(at);
    const size = parseInt(new TextDecoder().decode(valid.subarray(at + 124, at + 135)), 8);
    at += 512 + Math.ceil(size / 512) * 512;
  }
  // Mutations aimed at headers as often as anywhere, with bytes that mean something in one.
  const OFFSET = fc.oneof(
    fc.nat(valid.length - 1),
    fc.tuple(fc.constantFrom(...headers), fc.nat(511)).map(([header, at]) => header + at),
  );
  const BYTE = fc.oneof(
    fc.integer({ min: 0, max: 255 }),
    fc.constantFrom(...utf8("\0 /.-=\n01789xL"), 0x80, 0xc0, 0xff),
  );

  it("refuses a mutated or cut archive with an ErrnoError, storing nothing, or imports it soundly", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(OFFSET, BYTE), { maxLength: 6 }),
        fc.option(fc.nat(valid.length)),
        fc.boolean(),
        async (changes, cut, rechecksum) => {
          const tar = valid.slice(0, cut ?? valid.length);
          for (const [at, byte] of changes) if (at < tar.length) tar[at] = byte;
          // With the checksums made right again, the mutations reach past the first check.
          if (rechecksum)
            for (const at of headers)
              if (at + 512 <= tar.length) checksum(tar.subarray(at, at + 512));
          await expectRefusedOrSound(tar);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("refuses arbitrary entries (.., absolute, empty, long, NUL, .wh.) or imports them inside the root", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(ENTRY, { maxLength: 6 }), async (entries) => {
        // Written as given: pax headers carry what ustar cannot hold.
        const tar = archive(
          ...entries.map((e) => {
            const name = e.type === "directory" ? `${e.path}/` : e.path;
            const body = e.type === "file" ? e.data : "";
            const link = e.type === "symlink" || e.type === "hardlink" ? e.target : "";
            const records = {
              ...(utf8(name).length > 100 ? { path: name } : {}),
              ...(utf8(link).length > 100 ? { linkpath: link } : {}),
            };
            const header = entry(
              { name: name.slice(0, 100), type: TYPEFLAG[e.type], link: link.slice(0, 100) },
              body,
            );
            return Object.keys(records).length > 0 ? concat([pax(records), header]) : header;
          }),
        );
        await expectRefusedOrSound(tar);
      }),
      { numRuns: 300 },
    );
  });

  it("refuses arbitrary entries that writeTar writes, or imports them inside the root", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(ENTRY, { maxLength: 6 }), async (raw) => {
        const entries: PackEntry[] = raw.map((e) => ({
          path: e.path,
          type: e.type,
          mode: 0o644,
          uid: 0,
          gid: 0,
          mtime: 0,
          ...(e.type === "file" ? { data: e.data } : {}),
          ...(e.type === "symlink" || e.type === "hardlink" ? { target: e.target } : {}),
          ...(e.type === "directory" && e.opaque ? { opaque: true } : {}),
        }));
        let tar: Uint8Array;
        try {
          tar = writeTar(entries);
        } catch (e) {
          expect(e).toBeInstanceOf(ErrnoError);
          return;
        }
        await expectRefusedOrSound(tar);
      }),
      { numRuns: 300 },
    );
  });
});
