import { describe, expect, it } from "vitest";
import { decodeInode, encodeInode, inodeKey, type UpperInode } from "./upper-format.ts";

const copiedUp: UpperInode = {
  ino: 2 ** 32 + 7,
  type: "file",
  mode: 0o100644,
  uid: 0,
  gid: 0,
  nlink: 1,
  rdev: 0,
  atime: 1n,
  mtime: 2n,
  ctime: 3n,
  size: 5,
  target: "",
  base: { digest: "sha256:abc", path: "etc/motd", length: 5 },
  chunks: 0,
  entries: null,
  opaque: false,
  redirect: null,
};

describe("an inode record", () => {
  it("stores a base's digest under its old key, layer, so that existing records still open", () => {
    const bytes = encodeInode(copiedUp);
    const stored = JSON.parse(new TextDecoder().decode(bytes)) as { base: unknown };
    expect(stored.base).toEqual({ layer: "sha256:abc", path: "etc/motd", length: 5 });
    expect(decodeInode(bytes, inodeKey(copiedUp.ino))).toEqual(copiedUp);
  });
});
