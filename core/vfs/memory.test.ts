import { describe, expect, it } from "vitest";
import { errnoOf } from "../errno.ts";
import { MemoryFilesystem } from "./memory.ts";
import { readPath, writePath } from "./paths.ts";
import { resolve, resolveExisting } from "./resolve.ts";

const root = { uid: 0, gid: 0 };
const file = { type: "file" as const, mode: 0o644, uid: 0, gid: 0 };

function tree() {
  const fs = new MemoryFilesystem();
  const etc = fs.mkdir(fs.root, "etc", 0o755, root);
  const passwd = fs.create(etc, "passwd", file);
  fs.write(passwd, 0, new TextEncoder().encode("root:x:0:0\n"));
  const bin = fs.mkdir(fs.root, "bin", 0o755, root);
  fs.symlink(fs.root, "abs", "/etc/passwd", root);
  fs.symlink(etc, "rel", "../etc/passwd", root);
  fs.symlink(fs.root, "loop", "loop", root);
  return { fs, etc, passwd, bin };
}

describe("path walk", () => {
  it("resolves absolute and relative symlinks inside the filesystem's root", () => {
    const { fs, etc, passwd } = tree();
    expect(resolveExisting(fs, fs.root, "/abs", { follow: true })).toBe(passwd);
    expect(resolveExisting(fs, etc, "rel", { follow: true })).toBe(passwd);
    expect(fs.stat(resolveExisting(fs, fs.root, "/abs", { follow: false })).type).toBe("symlink");
  });

  it("keeps .. at the root", () => {
    const { fs, passwd } = tree();
    expect(resolveExisting(fs, fs.root, "../../../etc/passwd", { follow: true })).toBe(passwd);
    expect(resolveExisting(fs, fs.root, "/..", { follow: true })).toBe(fs.root);
  });

  it("beneath a directory (WASI's sandbox): .. above it is ENOTCAPABLE, in the path or a relative link; not at the root, nor after an absolute link", () => {
    const { fs, etc, passwd } = tree();
    const beneath = { follow: true, beneath: true };
    const sub = fs.mkdir(etc, "sub", 0o755, root);
    expect(resolveExisting(fs, etc, "sub/../passwd", beneath)).toBe(passwd);
    expect(resolveExisting(fs, etc, "sub/..", beneath)).toBe(etc);
    expect(errnoOf(() => resolve(fs, etc, "..", beneath))).toBe("ENOTCAPABLE");
    expect(errnoOf(() => resolve(fs, etc, "sub/../../etc/passwd", beneath))).toBe("ENOTCAPABLE");
    // etc/rel is ../etc/passwd: it climbs above etc, not above the root.
    expect(errnoOf(() => resolve(fs, etc, "rel", beneath))).toBe("ENOTCAPABLE");
    expect(resolveExisting(fs, fs.root, "etc/rel", beneath)).toBe(passwd);
    expect(resolveExisting(fs, fs.root, "../etc/passwd", beneath)).toBe(passwd);
    fs.symlink(sub, "abs", "/etc", root);
    expect(resolveExisting(fs, sub, "abs/../etc/passwd", beneath)).toBe(passwd);
    // Not followed, the link's target is not walked.
    expect(fs.stat(resolveExisting(fs, etc, "rel", { follow: false, beneath: true })).type).toBe(
      "symlink",
    );
  });

  it("answers ELOOP after 40 symlinks, ENOTDIR through a file, ENOENT in the middle", () => {
    const { fs } = tree();
    expect(errnoOf(() => resolve(fs, fs.root, "/loop", { follow: true }))).toBe("ELOOP");
    expect(errnoOf(() => resolve(fs, fs.root, "/etc/passwd/x", { follow: true }))).toBe("ENOTDIR");
    expect(errnoOf(() => resolve(fs, fs.root, "/etc/passwd/", { follow: true }))).toBe("ENOTDIR");
    expect(errnoOf(() => resolve(fs, fs.root, "/nope/x", { follow: true }))).toBe("ENOENT");
    expect(resolve(fs, fs.root, "/etc/new", { follow: true }).ino).toBeNull();
  });

  it("follows a chain of exactly 40 symlinks", () => {
    const fs = new MemoryFilesystem();
    fs.mkdir(fs.root, "target", 0o755, root);
    fs.symlink(fs.root, "l0", "target", root);
    for (let i = 1; i < 40; i++) fs.symlink(fs.root, `l${i}`, `l${i - 1}`, root);
    expect(fs.stat(resolveExisting(fs, fs.root, "l39", { follow: true })).type).toBe("directory");
    fs.symlink(fs.root, "l40", "l39", root);
    expect(errnoOf(() => resolve(fs, fs.root, "l40", { follow: true }))).toBe("ELOOP");
  });

  it("answers ENAMETOOLONG for a name over 255 bytes", () => {
    const { fs } = tree();
    expect(errnoOf(() => fs.create(fs.root, "x".repeat(256), file))).toBe("ENAMETOOLONG");
    expect(errnoOf(() => fs.create(fs.root, "é".repeat(128), file))).toBe("ENAMETOOLONG");
  });
});

describe("memory filesystem", () => {
  it("renames as POSIX says", () => {
    const { fs, etc, bin } = tree();
    const sub = fs.mkdir(etc, "sub", 0o755, root);
    expect(errnoOf(() => fs.rename(fs.root, "etc", sub, "inside"))).toBe("EINVAL");
    fs.create(bin, "sh", file);
    expect(errnoOf(() => fs.rename(fs.root, "etc", fs.root, "bin"))).toBe("ENOTEMPTY");
    expect(errnoOf(() => fs.rename(etc, "passwd", fs.root, "bin"))).toBe("EISDIR");
    expect(errnoOf(() => fs.rename(fs.root, "bin", etc, "passwd"))).toBe("ENOTDIR");
    fs.rename(etc, "sub", fs.root, "moved");
    expect(fs.lookup(fs.lookup(fs.root, "moved"), "..")).toBe(fs.root);
    expect(fs.stat(etc).nlink).toBe(2);
    expect(fs.stat(fs.root).nlink).toBe(2 + 3); // etc, bin, moved
    const empty = fs.mkdir(fs.root, "empty", 0o755, root);
    fs.rename(fs.root, "moved", fs.root, "empty"); // over an empty directory
    expect(fs.lookup(fs.root, "empty")).not.toBe(empty);
    expect(errnoOf(() => fs.stat(empty))).toBe("ENOENT"); // nothing holds it: freed
  });

  it("keeps an unlinked inode while a file is open on it, and frees it at the last close", () => {
    const { fs, etc, passwd } = tree();
    fs.retain(passwd);
    fs.retain(passwd);
    fs.unlink(etc, "passwd");
    fs.release(passwd);
    expect(new TextDecoder().decode(fs.read(passwd, 0, 4))).toBe("root");
    expect(fs.stat(passwd).nlink).toBe(0);
    fs.release(passwd);
    expect(errnoOf(() => fs.stat(passwd))).toBe("ENOENT");
  });

  it("shares data and counts links for hard links", () => {
    const { fs, etc, passwd } = tree();
    fs.link(fs.root, "copy", passwd);
    expect(fs.stat(passwd).nlink).toBe(2);
    fs.write(fs.lookup(fs.root, "copy"), 0, new TextEncoder().encode("ROOT"));
    expect(new TextDecoder().decode(fs.read(passwd, 0, 4))).toBe("ROOT");
    fs.unlink(etc, "passwd");
    expect(fs.stat(passwd).nlink).toBe(1);
    expect(errnoOf(() => fs.link(fs.root, "d", etc))).toBe("EPERM");
  });

  it("extends with zeros and copies borrowed bytes only when written", () => {
    const fs = new MemoryFilesystem();
    const shared = new Uint8Array([1, 2, 3, 4]);
    const ino = fs.createBorrowed(fs.root, "f", file, shared);
    fs.truncate(ino, 8);
    expect([...fs.read(ino, 0, 8)]).toEqual([1, 2, 3, 4, 0, 0, 0, 0]);
    fs.write(ino, 0, new Uint8Array([9]));
    expect([...shared]).toEqual([1, 2, 3, 4]);
    fs.truncate(ino, 2);
    fs.truncate(ino, 4);
    expect([...fs.read(ino, 0, 4)]).toEqual([9, 2, 0, 0]);
  });
});

describe("readPath", () => {
  it("gives a file's bytes in a buffer of their own, not a view of the filesystem's", async () => {
    const fs = new MemoryFilesystem();
    await writePath(fs, "/f", new TextEncoder().encode("hello"));
    const ino = resolveExisting(fs, fs.root, "/f", { follow: true });
    // (Grown by doubling: the file's own buffer is longer than its bytes.)
    fs.write(ino, 5, new TextEncoder().encode(", w"));
    const bytes = await readPath(fs, "/f");
    expect(new TextDecoder().decode(bytes)).toBe("hello, w");
    expect(bytes.byteOffset).toBe(0);
    expect(bytes.buffer.byteLength).toBe(8);
  });
});
