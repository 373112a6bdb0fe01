/**
 * Overlay scenarios: lower layers and a sequence of path operations, run on
 * our overlay and on Linux overlayfs (`mount -t overlay`) by
 * `core/overlay/linux.test.ts`, which compares what each operation answered and the
 * merged trees that result. Pure data, shared by the tests.
 */

/** One entry of a lower layer, as a directory on disk or a layer would hold it. */
export interface LowerEntry {
  path: string;
  type: "file" | "directory" | "symlink" | "hardlink" | "fifo" | "whiteout";
  /** Permission bits; 0644 for files, 0755 for directories by default. */
  mode?: number;
  uid?: number;
  gid?: number;
  /** File content (text, or `{ repeat, times }` for big files). */
  data?: string | { repeat: string; times: number };
  /** Symlinks: the target. Hard links: the path (in this layer) of the file they link. */
  target?: string;
  /** Directories: hide what the layers below hold under this path. */
  opaque?: boolean;
}

/**
 * A path operation, as a program would make it. Paths are absolute inside
 * the container. The comparison checks that both sides give the same errno
 * (or both succeed); `expect` states what Linux answers, so a scenario also
 * documents the behaviour. Linux here is overlayfs mounted as
 * linux.test.ts mounts it (redirect_dir=on, index=on): with those options
 * the rename of a lower or merged directory succeeds, as ours does.
 *
 * Absolute symlink targets are compared as text but never followed: the
 * Linux side runs without a chroot, so following one would leave the mount
 * (linux.test.ts refuses such a scenario rather than touch the host).
 */
export type Operation =
  /**
   * open(O_WRONLY | O_CREAT, 0666) and write `data`: at `offset` with
   * pwrite (no truncation), else from the start after O_TRUNC.
   */
  (
    | { op: "write"; path: string; data: string; offset?: number }
    /** open(O_WRONLY | O_CREAT | O_APPEND, 0666) and write. */
    | { op: "append"; path: string; data: string }
    /** open(O_WRONLY | O_CREAT | O_EXCL), mode 0666 unless given */
    | { op: "create"; path: string; mode?: number }
    /** open(O_RDWR) and ftruncate, as truncate(1) does. */
    | { op: "truncate"; path: string; size: number }
    /** mkdir(2), mode 0777 unless given (the umask is 022 on both sides). */
    | { op: "mkdir"; path: string; mode?: number }
    | { op: "rmdir"; path: string }
    | { op: "unlink"; path: string }
    | { op: "rename"; from: string; to: string }
    /** link(2): a symlink in `from` is not followed. */
    | { op: "link"; from: string; to: string }
    | { op: "symlink"; target: string; path: string }
    /** chmod(2), following a symlink. */
    | { op: "chmod"; path: string; mode: number }
    /** lchown(2): a symlink itself changes owner. */
    | { op: "chown"; path: string; uid: number; gid: number }
    | { op: "mkfifo"; path: string }
    /** open(O_RDONLY) and read it all: checks lookup and errors like ELOOP, ENOTDIR. */
    | { op: "read"; path: string }
    /**
     * The names a directory lists, without `.` and `..`, sorted; `names` is
     * what Linux lists (checked when given).
     */
    | { op: "readdir"; path: string; names?: string[] }
  ) & { expect?: string };

export interface Scenario {
  name: string;
  /** Lower layers, top first. */
  lowers: LowerEntry[][];
  ops: Operation[];
}

const file = (
  path: string,
  data: LowerEntry["data"] = "",
  more: Partial<LowerEntry> = {},
): LowerEntry => ({
  path,
  type: "file",
  data,
  ...more,
});
const dir = (path: string, more: Partial<LowerEntry> = {}): LowerEntry => ({
  path,
  type: "directory",
  ...more,
});
const symlink = (path: string, target: string, more: Partial<LowerEntry> = {}): LowerEntry => ({
  path,
  type: "symlink",
  target,
  ...more,
});
const hardlink = (path: string, target: string): LowerEntry => ({ path, type: "hardlink", target });
const whiteout = (path: string): LowerEntry => ({ path, type: "whiteout" });
const fifo = (path: string, more: Partial<LowerEntry> = {}): LowerEntry => ({
  path,
  type: "fifo",
  ...more,
});

/** 255 bytes is the longest name Linux allows; one more is ENAMETOOLONG. */
const name255 = "n".repeat(255);
const name256 = "n".repeat(256);

export const scenarios: Scenario[] = [
  // --- One lower layer: copy-up -------------------------------------------
  {
    name: "write to a lower file copies it up and replaces its data",
    lowers: [[dir("etc"), file("etc/passwd", "root:x:0:0\n"), file("etc/group", "root:x:0:\n")]],
    ops: [
      { op: "write", path: "/etc/passwd", data: "user:x:1000:1000\n" },
      { op: "read", path: "/etc/passwd" },
      { op: "readdir", path: "/etc", names: ["group", "passwd"] },
    ],
  },
  {
    name: "append to a lower file keeps its data",
    lowers: [[file("etc/motd", "hello\n", { mode: 0o640, uid: 7, gid: 8 })]],
    ops: [
      { op: "append", path: "/etc/motd", data: "more\n" },
      { op: "append", path: "/etc/motd", data: "again\n" },
      { op: "read", path: "/etc/motd" },
    ],
  },
  {
    name: "truncate a lower file shorter",
    lowers: [[file("data/log", "hello world, a longer line\n", { mode: 0o600 })]],
    ops: [
      { op: "truncate", path: "/data/log", size: 5 },
      { op: "read", path: "/data/log" },
    ],
  },
  {
    name: "truncate a lower file to extend it with zeros",
    lowers: [[file("data/img", "head")]],
    ops: [
      { op: "truncate", path: "/data/img", size: 50_000 },
      { op: "read", path: "/data/img" },
    ],
  },
  {
    name: "truncate a lower file to zero and write again",
    lowers: [[file("f", "old content")]],
    ops: [
      { op: "truncate", path: "/f", size: 0 },
      { op: "append", path: "/f", data: "new" },
    ],
  },
  {
    name: "sparse write at offset 100000 into a lower file",
    lowers: [[file("var/db", "start")]],
    ops: [
      { op: "write", path: "/var/db", data: "end", offset: 100_000 },
      { op: "read", path: "/var/db" },
    ],
  },
  {
    name: "sparse write creates a new file in a lower directory",
    lowers: [[dir("var", { mode: 0o750, uid: 3, gid: 4 })]],
    ops: [
      { op: "write", path: "/var/sparse", data: "x", offset: 100_000 },
      { op: "truncate", path: "/var/sparse", size: 200_000 },
    ],
  },
  {
    name: "overwrite the middle of a big lower file",
    lowers: [[file("big", { repeat: "0123456789abcdef", times: 65_536 })]],
    ops: [
      { op: "write", path: "/big", data: "XYZ", offset: 500_000 },
      { op: "read", path: "/big" },
    ],
  },
  {
    name: "chmod of a lower file copies it up with its data",
    lowers: [[file("bin/tool", "#!/bin/sh\n", { mode: 0o755, uid: 2, gid: 2 })]],
    ops: [
      { op: "chmod", path: "/bin/tool", mode: 0o4711 },
      { op: "read", path: "/bin/tool" },
    ],
  },
  {
    name: "chown of a lower setuid file clears setuid and setgid",
    lowers: [[file("bin/su", "elf", { mode: 0o6755 })]],
    ops: [{ op: "chown", path: "/bin/su", uid: 1000, gid: 100 }],
  },
  {
    name: "chown of a setgid file without group execute keeps setgid",
    lowers: [[file("lock", "", { mode: 0o2644 })]],
    ops: [{ op: "chown", path: "/lock", uid: 5, gid: 5 }],
  },
  {
    name: "chown of a lower setgid directory keeps its mode",
    lowers: [[dir("srv", { mode: 0o2775, gid: 50 }), file("srv/a", "a")]],
    ops: [
      { op: "chown", path: "/srv", uid: 33, gid: 33 },
      { op: "readdir", path: "/srv", names: ["a"] },
    ],
  },
  {
    name: "chown of a lower symlink changes the link, not its target",
    lowers: [[file("target", "t", { uid: 1, gid: 1 }), symlink("link", "target")]],
    ops: [{ op: "chown", path: "/link", uid: 9, gid: 9 }],
  },
  {
    name: "chmod of a deep lower directory copies up its parents",
    lowers: [
      [
        dir("a", { mode: 0o750, uid: 1, gid: 2 }),
        dir("a/b", { mode: 0o711, uid: 3, gid: 4 }),
        dir("a/b/c", { mode: 0o755 }),
        dir("a/b/c/d"),
        file("a/b/c/d/file", "deep"),
      ],
    ],
    ops: [
      { op: "chmod", path: "/a/b/c/d", mode: 0o700 },
      { op: "readdir", path: "/a/b/c/d", names: ["file"] },
    ],
  },
  {
    name: "write at the end of a deep path copies up every parent",
    lowers: [
      [
        dir("a", { mode: 0o750, uid: 1, gid: 2 }),
        dir("a/b", { mode: 0o700, uid: 3, gid: 4 }),
        file("a/b/c/d/e/f/g/h/i/j/file", "deep file", { mode: 0o600, uid: 5, gid: 6 }),
        file("a/b/sibling", "untouched"),
      ],
    ],
    ops: [
      { op: "append", path: "/a/b/c/d/e/f/g/h/i/j/file", data: " changed" },
      { op: "write", path: "/a/b/c/d/e/f/g/h/i/j/new", data: "new" },
      { op: "read", path: "/a/b/sibling" },
    ],
  },
  {
    name: "a fifo of a lower layer is copied up by chmod; mkfifo in a lower directory",
    lowers: [[dir("run"), fifo("run/ctl", { mode: 0o620, uid: 4, gid: 4 })]],
    ops: [
      { op: "chmod", path: "/run/ctl", mode: 0o600 },
      { op: "mkfifo", path: "/run/new" },
      { op: "mkfifo", path: "/run/ctl", expect: "EEXIST" },
      { op: "readdir", path: "/run", names: ["ctl", "new"] },
    ],
  },

  // --- One lower layer: deletion, whiteouts, opaque directories ------------
  {
    name: "unlink of a lower file hides it; writing the name again creates a new file",
    lowers: [[dir("d"), file("d/f", "lower", { mode: 0o600, uid: 3, gid: 3 }), file("d/g", "g")]],
    ops: [
      { op: "unlink", path: "/d/f" },
      { op: "read", path: "/d/f", expect: "ENOENT" },
      { op: "readdir", path: "/d", names: ["g"] },
      { op: "unlink", path: "/d/f", expect: "ENOENT" },
      { op: "write", path: "/d/f", data: "upper" },
      { op: "read", path: "/d/f" },
      { op: "readdir", path: "/d", names: ["f", "g"] },
    ],
  },
  {
    name: "rmdir of an empty lower directory; the name made again as a file",
    lowers: [[dir("empty", { mode: 0o700 }), file("keep", "k")]],
    ops: [
      { op: "rmdir", path: "/empty" },
      { op: "readdir", path: "/", names: ["keep"] },
      { op: "write", path: "/empty", data: "now a file" },
      { op: "rmdir", path: "/empty", expect: "ENOTDIR" },
    ],
  },
  {
    name: "rmdir of a lower directory with entries fails until they are all deleted",
    lowers: [[dir("d"), file("d/a", "a"), file("d/b", "b"), dir("d/sub"), file("other", "o")]],
    ops: [
      { op: "rmdir", path: "/d", expect: "ENOTEMPTY" },
      { op: "unlink", path: "/d/a" },
      { op: "rmdir", path: "/d", expect: "ENOTEMPTY" },
      { op: "unlink", path: "/d/b" },
      { op: "rmdir", path: "/d", expect: "ENOTEMPTY" },
      { op: "rmdir", path: "/d/sub" },
      { op: "readdir", path: "/d", names: [] },
      { op: "rmdir", path: "/d" },
      { op: "read", path: "/d/a", expect: "ENOENT" },
      { op: "readdir", path: "/", names: ["other"] },
    ],
  },
  {
    name: "mkdir over a whiteout makes an opaque directory that lists no lower entry",
    lowers: [
      [dir("d", { mode: 0o750, uid: 2, gid: 2 }), file("d/x", "x"), dir("d/y"), file("d/y/z", "z")],
    ],
    ops: [
      { op: "unlink", path: "/d/x" },
      { op: "unlink", path: "/d/y/z" },
      { op: "rmdir", path: "/d/y" },
      { op: "rmdir", path: "/d" },
      { op: "mkdir", path: "/d" },
      { op: "readdir", path: "/d", names: [] },
      { op: "read", path: "/d/x", expect: "ENOENT" },
      { op: "write", path: "/d/n", data: "n" },
      { op: "mkdir", path: "/d/y" },
      { op: "readdir", path: "/d/y", names: [] },
      { op: "readdir", path: "/d", names: ["n", "y"] },
      { op: "rmdir", path: "/d/y" },
    ],
  },
  {
    name: "a lower file deleted and made again as a directory",
    lowers: [[file("name", "was a file")]],
    ops: [
      { op: "unlink", path: "/name" },
      { op: "mkdir", path: "/name", mode: 0o700 },
      { op: "write", path: "/name/inside", data: "i" },
      { op: "readdir", path: "/name", names: ["inside"] },
    ],
  },
  {
    name: "a lower directory deleted and made again as a symlink",
    lowers: [[dir("dir"), file("elsewhere", "e")]],
    ops: [
      { op: "rmdir", path: "/dir" },
      { op: "symlink", target: "elsewhere", path: "/dir" },
      { op: "read", path: "/dir" },
      { op: "readdir", path: "/dir", expect: "ENOTDIR" },
    ],
  },
  {
    name: "O_EXCL create on an existing lower file fails, on a deleted one succeeds",
    lowers: [[file("f", "lower"), file("g", "lower g")]],
    ops: [
      { op: "create", path: "/f", expect: "EEXIST" },
      { op: "unlink", path: "/f" },
      { op: "create", path: "/f", mode: 0o600 },
      { op: "create", path: "/f", expect: "EEXIST" },
      { op: "read", path: "/f" },
    ],
  },

  // --- One lower layer: errors --------------------------------------------
  {
    name: "unlink of a lower directory is EISDIR, rmdir of a lower file ENOTDIR",
    lowers: [[dir("d"), file("d/f", "f"), file("g", "g")]],
    ops: [
      { op: "unlink", path: "/d", expect: "EISDIR" },
      { op: "rmdir", path: "/g", expect: "ENOTDIR" },
      { op: "rmdir", path: "/d/f", expect: "ENOTDIR" },
      { op: "unlink", path: "/d/f/", expect: "ENOTDIR" },
      { op: "unlink", path: "/d/", expect: "EISDIR" },
      { op: "rmdir", path: "/missing", expect: "ENOENT" },
      { op: "unlink", path: "/missing", expect: "ENOENT" },
    ],
  },
  {
    name: "mkdir of an existing name is EEXIST, whatever the name holds",
    lowers: [[dir("d"), file("f", "f"), symlink("s", "d"), symlink("dangling", "nowhere")]],
    ops: [
      { op: "mkdir", path: "/d", expect: "EEXIST" },
      { op: "mkdir", path: "/f", expect: "EEXIST" },
      { op: "mkdir", path: "/s", expect: "EEXIST" },
      { op: "mkdir", path: "/dangling", expect: "EEXIST" },
      { op: "mkdir", path: "/d/", expect: "EEXIST" },
      { op: "mkdir", path: "/new/" },
      { op: "mkdir", path: "/missing/sub", expect: "ENOENT" },
      { op: "mkdir", path: "/f/sub", expect: "ENOTDIR" },
    ],
  },
  {
    name: "names of 256 bytes are ENAMETOOLONG when made; 255 bytes work",
    lowers: [[dir("d"), file("d/f", "f")]],
    ops: [
      { op: "mkdir", path: `/d/${name256}`, expect: "ENAMETOOLONG" },
      { op: "write", path: `/d/${name256}`, data: "x", expect: "ENAMETOOLONG" },
      { op: "symlink", target: "f", path: `/d/${name256}`, expect: "ENAMETOOLONG" },
      { op: "rename", from: "/d/f", to: `/d/${name256}`, expect: "ENAMETOOLONG" },
      { op: "link", from: "/d/f", to: `/d/${name256}`, expect: "ENAMETOOLONG" },
      { op: "mkdir", path: `/d/${name255}` },
      { op: "rename", from: "/d/f", to: `/d/${name255}/${name255}` },
    ],
  },
  {
    name: "lookup of a 256-byte name is ENAMETOOLONG, not ENOENT",
    lowers: [[dir("d")]],
    ops: [
      { op: "read", path: `/d/${name256}`, expect: "ENAMETOOLONG" },
      { op: "unlink", path: `/d/${name256}`, expect: "ENAMETOOLONG" },
      { op: "rmdir", path: `/d/${name256}`, expect: "ENAMETOOLONG" },
    ],
  },
  {
    name: "write, truncate and read of a lower directory are EISDIR",
    lowers: [[dir("d"), file("d/f", "f")]],
    ops: [
      { op: "write", path: "/d", data: "x", expect: "EISDIR" },
      { op: "append", path: "/d", data: "x", expect: "EISDIR" },
      { op: "truncate", path: "/d", size: 0, expect: "EISDIR" },
      { op: "read", path: "/d", expect: "EISDIR" },
      { op: "read", path: "/d/f/", expect: "ENOTDIR" },
      { op: "read", path: "/d/f/x", expect: "ENOTDIR" },
      { op: "write", path: "/d/f/x", data: "x", expect: "ENOTDIR" },
      { op: "readdir", path: "/d/f", expect: "ENOTDIR" },
    ],
  },
  {
    name: "rename of a missing name or into a missing directory is ENOENT",
    lowers: [[dir("d"), file("f", "f")]],
    ops: [
      { op: "rename", from: "/missing", to: "/d/x", expect: "ENOENT" },
      { op: "rename", from: "/f", to: "/nodir/f", expect: "ENOENT" },
      { op: "rename", from: "/f", to: "/f/x", expect: "ENOTDIR" },
      { op: "rename", from: "/f/", to: "/g", expect: "ENOTDIR" },
    ],
  },

  // --- One lower layer: rename --------------------------------------------
  {
    name: "rename a lower file over a lower file",
    lowers: [[dir("d"), file("d/a", "a", { mode: 0o600, uid: 1, gid: 1 }), file("d/b", "b")]],
    ops: [
      { op: "rename", from: "/d/a", to: "/d/b" },
      { op: "read", path: "/d/a", expect: "ENOENT" },
      { op: "readdir", path: "/d", names: ["b"] },
      { op: "write", path: "/d/a", data: "a again" },
    ],
  },
  {
    name: "rename a lower file into another lower directory and back",
    lowers: [[dir("src"), file("src/f", "payload"), dir("dst"), file("dst/other", "o")]],
    ops: [
      { op: "rename", from: "/src/f", to: "/dst/f" },
      { op: "readdir", path: "/src", names: [] },
      { op: "rename", from: "/dst/f", to: "/src/f" },
      { op: "readdir", path: "/dst", names: ["other"] },
      { op: "read", path: "/src/f" },
    ],
  },
  {
    name: "rename an upper file over a lower file, and a lower file over an upper one",
    lowers: [[file("lower1", "l1"), file("lower2", "l2")]],
    ops: [
      { op: "write", path: "/upper1", data: "u1" },
      { op: "rename", from: "/upper1", to: "/lower1" },
      { op: "write", path: "/upper2", data: "u2" },
      { op: "rename", from: "/lower2", to: "/upper2" },
      { op: "readdir", path: "/", names: ["lower1", "upper2"] },
    ],
  },
  {
    name: "rename a name onto itself does nothing",
    lowers: [[file("f", "f"), dir("d")]],
    ops: [
      { op: "rename", from: "/f", to: "/f" },
      { op: "rename", from: "/d", to: "/d" },
      { op: "readdir", path: "/", names: ["d", "f"] },
    ],
  },
  {
    name: "rename an upper directory with contents",
    lowers: [[dir("base")]],
    ops: [
      { op: "mkdir", path: "/base/new" },
      { op: "write", path: "/base/new/f", data: "f" },
      { op: "mkdir", path: "/base/new/sub" },
      { op: "rename", from: "/base/new", to: "/moved" },
      { op: "readdir", path: "/moved", names: ["f", "sub"] },
      { op: "readdir", path: "/base", names: [] },
    ],
  },
  {
    name: "rename a lower directory (EXDEV without redirect_dir)",
    lowers: [
      [
        dir("d", { mode: 0o750, uid: 6, gid: 6 }),
        dir("d/sub"),
        file("d/sub/f", "f"),
        file("d/g", "g"),
      ],
    ],
    ops: [
      { op: "rename", from: "/d", to: "/e" },
      { op: "readdir", path: "/e", names: ["g", "sub"] },
      { op: "read", path: "/e/sub/f" },
      { op: "read", path: "/d/g", expect: "ENOENT" },
      { op: "mkdir", path: "/d" },
      { op: "readdir", path: "/d", names: [] },
      { op: "write", path: "/e/sub/new", data: "n" },
      { op: "rename", from: "/e/sub", to: "/d/sub" },
      { op: "readdir", path: "/d/sub", names: ["f", "new"] },
    ],
  },
  {
    name: "rename a lower directory into another lower directory, then delete inside it",
    lowers: [[dir("a"), file("a/x", "x"), file("a/y", "y"), dir("b"), file("b/z", "z")]],
    ops: [
      { op: "rename", from: "/a", to: "/b/a" },
      { op: "unlink", path: "/b/a/x" },
      { op: "readdir", path: "/b/a", names: ["y"] },
      { op: "rmdir", path: "/b/a", expect: "ENOTEMPTY" },
      { op: "unlink", path: "/b/a/y" },
      { op: "rmdir", path: "/b/a" },
      { op: "readdir", path: "/b", names: ["z"] },
      { op: "readdir", path: "/", names: ["b"] },
    ],
  },
  {
    name: "rename of a directory into its own subtree is EINVAL",
    lowers: [[dir("d"), dir("d/sub"), dir("d/sub/deeper")]],
    ops: [
      { op: "rename", from: "/d", to: "/d/sub/x", expect: "EINVAL" },
      { op: "rename", from: "/d", to: "/d/sub/deeper/x", expect: "EINVAL" },
      { op: "mkdir", path: "/u" },
      { op: "mkdir", path: "/u/v" },
      { op: "rename", from: "/u", to: "/u/v/w", expect: "EINVAL" },
      { op: "rename", from: "/d/sub", to: "/d/sub/deeper", expect: "EINVAL" },
    ],
  },
  {
    name: "rename a directory over a non-empty lower directory is ENOTEMPTY",
    lowers: [[dir("a"), file("a/f", "f"), dir("b"), file("b/x", "x")]],
    ops: [
      { op: "rename", from: "/a", to: "/b", expect: "ENOTEMPTY" },
      { op: "mkdir", path: "/c" },
      { op: "rename", from: "/c", to: "/b", expect: "ENOTEMPTY" },
      { op: "readdir", path: "/b", names: ["x"] },
    ],
  },
  {
    name: "rename a directory over a lower directory whose entries were all deleted",
    lowers: [[dir("a"), file("a/f1", "1"), dir("b", { mode: 0o700 }), file("b/x", "x")]],
    ops: [
      { op: "unlink", path: "/b/x" },
      { op: "rename", from: "/a", to: "/b" },
      { op: "readdir", path: "/b", names: ["f1"] },
      { op: "read", path: "/b/x", expect: "ENOENT" },
      { op: "readdir", path: "/", names: ["b"] },
    ],
  },
  {
    name: "rename a directory over a file is ENOTDIR, a file over a directory EISDIR",
    lowers: [[dir("d"), dir("empty"), file("f", "f")]],
    ops: [
      { op: "rename", from: "/d", to: "/f", expect: "ENOTDIR" },
      { op: "rename", from: "/f", to: "/empty", expect: "EISDIR" },
      { op: "rename", from: "/f", to: "/d", expect: "EISDIR" },
      { op: "mkdir", path: "/u" },
      { op: "rename", from: "/u", to: "/f", expect: "ENOTDIR" },
      { op: "rename", from: "/d", to: "/empty" },
      { op: "readdir", path: "/", names: ["empty", "f", "u"] },
    ],
  },

  // --- One lower layer: hard links -----------------------------------------
  {
    name: "a lower hard-linked file stays linked after one name is copied up",
    lowers: [[dir("d"), file("d/h1", "shared", { mode: 0o640 }), hardlink("d/h2", "d/h1")]],
    ops: [
      { op: "append", path: "/d/h1", data: "+more" },
      { op: "read", path: "/d/h2" },
      { op: "chmod", path: "/d/h2", mode: 0o600 },
    ],
  },
  {
    name: "unlink one name of a lower hard-linked file, then change the other",
    lowers: [[file("h1", "shared"), hardlink("h2", "h1"), hardlink("h3", "h1")]],
    ops: [
      { op: "unlink", path: "/h1" },
      { op: "append", path: "/h2", data: "+2" },
      { op: "read", path: "/h3" },
    ],
  },
  {
    name: "rename between two names of one lower hard-linked file does nothing",
    lowers: [[file("h1", "shared"), hardlink("h2", "h1")]],
    ops: [
      { op: "rename", from: "/h1", to: "/h2" },
      { op: "readdir", path: "/", names: ["h1", "h2"] },
    ],
  },
  {
    name: "link a lower file copies it up; both names are one file",
    lowers: [[dir("d"), file("d/f", "data", { uid: 4, gid: 4 }), dir("other")]],
    ops: [
      { op: "link", from: "/d/f", to: "/other/g" },
      { op: "append", path: "/other/g", data: "+g" },
      { op: "read", path: "/d/f" },
      { op: "link", from: "/d/f", to: "/other/g", expect: "EEXIST" },
    ],
  },
  {
    name: "hard links of an upper file",
    lowers: [[dir("d")]],
    ops: [
      { op: "write", path: "/d/u", data: "upper" },
      { op: "link", from: "/d/u", to: "/d/v" },
      { op: "link", from: "/d/v", to: "/w" },
      { op: "append", path: "/w", data: "+w" },
      { op: "unlink", path: "/d/u" },
      { op: "read", path: "/d/v" },
    ],
  },
  {
    name: "link of a directory is EPERM; link of a symlink links the symlink",
    lowers: [[dir("d"), file("f", "f"), symlink("s", "f")]],
    ops: [
      { op: "link", from: "/d", to: "/d2", expect: "EPERM" },
      { op: "link", from: "/s", to: "/s2" },
      { op: "link", from: "/missing", to: "/m", expect: "ENOENT" },
    ],
  },

  // --- One lower layer: symlinks -------------------------------------------
  {
    name: "a relative symlink to a lower directory is followed for read and write",
    lowers: [
      [
        dir("usr"),
        dir("usr/lib", { mode: 0o755, uid: 2, gid: 2 }),
        file("usr/lib/libc.so", "libc"),
        symlink("lib", "usr/lib"),
      ],
    ],
    ops: [
      { op: "read", path: "/lib/libc.so" },
      { op: "write", path: "/lib/new.so", data: "new" },
      { op: "readdir", path: "/usr/lib", names: ["libc.so", "new.so"] },
      { op: "readdir", path: "/lib", names: ["libc.so", "new.so"] },
      { op: "unlink", path: "/lib/libc.so" },
      { op: "mkdir", path: "/lib/sub" },
      { op: "readdir", path: "/usr/lib", names: ["new.so", "sub"] },
    ],
  },
  {
    name: "relative symlinks with .. through lower directories",
    lowers: [
      [
        dir("a/b/c"),
        file("a/target", "t"),
        symlink("a/b/c/up", "../../target"),
        symlink("a/b/link", "c/up"),
      ],
    ],
    ops: [
      { op: "read", path: "/a/b/link" },
      { op: "append", path: "/a/b/c/up", data: "+" },
      { op: "read", path: "/a/target" },
    ],
  },
  {
    name: "absolute symlinks are kept as text; a lower one replaced by a new one",
    lowers: [
      [
        dir("bin"),
        file("bin/busybox", "\0asm"),
        symlink("bin/sh", "/bin/busybox"),
        symlink("bin/ls", "/bin/busybox"),
      ],
    ],
    ops: [
      { op: "unlink", path: "/bin/sh" },
      { op: "symlink", target: "/bin/ash", path: "/bin/sh" },
      { op: "symlink", target: "/etc/passwd", path: "/bin/ls", expect: "EEXIST" },
      { op: "rename", from: "/bin/ls", to: "/bin/list" },
      { op: "readdir", path: "/bin", names: ["busybox", "list", "sh"] },
    ],
  },
  {
    name: "a symlink loop is ELOOP",
    lowers: [[symlink("a", "b"), symlink("b", "a"), symlink("self", "self"), dir("d")]],
    ops: [
      { op: "read", path: "/a", expect: "ELOOP" },
      { op: "write", path: "/b", data: "x", expect: "ELOOP" },
      { op: "read", path: "/self", expect: "ELOOP" },
      { op: "read", path: "/a/x", expect: "ELOOP" },
      { op: "chmod", path: "/self", mode: 0o600, expect: "ELOOP" },
      { op: "mkdir", path: "/a", expect: "EEXIST" },
      { op: "unlink", path: "/a" },
      { op: "read", path: "/b", expect: "ENOENT" },
    ],
  },
  {
    name: "a chain of 40 symlinks is followed, 41 is ELOOP",
    lowers: [
      [
        file("end", "end"),
        ...Array.from({ length: 41 }, (_, i) => symlink(`s${i}`, i === 0 ? "end" : `s${i - 1}`)),
      ],
    ],
    ops: [
      { op: "read", path: "/s39" },
      { op: "read", path: "/s40", expect: "ELOOP" },
    ],
  },
  {
    name: "writing through a dangling lower symlink creates its target",
    lowers: [[dir("d"), symlink("d/link", "target.txt"), symlink("d/deep", "missing/f")]],
    ops: [
      { op: "write", path: "/d/link", data: "made" },
      { op: "read", path: "/d/target.txt" },
      { op: "write", path: "/d/deep", data: "x", expect: "ENOENT" },
    ],
  },
  {
    name: "O_EXCL create does not follow a dangling symlink",
    lowers: [[symlink("dangling", "target")]],
    ops: [
      { op: "create", path: "/dangling", expect: "EEXIST" },
      { op: "read", path: "/target", expect: "ENOENT" },
    ],
  },
  {
    name: "symlink over an existing name is EEXIST",
    lowers: [[file("f", "f"), dir("d")]],
    ops: [
      { op: "symlink", target: "x", path: "/f", expect: "EEXIST" },
      { op: "symlink", target: "x", path: "/d", expect: "EEXIST" },
      { op: "symlink", target: "f", path: "/d/link" },
      { op: "read", path: "/d/link", expect: "ENOENT" },
      { op: "symlink", target: "../f", path: "/d/up" },
      { op: "read", path: "/d/up" },
    ],
  },

  // --- Mode bits ------------------------------------------------------------
  {
    name: "setuid, setgid and sticky bits survive copy-up",
    lowers: [
      [
        file("bin/su", "su", { mode: 0o4755 }),
        file("bin/wall", "wall", { mode: 0o2755, gid: 5 }),
        dir("tmp", { mode: 0o1777 }),
        dir("shared", { mode: 0o3775, gid: 100 }),
        file("shared/doc", "doc", { gid: 100 }),
      ],
    ],
    ops: [
      { op: "append", path: "/bin/su", data: "+" },
      { op: "truncate", path: "/bin/wall", size: 2 },
      { op: "write", path: "/tmp/scratch", data: "s" },
      { op: "append", path: "/shared/doc", data: "+" },
      { op: "chmod", path: "/tmp", mode: 0o1770 },
    ],
  },
  {
    name: "chmod sets every mode bit of lower and upper objects",
    lowers: [[file("f", "f"), dir("d")]],
    ops: [
      { op: "chmod", path: "/f", mode: 0o7777 },
      { op: "chmod", path: "/d", mode: 0o1700 },
      { op: "write", path: "/u", data: "u" },
      { op: "chmod", path: "/u", mode: 0o0 },
      { op: "chmod", path: "/missing", mode: 0o644, expect: "ENOENT" },
    ],
  },
  {
    name: "create and mkdir apply the umask; mkdir keeps sticky but drops setuid and setgid",
    lowers: [[dir("d")]],
    ops: [
      { op: "create", path: "/d/suid", mode: 0o4777 },
      { op: "create", path: "/d/plain", mode: 0o640 },
      { op: "mkdir", path: "/d/sticky", mode: 0o1777 },
      { op: "mkdir", path: "/d/sgid", mode: 0o2777 },
      { op: "mkdir", path: "/d/all", mode: 0o7777 },
      { op: "mkfifo", path: "/d/fifo" },
    ],
  },
  {
    name: "files and directories made in a lower setgid directory take its group",
    lowers: [[dir("shared", { mode: 0o2775, uid: 0, gid: 100 })]],
    ops: [
      { op: "write", path: "/shared/f", data: "f" },
      { op: "mkdir", path: "/shared/sub" },
      { op: "symlink", target: "f", path: "/shared/link" },
      { op: "write", path: "/shared/sub/g", data: "g" },
    ],
  },

  // --- Two lower layers -----------------------------------------------------
  {
    name: "two layers: a whiteout in the top layer hides a file of the one below",
    lowers: [
      [dir("d"), whiteout("d/x"), file("d/top", "top")],
      [dir("d"), file("d/x", "bottom x"), file("d/y", "y")],
    ],
    ops: [
      { op: "readdir", path: "/d", names: ["top", "y"] },
      { op: "read", path: "/d/x", expect: "ENOENT" },
      { op: "unlink", path: "/d/x", expect: "ENOENT" },
      { op: "create", path: "/d/x" },
      { op: "append", path: "/d/x", data: "new x" },
      { op: "read", path: "/d/x" },
    ],
  },
  {
    name: "two layers: an opaque directory in the top layer hides the one below",
    lowers: [
      [dir("d", { opaque: true }), file("d/a", "a")],
      [dir("d"), file("d/b", "b"), dir("d/c"), file("d/c/deep", "deep")],
    ],
    ops: [
      { op: "readdir", path: "/d", names: ["a"] },
      { op: "read", path: "/d/b", expect: "ENOENT" },
      { op: "read", path: "/d/c/deep", expect: "ENOENT" },
      { op: "unlink", path: "/d/a" },
      { op: "rmdir", path: "/d" },
      { op: "mkdir", path: "/d" },
      { op: "readdir", path: "/d", names: [] },
    ],
  },
  {
    name: "two layers: a file in the top layer hides a directory of the one below",
    lowers: [[file("e", "a file")], [dir("e"), file("e/x", "x")]],
    ops: [
      { op: "read", path: "/e" },
      { op: "read", path: "/e/x", expect: "ENOTDIR" },
      { op: "unlink", path: "/e" },
      { op: "read", path: "/e/x", expect: "ENOENT" },
      { op: "mkdir", path: "/e" },
      { op: "readdir", path: "/e", names: [] },
    ],
  },
  {
    name: "two layers: a directory in the top layer over a file of the one below",
    lowers: [[dir("f"), file("f/a", "a")], [file("f", "bottom file")]],
    ops: [
      { op: "readdir", path: "/f", names: ["a"] },
      { op: "rmdir", path: "/f", expect: "ENOTEMPTY" },
      { op: "unlink", path: "/f/a" },
      { op: "rmdir", path: "/f" },
      { op: "read", path: "/f", expect: "ENOENT" },
      { op: "readdir", path: "/", names: [] },
    ],
  },
  {
    name: "two layers: a merged directory takes mode and owner from the top layer",
    lowers: [
      [dir("d", { mode: 0o700, uid: 5, gid: 6 }), file("d/a", "a")],
      [dir("d", { mode: 0o755 }), file("d/b", "b", { mode: 0o600, uid: 1, gid: 1 })],
    ],
    ops: [
      { op: "readdir", path: "/d", names: ["a", "b"] },
      { op: "append", path: "/d/b", data: "+" },
      { op: "chmod", path: "/d", mode: 0o750 },
    ],
  },
  {
    name: "two layers: rmdir of a merged directory needs both layers' entries gone",
    lowers: [
      [dir("d"), file("d/a", "a")],
      [dir("d"), file("d/b", "b")],
    ],
    ops: [
      { op: "unlink", path: "/d/a" },
      { op: "rmdir", path: "/d", expect: "ENOTEMPTY" },
      { op: "unlink", path: "/d/b" },
      { op: "readdir", path: "/d", names: [] },
      { op: "rmdir", path: "/d" },
      { op: "mkdir", path: "/d" },
      { op: "readdir", path: "/d", names: [] },
    ],
  },
  {
    name: "two layers: rename a merged directory and back",
    lowers: [
      [dir("d"), file("d/a", "a")],
      [dir("d"), file("d/b", "b"), dir("d/s"), file("d/s/c", "c")],
    ],
    ops: [
      { op: "rename", from: "/d", to: "/m" },
      { op: "readdir", path: "/m", names: ["a", "b", "s"] },
      { op: "readdir", path: "/m/s", names: ["c"] },
      { op: "write", path: "/m/n", data: "n" },
      { op: "read", path: "/d/b", expect: "ENOENT" },
      { op: "rename", from: "/m", to: "/d" },
      { op: "readdir", path: "/d", names: ["a", "b", "n", "s"] },
    ],
  },
  {
    name: "two layers: a directory of the top takes new names after the bottom's subdirectories leave",
    lowers: [[dir("usr")], [dir("usr"), dir("usr/bin"), dir("usr/lib"), dir("usr/share")]],
    ops: [
      { op: "rmdir", path: "/usr/bin" },
      { op: "rename", from: "/usr/lib", to: "/lib" },
      { op: "write", path: "/usr/x", data: "x" },
      { op: "readdir", path: "/usr", names: ["share", "x"] },
    ],
  },
  {
    name: "two layers: rename a file of the bottom layer into a directory of the top",
    lowers: [
      [dir("top"), file("top/t", "t")],
      [dir("bottom"), file("bottom/f", "f", { uid: 2 })],
    ],
    ops: [
      { op: "rename", from: "/bottom/f", to: "/top/f" },
      { op: "readdir", path: "/bottom", names: [] },
      { op: "readdir", path: "/top", names: ["f", "t"] },
      { op: "rename", from: "/top/t", to: "/bottom/t" },
    ],
  },
  {
    name: "two layers: a hard link in the bottom layer, one name hidden by the top",
    lowers: [[whiteout("h1")], [file("h1", "shared"), hardlink("h2", "h1"), hardlink("h3", "h1")]],
    ops: [
      { op: "read", path: "/h1", expect: "ENOENT" },
      { op: "append", path: "/h2", data: "+" },
      { op: "read", path: "/h3" },
      { op: "write", path: "/h1", data: "new" },
    ],
  },
  {
    name: "two layers: a whiteout in a directory only the top layer has",
    lowers: [[dir("only"), whiteout("only/gone"), file("only/kept", "k")], [file("other", "o")]],
    ops: [
      { op: "readdir", path: "/only", names: ["kept"] },
      { op: "read", path: "/only/gone", expect: "ENOENT" },
      { op: "write", path: "/only/gone", data: "back" },
      { op: "readdir", path: "/only", names: ["gone", "kept"] },
    ],
  },
  {
    name: "two layers: rename over a name the top layer whites out",
    lowers: [
      [dir("d"), whiteout("d/x"), file("d/y", "y")],
      [dir("d"), file("d/x", "hidden")],
    ],
    ops: [
      { op: "rename", from: "/d/y", to: "/d/x" },
      { op: "read", path: "/d/x" },
      { op: "readdir", path: "/d", names: ["x"] },
    ],
  },
  {
    name: "two layers: symlink in the top layer to a directory of the bottom",
    lowers: [[symlink("etc", "usr/etc")], [dir("usr/etc"), file("usr/etc/conf", "c")]],
    ops: [
      { op: "read", path: "/etc/conf" },
      { op: "write", path: "/etc/conf", data: "changed" },
      { op: "readdir", path: "/etc", names: ["conf"] },
      { op: "rmdir", path: "/etc", expect: "ENOTDIR" },
      { op: "unlink", path: "/etc" },
      { op: "read", path: "/usr/etc/conf" },
    ],
  },

  // --- Three lower layers ---------------------------------------------------
  {
    name: "three layers merge one directory; rmdir once all are gone",
    lowers: [
      [dir("d"), file("d/a", "a")],
      [dir("d"), file("d/b", "b")],
      [dir("d"), file("d/c", "c"), file("d/a", "bottom a")],
    ],
    ops: [
      { op: "readdir", path: "/d", names: ["a", "b", "c"] },
      { op: "read", path: "/d/a" },
      { op: "unlink", path: "/d/b" },
      { op: "readdir", path: "/d", names: ["a", "c"] },
      { op: "rmdir", path: "/d", expect: "ENOTEMPTY" },
      { op: "unlink", path: "/d/a" },
      { op: "read", path: "/d/a", expect: "ENOENT" },
      { op: "unlink", path: "/d/c" },
      { op: "rmdir", path: "/d" },
      { op: "readdir", path: "/", names: [] },
    ],
  },
  {
    name: "three layers: a whiteout in the middle layer",
    lowers: [
      [dir("d"), file("d/a", "a")],
      [dir("d"), whiteout("d/c")],
      [dir("d"), file("d/c", "c"), file("d/e", "e")],
    ],
    ops: [
      { op: "readdir", path: "/d", names: ["a", "e"] },
      { op: "read", path: "/d/c", expect: "ENOENT" },
      { op: "mkdir", path: "/d/c" },
      { op: "readdir", path: "/d/c", names: [] },
    ],
  },
  {
    name: "three layers: an opaque directory in the middle layer",
    lowers: [
      [dir("d"), file("d/a", "a")],
      [dir("d", { opaque: true }), file("d/b", "b")],
      [dir("d"), file("d/c", "c"), dir("d/sub"), file("d/sub/x", "x")],
    ],
    ops: [
      { op: "readdir", path: "/d", names: ["a", "b"] },
      { op: "read", path: "/d/c", expect: "ENOENT" },
      { op: "mkdir", path: "/d/sub" },
      { op: "readdir", path: "/d/sub", names: [] },
    ],
  },
  {
    name: "three layers: an opaque directory in the top layer hides both below",
    lowers: [
      [dir("d", { opaque: true, mode: 0o700 })],
      [dir("d"), file("d/b", "b")],
      [dir("d"), file("d/c", "c")],
    ],
    ops: [
      { op: "readdir", path: "/d", names: [] },
      { op: "rmdir", path: "/d" },
      { op: "readdir", path: "/", names: [] },
    ],
  },
  {
    name: "three layers: a top directory over a middle file over a bottom directory",
    lowers: [
      [dir("x"), file("x/top", "t")],
      [file("x", "middle file")],
      [dir("x"), file("x/bottom", "b")],
    ],
    ops: [
      { op: "readdir", path: "/x", names: ["top"] },
      { op: "read", path: "/x/bottom", expect: "ENOENT" },
      { op: "rename", from: "/x", to: "/y" },
      { op: "readdir", path: "/y", names: ["top"] },
    ],
  },
  {
    name: "three layers: a whiteout in the top hides a file and a directory below",
    lowers: [
      [whiteout("x"), whiteout("y")],
      [file("x", "middle")],
      [dir("x"), file("x/f", "f"), dir("y"), file("y/g", "g")],
    ],
    ops: [
      { op: "read", path: "/x", expect: "ENOENT" },
      { op: "read", path: "/y/g", expect: "ENOENT" },
      { op: "readdir", path: "/", names: [] },
      { op: "mkdir", path: "/y" },
      { op: "readdir", path: "/y", names: [] },
    ],
  },
  {
    name: "three layers: copy-up of a bottom file through directories of all three",
    lowers: [
      [dir("a", { mode: 0o711, uid: 1, gid: 1 })],
      [dir("a/b", { mode: 0o750, uid: 2, gid: 2 }), dir("a", { mode: 0o700 })],
      [dir("a/b/c", { mode: 0o755, uid: 3, gid: 3 }), file("a/b/c/f", "bottom", { uid: 4 })],
    ],
    ops: [
      { op: "append", path: "/a/b/c/f", data: "+top" },
      { op: "read", path: "/a/b/c/f" },
      { op: "chown", path: "/a/b/c/f", uid: 8, gid: 8 },
    ],
  },
  {
    name: "three layers: rename a directory merged from all three",
    lowers: [
      [dir("d"), file("d/a", "a")],
      [dir("d"), file("d/b", "b"), whiteout("d/z")],
      [dir("d"), file("d/c", "c"), file("d/z", "z")],
    ],
    ops: [
      { op: "rename", from: "/d", to: "/e" },
      { op: "readdir", path: "/e", names: ["a", "b", "c"] },
      { op: "mkdir", path: "/d" },
      { op: "readdir", path: "/d", names: [] },
      { op: "unlink", path: "/e/c" },
      { op: "write", path: "/d/x", data: "x" },
      { op: "rename", from: "/e", to: "/d", expect: "ENOTEMPTY" },
      { op: "unlink", path: "/d/x" },
      { op: "rename", from: "/e", to: "/d" },
      { op: "readdir", path: "/d", names: ["a", "b"] },
      { op: "read", path: "/d/z", expect: "ENOENT" },
    ],
  },
  {
    name: "three layers: hard links in the middle layer",
    lowers: [
      [file("other", "o")],
      [dir("d"), file("d/h1", "middle"), hardlink("d/h2", "d/h1")],
      [dir("d"), file("d/h1", "bottom h1")],
    ],
    ops: [
      { op: "read", path: "/d/h1" },
      { op: "write", path: "/d/h2", data: "rewritten" },
      { op: "read", path: "/d/h1" },
      { op: "link", from: "/d/h1", to: "/h3" },
    ],
  },
  {
    name: "three layers: symlinks across layers, relative and dangling",
    lowers: [
      [symlink("bin", "usr/bin"), symlink("usr/bin/sh", "busybox")],
      [dir("usr/bin"), symlink("usr/bin/ls", "busybox")],
      [dir("usr/bin"), file("usr/bin/busybox", "bb", { mode: 0o755 }), symlink("gone", "nowhere")],
    ],
    ops: [
      { op: "read", path: "/bin/sh" },
      { op: "read", path: "/bin/ls" },
      { op: "readdir", path: "/bin", names: ["busybox", "ls", "sh"] },
      { op: "read", path: "/gone", expect: "ENOENT" },
      { op: "chmod", path: "/bin/sh", mode: 0o700 },
    ],
  },
  {
    name: "three layers: a deep path whose parents come from different layers",
    lowers: [
      [dir("a/b/c/d/e"), file("a/b/c/d/e/top", "t")],
      [dir("a/b/c", { mode: 0o700 }), file("a/b/c/mid", "m")],
      [dir("a", { mode: 0o750 }), file("a/b/c/d/e/f/bottom", "b")],
    ],
    ops: [
      { op: "readdir", path: "/a/b/c/d/e", names: ["f", "top"] },
      { op: "write", path: "/a/b/c/d/e/f/bottom", data: "changed" },
      { op: "rename", from: "/a/b/c/mid", to: "/a/b/c/d/e/f/mid" },
      { op: "readdir", path: "/a/b/c/d/e/f", names: ["bottom", "mid"] },
    ],
  },
  {
    name: "three layers: a whiteout in a directory only the middle layer has",
    lowers: [
      [file("top", "t")],
      [dir("mid"), whiteout("mid/wh"), file("mid/f", "f")],
      [file("bottom", "b")],
    ],
    ops: [
      { op: "readdir", path: "/mid", names: ["f"] },
      { op: "read", path: "/mid/wh", expect: "ENOENT" },
      { op: "rmdir", path: "/mid", expect: "ENOTEMPTY" },
      { op: "unlink", path: "/mid/f" },
      { op: "rmdir", path: "/mid" },
    ],
  },
  {
    name: "a trailing slash on a new name asks for a directory",
    lowers: [[file("f", "f"), dir("d")]],
    ops: [
      { op: "rename", from: "/f", to: "/g/", expect: "ENOTDIR" },
      { op: "rename", from: "/d", to: "/e/" },
      { op: "symlink", target: "f", path: "/s/", expect: "ENOENT" },
      { op: "link", from: "/f", to: "/l/", expect: "ENOENT" },
      { op: "mkfifo", path: "/p/", expect: "ENOENT" },
      { op: "write", path: "/w/", data: "x", expect: "EISDIR" },
      { op: "mkdir", path: "/m/" },
      { op: "readdir", path: "/", names: ["e", "f", "m"] },
    ],
  },
];
