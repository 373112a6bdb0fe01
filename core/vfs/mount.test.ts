import { describe, expect, it } from "vitest";
import { errnoOf } from "../errno.ts";
import { MemoryFilesystem } from "./memory.ts";
import { MountFilesystem } from "./mount.ts";
import { resolve, resolveExisting } from "./resolve.ts";

const root = { uid: 0, gid: 0 };
const file = { type: "file" as const, mode: 0o644, uid: 0, gid: 0 };
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** A root with /etc/passwd and an empty /mnt, and a second filesystem with /data/f mounted on /mnt. */
function table() {
  const base = new MemoryFilesystem();
  const etc = base.mkdir(base.root, "etc", 0o755, root);
  base.write(base.create(etc, "passwd", file), 0, enc("root:x:0:0\n"));
  base.mkdir(base.root, "mnt", 0o755, root);
  const disk = new MemoryFilesystem();
  const data = disk.mkdir(disk.root, "data", 0o755, root);
  disk.write(disk.create(data, "f", file), 0, enc("on disk"));
  const fs = new MountFilesystem(base, { source: "overlay", type: "overlay", options: "rw" });
  fs.mount("/mnt", disk, { source: "disk", type: "tmpfs", options: "rw" });
  const at = (path: string) => resolveExisting(fs, fs.root, path, { follow: false });
  return { base, disk, fs, at };
}

describe("mount table", () => {
  it("leaves the root filesystem's inode numbers as they are", () => {
    const { base, fs, at } = table();
    expect(fs.root).toBe(base.root);
    expect(at("/etc/passwd")).toBe(
      resolveExisting(base, base.root, "/etc/passwd", { follow: true }),
    );
    expect(dec(fs.read(at("/etc/passwd"), 0, 4))).toBe("root");
  });

  it("looks a mount point's name up as the mounted root, with inode numbers of its own", () => {
    const { disk, fs, at } = table();
    const mnt = at("/mnt");
    expect(mnt).not.toBe(disk.root);
    expect(fs.filesystemOf(mnt)).toBe(disk);
    expect(fs.readdir(mnt).map((e) => e.name)).toEqual(["data"]);
    const f = at("/mnt/data/f");
    expect(dec(fs.read(f, 0, 100))).toBe("on disk");
    expect(f).toBeLessThan(Number.MAX_SAFE_INTEGER);
    // The same small numbers in both filesystems are different inodes in the view.
    const inos = [at("/"), at("/etc"), at("/etc/passwd"), at("/mnt"), at("/mnt/data"), f];
    expect(new Set(inos).size).toBe(inos.length);
    expect(fs.stat(f).ino).toBe(f);
  });

  it("reports a different device for each filesystem, as st_dev does", () => {
    const { fs, at } = table();
    expect(fs.stat(at("/mnt")).dev).toBe(fs.stat(at("/mnt/data/f")).dev);
    expect(fs.stat(at("/mnt")).dev).not.toBe(fs.stat(at("/etc")).dev);
  });

  it("goes back up from a mounted root with .. to the directory holding the mount point", () => {
    const { fs, at } = table();
    expect(fs.lookup(at("/mnt"), "..")).toBe(fs.root);
    expect(at("/mnt/data/../../etc/passwd")).toBe(at("/etc/passwd"));
    expect(at("/mnt/..")).toBe(fs.root);
  });

  it("lists a mount point with the mounted root's number, so a walk up by .. finds its name", () => {
    const { fs, at } = table();
    const entry = fs.readdir(fs.root).find((e) => e.name === "mnt");
    expect(entry).toEqual({ name: "mnt", ino: at("/mnt"), type: "directory" });
    expect(fs.readdir(at("/mnt/data"))[0]!.ino).toBe(at("/mnt/data/f"));
  });

  it("makes changes in the filesystem that holds the directory", () => {
    const { base, disk, fs, at } = table();
    const ino = fs.create(at("/mnt/data"), "new", file);
    fs.write(ino, 0, enc("hello"));
    fs.mkdir(at("/mnt"), "dir", 0o700, root);
    fs.symlink(at("/mnt"), "passwd", "/etc/passwd", root);
    expect(
      dec(disk.read(resolveExisting(disk, disk.root, "/data/new", { follow: true }), 0, 9)),
    ).toBe("hello");
    expect(resolve(base, base.root, "/mnt/data", { follow: true }).ino).toBeNull();
    expect(fs.stat(at("/mnt/dir")).mode).toBe(0o700);
    // An absolute symlink target starts again at the view's root, not the mounted one.
    expect(resolveExisting(fs, fs.root, "/mnt/passwd", { follow: true })).toBe(at("/etc/passwd"));
    fs.truncate(ino, 2);
    fs.setattr(ino, { mode: 0o600 });
    expect(disk.stat(resolveExisting(disk, disk.root, "/data/new", { follow: true })).size).toBe(2);
    expect(fs.stat(ino)).toMatchObject({ size: 2, mode: 0o600 });
    fs.unlink(at("/mnt/data"), "new");
    fs.rmdir(at("/mnt"), "dir");
    expect(fs.readdir(at("/mnt")).map((e) => e.name)).toEqual(["data", "passwd"]);
  });

  it("answers EXDEV for a rename or link from one filesystem to another", () => {
    const { fs, at } = table();
    expect(errnoOf(() => fs.rename(at("/etc"), "passwd", at("/mnt"), "passwd"))).toBe("EXDEV");
    expect(errnoOf(() => fs.rename(at("/mnt/data"), "f", at("/etc"), "f"))).toBe("EXDEV");
    expect(errnoOf(() => fs.link(at("/mnt"), "passwd", at("/etc/passwd")))).toBe("EXDEV");
    fs.rename(at("/mnt/data"), "f", at("/mnt"), "g");
    fs.link(at("/mnt"), "h", at("/mnt/g"));
    expect(fs.stat(at("/mnt/h")).nlink).toBe(2);
  });

  it("answers EBUSY for removing or renaming a mount point, and for mounting twice", () => {
    const { fs, at } = table();
    expect(errnoOf(() => fs.rmdir(fs.root, "mnt"))).toBe("EBUSY");
    expect(errnoOf(() => fs.rename(fs.root, "mnt", fs.root, "elsewhere"))).toBe("EBUSY");
    expect(errnoOf(() => fs.rename(fs.root, "etc", fs.root, "mnt"))).toBe("EBUSY");
    expect(errnoOf(() => fs.mount("/mnt", new MemoryFilesystem(), tmpfs))).toBe("EBUSY");
    expect(errnoOf(() => fs.mount("/", new MemoryFilesystem(), tmpfs))).toBe("EBUSY");
    expect(errnoOf(() => fs.mount("/etc/passwd", new MemoryFilesystem(), tmpfs))).toBe("ENOTDIR");
    expect(errnoOf(() => fs.mount("/nowhere", new MemoryFilesystem(), tmpfs))).toBe("ENOENT");
    expect(at("/mnt/data")).toBeDefined();
  });

  it("forwards retain, release and fsync: an open file outlives its name in a mounted filesystem", () => {
    const { fs, at } = table();
    const f = at("/mnt/data/f");
    fs.retain(f);
    fs.unlink(at("/mnt/data"), "f");
    fs.fsync(f);
    expect(dec(fs.read(f, 0, 7))).toBe("on disk");
    fs.release(f);
    expect(errnoOf(() => fs.stat(f))).toBe("ENOENT");
  });

  it("mounts inside a mounted filesystem and lists every mount, root first", () => {
    const { fs, at } = table();
    const inner = new MemoryFilesystem();
    inner.mkdir(inner.root, "deep", 0o755, root);
    fs.mount("/mnt/data/", inner, tmpfs);
    expect(fs.readdir(at("/mnt/data")).map((e) => e.name)).toEqual(["deep"]);
    expect(at("/mnt/data/deep/../../data/deep/../..")).toBe(at("/mnt"));
    expect(fs.mounts().map((m) => `${m.source} ${m.path} ${m.type}`)).toEqual([
      "overlay / overlay",
      "disk /mnt tmpfs",
      "tmpfs /mnt/data tmpfs",
    ]);
  });

  it("answers ENOENT for a number no filesystem of the view gives", () => {
    const { fs } = table();
    expect(errnoOf(() => fs.stat(2 ** 52))).toBe("ENOENT");
    expect(errnoOf(() => fs.stat(-1))).toBe("ENOENT");
  });
});

const tmpfs = { source: "tmpfs", type: "tmpfs", options: "rw" };
