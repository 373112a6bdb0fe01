import { describe, expect, it } from "vitest";
import { ErrnoError } from "../errno.ts";
import { MemoryFilesystem } from "../vfs/memory.ts";
import { resolveExisting } from "../vfs/resolve.ts";
import { describeTree } from "../testing/tree.ts";
import { applyLayer } from "./image.ts";
import { buildLayer, type PackEntry } from "./layer.ts";
import { LayerFilesystem } from "./layer-fs.ts";

const bytes = (s: string) => new TextEncoder().encode(s);
const at = { uid: 0, gid: 0, mtime: 1_700_000_000 };

const entries: PackEntry[] = [
  { path: "etc", type: "directory", mode: 0o755, ...at },
  { path: "etc/passwd", type: "file", mode: 0o644, ...at, data: bytes("root:x:0:0\n") },
  {
    path: "etc/shadow",
    type: "file",
    mode: 0o600,
    uid: 0,
    gid: 42,
    mtime: 5,
    data: bytes("secret"),
  },
  { path: "etc/again", type: "hardlink", mode: 0o644, ...at, target: "etc/passwd" },
  { path: "bin/sh", type: "symlink", mode: 0o777, ...at, target: "busybox" },
  { path: "bin/busybox", type: "file", mode: 0o755, ...at, data: bytes("\0asm") },
  { path: "dev/null", type: "chardev", mode: 0o666, ...at, rdev: (1 << 8) | 3 },
  { path: "run/fifo", type: "fifo", mode: 0o600, ...at },
  { path: "tmp", type: "directory", mode: 0o1777, ...at },
  { path: "empty", type: "file", mode: 0o644, ...at },
];

describe("a layer as a read-only filesystem", () => {
  it("shows the same tree as the layer applied to a memory filesystem", async () => {
    const layer = await buildLayer(entries);
    const memory = new MemoryFilesystem();
    applyLayer(memory, layer.index.entries, layer.data);
    const fs = new LayerFilesystem(layer.index.entries, layer.data);
    // Directories the index only implies (bin, dev, run) get the same mtime on both sides here.
    const withoutImplied = (d: Map<string, string>) =>
      new Map(
        [...d].map(([p, l]) => [
          p,
          ["bin", "dev", "run"].includes(p) ? l.split(" ").slice(0, 3).join(" ") : l,
        ]),
      );
    expect(withoutImplied(describeTree(fs))).toEqual(withoutImplied(describeTree(memory)));
    expect(fs.stat(fs.root).nlink).toBe(2 + 5);
    const passwd = resolveExisting(fs, fs.root, "/etc/again", { follow: true });
    expect(fs.stat(passwd).nlink).toBe(2);
    expect(new TextDecoder().decode(fs.read(passwd, 5, 100))).toBe("x:0:0\n");
  });

  it("answers EROFS to every change", async () => {
    const layer = await buildLayer(entries);
    const fs = new LayerFilesystem(layer.index.entries, layer.data);
    const etc = fs.lookup(fs.root, "etc");
    const passwd = fs.lookup(etc, "passwd");
    const changes = [
      () => fs.create(etc, "x", { type: "file", mode: 0o644, uid: 0, gid: 0 }),
      () => fs.mkdir(etc, "d", 0o755, at),
      () => fs.unlink(etc, "passwd"),
      () => fs.rename(etc, "passwd", etc, "p"),
      () => fs.write(passwd, 0, bytes("x")),
      () => fs.truncate(passwd, 0),
      () => fs.setattr(passwd, { mode: 0o600 }),
    ];
    for (const change of changes) {
      expect(change).toThrow(ErrnoError);
      expect(() => change()).toThrow(/EROFS/);
    }
  });

  it("shows whiteouts and opaque directories to the overlay", async () => {
    const layer = await buildLayer([
      { path: "etc", type: "directory", mode: 0o755, ...at, opaque: true },
      { path: "etc/motd", type: "whiteout", mode: 0, ...at },
      { path: "etc/new", type: "file", mode: 0o644, ...at, data: bytes("n") },
    ]);
    const fs = new LayerFilesystem(layer.index.entries, layer.data);
    const etc = fs.lookup(fs.root, "etc");
    expect(fs.isOpaque(etc)).toBe(true);
    expect(fs.isWhiteout(fs.lookup(etc, "motd"))).toBe(true);
    expect(fs.isWhiteout(fs.lookup(etc, "new"))).toBe(false);
    expect(fs.isOpaque(fs.root)).toBe(false);
  });
});
