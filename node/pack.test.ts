import { execFileSync } from "node:child_process";
import {
  chmodSync,
  chownSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyLayer } from "../core/image/image.ts";
import { buildLayer, fileBytes, parseLayerIndex, sha256 } from "../core/image/layer.ts";
import { MemoryFilesystem } from "../core/vfs/memory.ts";
import { describeTree, fnv1a } from "../core/testing/tree.ts";
import { packDirectory, packTar } from "./pack.ts";

const isRoot = process.getuid?.() === 0;
let dir: string;
let work: string;

/** One line per entry: everything a layer must keep about it. */
type Description = Map<string, string>;

function describeDisk(root: string): Description {
  const out: Description = new Map();
  const firstName = new Map<number, string>();
  const walk = (rel: string) => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const path = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(root, path));
      const type = st.isDirectory()
        ? "directory"
        : st.isSymbolicLink()
          ? "symlink"
          : st.isFile()
            ? "file"
            : st.isFIFO()
              ? "fifo"
              : st.isCharacterDevice()
                ? "chardev"
                : "other";
      let detail = "";
      if (st.isFile()) {
        const first = firstName.get(st.ino);
        if (first === undefined) firstName.set(st.ino, path);
        detail = `${st.size} bytes, hash ${fnv1a(readFileSync(join(root, path)))}, inode of ${first ?? path}`;
      }
      if (st.isSymbolicLink()) detail = `-> ${readlinkSync(join(root, path))}`;
      if (st.isCharacterDevice())
        detail = `rdev ${(Number(st.rdev) >> 8) & 0xfff},${Number(st.rdev) & 0xff}`;
      const mode = st.isSymbolicLink() ? "" : (st.mode & 0o7777).toString(8);
      out.set(
        path,
        `${type} ${mode} ${st.uid}:${st.gid} ${Math.floor(st.mtimeMs / 1000)} ${detail}`,
      );
      if (st.isDirectory()) walk(path);
    }
  };
  walk("");
  return out;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "overbox-pack-"));
  dir = join(work, "tree");
  mkdirSync(dir);
  const file = (p: string, text: string, mode = 0o644) => {
    writeFileSync(join(dir, p), text);
    chmodSync(join(dir, p), mode);
  };
  mkdirSync(join(dir, "empty dir"));
  mkdirSync(join(dir, "nested/deeper/deepest"), { recursive: true });
  mkdirSync(join(dir, "private"), { mode: 0o700 });
  mkdirSync(join(dir, "sticky"));
  chmodSync(join(dir, "sticky"), 0o1777);
  file("plain.txt", "hello\n");
  file("empty", "");
  file("script.sh", "#!/bin/sh\necho hi\n", 0o755);
  file("setuid", "x", 0o4755);
  file("read-only", "r", 0o444);
  file("with space", "spaces\n");
  file("ünïcødé ✓ 日本", "utf-8\n");
  file("-rf", "leading dash\n");
  file("--help", "two dashes\n");
  file("new\nline", "newline in name\n");
  file(`${"long-name-".repeat(12)}end`, "a name over 100 bytes\n");
  writeFileSync(
    join(dir, "nested/deeper/deepest/bytes.bin"),
    Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
  );
  writeFileSync(join(dir, "nested/big"), Buffer.alloc(300_000, 7));
  linkSync(join(dir, "plain.txt"), join(dir, "nested/hardlink to plain"));
  linkSync(join(dir, "plain.txt"), join(dir, "zz-second-hardlink"));
  symlinkSync("plain.txt", join(dir, "relative-link"));
  symlinkSync("/etc/passwd", join(dir, "absolute-link"));
  symlinkSync("does/not/exist", join(dir, "dangling-link"));
  symlinkSync("nested/deeper", join(dir, "dir-link"));
  execFileSync("mkfifo", [join(dir, "fifo")]);
  if (isRoot) {
    execFileSync("mknod", [join(dir, "null-device"), "c", "1", "3"]);
    chownSync(join(dir, "plain.txt"), 1000, 1000);
    chownSync(join(dir, "private"), 1234, 5678);
  }
  // Fixed times, directories last (creating entries changes a directory's mtime).
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel))) {
      const p = join(dir, rel, name);
      if (lstatSync(p).isDirectory()) walk(join(rel, name));
      if (!lstatSync(p).isSymbolicLink()) utimesSync(p, 1_600_000_000, 1_600_000_000 + name.length);
    }
  };
  walk("");
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the packer", () => {
  it("round-trips a directory with every file type, odd names, modes, owners and hard links", async () => {
    const layer = await buildLayer(await packDirectory(dir));
    const index = parseLayerIndex(layer.indexBytes);
    const fs = new MemoryFilesystem();
    applyLayer(fs, index.entries, layer.data);
    const disk = describeDisk(dir);
    expect(disk.size).toBeGreaterThan(25);
    expect(describeTree(fs)).toEqual(disk);
  });

  it("makes a content-addressed layer whose files are readable one by one", async () => {
    const layer = await buildLayer(await packDirectory(dir));
    expect(layer.digest).toBe(await sha256(layer.indexBytes));
    expect(layer.index.data.digest).toBe(await sha256(layer.data));
    const entry = layer.index.entries.find((e) => e.path === "nested/deeper/deepest/bytes.bin")!;
    expect([...fileBytes(entry, layer.data)]).toEqual(Array.from({ length: 256 }, (_, i) => i));
    // Hard links share one copy of the data.
    const links = layer.index.entries.filter((e) => e.type === "hardlink");
    const first = layer.index.entries.find((e) => e.path === "nested/hardlink to plain")!;
    expect(first.type).toBe("file");
    expect(links.map((e) => [e.path, e.target])).toEqual([
      ["plain.txt", "nested/hardlink to plain"],
      ["zz-second-hardlink", "nested/hardlink to plain"],
    ]);
    const again = await buildLayer(await packDirectory(dir));
    expect(again.digest).toBe(layer.digest);
  });

  it("gives a tar of a directory the same layer as the directory itself", async () => {
    const tar = join(work, "tree.tar");
    execFileSync("tar", ["--format=pax", "--sort=name", "-C", dir, "-cf", tar, "."]);
    const fromTar = await buildLayer(await packTar(tar));
    const fromDir = await buildLayer(await packDirectory(dir));
    expect(fromTar.index.entries).toEqual(fromDir.index.entries);
    expect(fromTar.digest).toBe(fromDir.digest);
  });

  it("reads GNU tar's own format (long names as ././@LongLink) too", async () => {
    const tar = join(work, "tree-gnu.tar");
    execFileSync("tar", ["--format=gnu", "--sort=name", "-C", dir, "-cf", tar, "."]);
    const fs = new MemoryFilesystem();
    const layer = await buildLayer(await packTar(tar));
    applyLayer(fs, layer.index.entries, layer.data);
    expect(describeTree(fs)).toEqual(describeDisk(dir));
  });
});
