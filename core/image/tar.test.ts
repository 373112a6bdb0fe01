import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmod,
  chown,
  link,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  symlink,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildLayer, type PackEntry } from "./layer.ts";
import { readTar, writeTar } from "./tar.ts";

/** A minimal ustar archive of the given entries (name, typeflag, body, linkname). */
function tar(
  entries: Array<{ name: string; type?: string; body?: string; link?: string }>,
): Uint8Array {
  const blocks: Uint8Array[] = [];
  const enc = new TextEncoder();
  for (const e of entries) {
    const body = enc.encode(e.body ?? "");
    const h = new Uint8Array(512);
    const put = (offset: number, s: string) => h.set(enc.encode(s), offset);
    put(0, e.name);
    put(100, "0000644\0");
    put(108, "0000000\0");
    put(116, "0000000\0");
    put(124, body.length.toString(8).padStart(11, "0") + "\0");
    put(136, "00000000000\0");
    put(156, e.type ?? "0");
    put(157, e.link ?? "");
    put(257, "ustar\0");
    put(263, "00");
    put(148, "        ");
    const sum = h.reduce((a, b) => a + b, 0);
    put(148, sum.toString(8).padStart(6, "0") + "\0 ");
    blocks.push(h, new Uint8Array(Math.ceil(body.length / 512) * 512).fill(0));
    blocks[blocks.length - 1]!.set(body);
  }
  blocks.push(new Uint8Array(1024));
  const out = new Uint8Array(blocks.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of blocks) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

describe("tar to layer", () => {
  it("turns OCI whiteouts into whiteout entries and opaque directories", async () => {
    const layer = await buildLayer(
      readTar(
        tar([
          { name: "etc/", type: "5" },
          { name: "etc/.wh.motd" },
          { name: "var/.wh..wh..opq" },
          { name: "var/new", body: "x" },
        ]),
      ),
    );
    expect(layer.index.entries.map((e) => [e.path, e.type, e.opaque ?? false])).toEqual([
      ["etc", "directory", false],
      ["etc/motd", "whiteout", false],
      ["var", "directory", true],
      ["var/new", "file", false],
    ]);
  });

  it.each([
    ["a path with ..", [{ name: "../escape", body: "x" }], /escapes the root/],
    ["an absolute path", [{ name: "/etc/passwd", body: "x" }], /absolute path/],
    [
      "a hard link out of the layer",
      [{ name: "h", type: "1", link: "../../etc/shadow" }],
      /escapes the root/,
    ],
    [
      "a hard link to a missing file",
      [{ name: "h", type: "1", link: "nothing" }],
      /not a file of this layer/,
    ],
  ])("refuses %s, building nothing", async (_what, entries, message) => {
    await expect(buildLayer(readTar(tar(entries)))).rejects.toThrow(message);
  });

  it("refuses what is not a tar archive", () => {
    expect(() => readTar(new TextEncoder().encode("not a tar".padEnd(600, "!")))).toThrow(
      /not a tar archive/,
    );
  });
});

describe("hard links in a layer", () => {
  it("put the data under the first name in layer order, whatever the source's order", async () => {
    // In the tar, "z" holds the data and "a" links to it; "a" sorts first.
    const layer = await buildLayer(
      readTar(
        tar([
          { name: "z", body: "shared" },
          { name: "a", type: "1", link: "z" },
        ]),
      ),
    );
    expect(layer.index.entries.map((e) => [e.path, e.type, e.target ?? e.size])).toEqual([
      ["a", "file", 6],
      ["z", "hardlink", "a"],
    ]);
  });
});

const enc = new TextEncoder();
const T = 1_700_000_000;
/** Fits ustar only split into prefix and name. */
const PATH_150 = `deep/${"a".repeat(60)}/${"b".repeat(84)}`;
/** Fits no ustar header: needs a pax path. */
const PATH_300 = `deep/${"c".repeat(99)}/${"c".repeat(99)}/${"f".repeat(95)}`;
const TARGET_200 = `/opt/${"t".repeat(195)}`;
/** 41 characters but 121 bytes of UTF-8: fits ustar's name in characters, not in bytes. */
const WIDE = `日本/${"語".repeat(39)}`;
const NINE_MIB = new Uint8Array(9 * 1024 * 1024).map((_, i) => (i * 7) & 0xff);

function entry(path: string, type: PackEntry["type"], more: Partial<PackEntry> = {}): PackEntry {
  const mode = type === "directory" ? 0o755 : type === "symlink" ? 0o777 : 0o644;
  return { path, type, mode, uid: 0, gid: 0, mtime: T, ...more };
}

/** Every kind of entry, parents before children. */
const EVERY_KIND: PackEntry[] = [
  entry("etc", "directory"),
  entry("etc/passwd", "file", { data: enc.encode("root:x:0:0::/root:/bin/sh\n") }),
  entry("etc/passwd-", "hardlink", { target: "etc/passwd" }),
  entry("etc/shadow", "file", { mode: 0o640, gid: 42, data: enc.encode("root:*::\n") }),
  entry("etc/localtime", "symlink", { target: "/usr/share/zoneinfo/UTC" }),
  entry("etc/motd", "whiteout", { mode: 0 }),
  entry("var", "directory", { mode: 0o750, opaque: true }),
  entry("var/big", "file", { mode: 0o600, uid: 3_000_000, gid: 3_000_001, data: NINE_MIB }),
  entry("dev", "directory"),
  entry("dev/null", "chardev", { mode: 0o666, rdev: (1 << 8) | 3 }),
  entry("dev/sda1", "blockdev", { mode: 0o660, gid: 6, rdev: (8 << 8) | 1 }),
  entry("run", "directory"),
  entry("run/initctl", "fifo", { mode: 0o600 }),
  entry("bin", "directory"),
  entry("bin/su", "file", { mode: 0o4755, data: enc.encode("#!/bin/sh\n") }),
  entry("bin/empty", "file", { data: new Uint8Array(0) }),
  entry(PATH_150, "file", { data: enc.encode("150") }),
  entry(PATH_300, "file", { data: enc.encode("300") }),
  entry("lib", "directory"),
  entry("lib/far", "symlink", { target: TARGET_200 }),
  entry("home/josé", "directory", { uid: 1000, gid: 1000 }),
  entry("home/josé/naïve ✓.txt", "file", { uid: 1000, gid: 1000, data: enc.encode("é") }),
  entry(WIDE, "file", { data: enc.encode("wide") }),
  entry("old", "file", { mtime: -1, data: enc.encode("1969") }),
  // Past ustar's 11 octal digits, before ext4's limit in 2446.
  entry("future", "file", { mtime: 2 ** 33, data: enc.encode("2242") }),
];

/** Entries with file data replaced by its digest, so that 9 MiB compare quickly. */
function digested(entries: PackEntry[]): unknown[] {
  return entries.map(({ data, ...rest }) =>
    data ? { ...rest, data: createHash("sha256").update(data).digest("hex") } : rest,
  );
}

/** GNU tar names things "./a"; writeTar writes "a". */
function relative(entries: PackEntry[]): PackEntry[] {
  const strip = (p: string) => p.replace(/^(\.\/)+/, "");
  return entries.map((e) => ({
    ...e,
    path: strip(e.path),
    ...(e.type === "hardlink" ? { target: strip(e.target!) } : {}),
  }));
}

async function inTmpDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "overbox-tar-"));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function gnuTar(args: string[]): Buffer {
  return execFileSync("tar", args, {
    maxBuffer: 1 << 30,
    env: { ...process.env, LC_ALL: "C.UTF-8" },
  });
}

describe("writeTar", () => {
  it("is read back by readTar as the same entries, for every kind of entry", () => {
    expect(digested(readTar(writeTar(EVERY_KIND)))).toEqual(digested(EVERY_KIND));
  });

  it("gives the same bytes for the same entries", () => {
    // Buffer.equals: toEqual walks 9 MiB element by element.
    expect(Buffer.from(writeTar(EVERY_KIND)).equals(writeTar(EVERY_KIND))).toBe(true);
  });

  it("ends with two zero blocks and rounds file data up to whole blocks", () => {
    const archive = writeTar([entry("a", "file", { data: enc.encode("x") })]);
    expect(archive.length).toBe(512 + 512 + 1024);
    expect(archive.subarray(1024).every((b) => b === 0)).toBe(true);
  });

  it("writes a ustar header with a valid checksum and a trailing slash on directories", () => {
    const h = writeTar([entry("etc", "directory")]).subarray(0, 512);
    const text = (from: number, length: number) =>
      new TextDecoder().decode(h.subarray(from, from + length));
    expect(text(0, 5)).toBe("etc/\0");
    expect(text(156, 1)).toBe("5");
    expect(text(257, 8)).toBe("ustar\u000000");
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
    expect(parseInt(text(148, 6), 8)).toBe(sum);
  });

  it("fits a 150-character path in ustar's prefix and name, without a pax header", () => {
    const archive = writeTar([entry(PATH_150, "file")]);
    expect(archive.length).toBe(512 + 1024);
    expect(readTar(archive)[0]!.path).toBe(PATH_150);
  });

  it("adds a pax header only for what ustar cannot hold", () => {
    const headers = (e: PackEntry) => writeTar([e]).length / 512 - 2;
    expect(headers(entry("a", "file", { uid: 0o7777777 }))).toBe(1);
    expect(headers(entry("a", "file", { uid: 0o7777777 + 1 }))).toBe(3); // x, its body, the entry
    expect(headers(entry("a", "symlink", { target: "t".repeat(100) }))).toBe(1);
    expect(headers(entry("a", "symlink", { target: "t".repeat(101) }))).toBe(3);
    expect(headers(entry("a", "file", { mtime: -1 }))).toBe(3);
    expect(headers(entry(WIDE, "file"))).toBe(3);
  });

  it("writes paths relative, without a leading / or ./", () => {
    const back = readTar(
      writeTar([
        entry("/abs/file", "file"),
        entry("./rel/file", "file"),
        entry("h", "hardlink", { target: "/abs/file" }),
      ]),
    );
    expect(back.map((e) => [e.path, e.target])).toEqual([
      ["abs/file", undefined],
      ["rel/file", undefined],
      ["h", "abs/file"],
    ]);
  });

  it("writes a whiteout as an empty .wh. file and an opaque directory's marker after it", () => {
    const archive = writeTar([entry("d", "directory", { opaque: true }), entry("d/x", "whiteout")]);
    const names = listNames(archive);
    expect(names).toEqual(["d/", "d/.wh..wh..opq", "d/.wh.x"]);
  });

  it.each([
    ["a path with ..", entry("a/../../b", "file"), /escapes the root/],
    ["an empty path", entry("./", "file"), /empty path/],
    ["a name reserved for whiteouts", entry("a/.wh.b", "file"), /reserved/],
    ["a negative owner", entry("a", "file", { uid: -1 }), /does not fit/],
  ])("refuses %s", (_what, e, message) => {
    expect(() => writeTar([e])).toThrow(message);
  });
});

/** The names of an archive's entries, as GNU tar lists them. */
function listNames(archive: Uint8Array): string[] {
  return execFileSync("tar", ["-tf", "-"], { input: archive, encoding: "utf8" })
    .split("\n")
    .filter((l) => l !== "");
}

describe("writeTar and GNU tar", () => {
  it("extracts as root with every mode, owner, content, link and special file", async () => {
    await inTmpDir(async (tmp) => {
      const archive = join(tmp, "layer.tar");
      const root = join(tmp, "root");
      await mkdir(root);
      await writeFile(archive, writeTar(EVERY_KIND));
      // The fixture holds mtimes before 1970 and far in the future on purpose.
      gnuTar(["-xpf", archive, "-C", root, "--numeric-owner", "--warning=no-timestamp"]);

      for (const e of EVERY_KIND) {
        if (e.type === "whiteout") continue;
        const path = join(root, e.path);
        const st = await lstat(path);
        expect([e.path, st.uid, st.gid]).toEqual([e.path, e.uid, e.gid]);
        if (e.type !== "symlink") {
          expect([e.path, (st.mode & 0o7777).toString(8)]).toEqual([e.path, e.mode.toString(8)]);
          expect([e.path, Math.floor(st.mtimeMs / 1000)]).toEqual([e.path, e.mtime]);
        }
        const kind = {
          file: st.isFile(),
          hardlink: st.isFile(),
          directory: st.isDirectory(),
          symlink: st.isSymbolicLink(),
          fifo: st.isFIFO(),
          chardev: st.isCharacterDevice(),
          blockdev: st.isBlockDevice(),
        }[e.type];
        expect([e.path, kind]).toEqual([e.path, true]);
        if (e.type === "file") expect((await readFile(path)).equals(e.data!)).toBe(true);
        if (e.type === "symlink") expect(await readlink(path)).toBe(e.target);
        if (e.type === "hardlink") expect(st.ino).toBe((await lstat(join(root, e.target!))).ino);
        if (e.type === "chardev" || e.type === "blockdev") expect(st.rdev).toBe(e.rdev);
      }
      for (const marker of ["etc/.wh.motd", "var/.wh..wh..opq"]) {
        const st = await lstat(join(root, marker));
        expect([marker, st.isFile(), st.size]).toEqual([marker, true, 0]);
      }
      expect(await readdir(root)).not.toContain("PaxHeaders");

      const listing = gnuTar(["-tvf", archive]).toString("utf8");
      for (const name of [PATH_150, PATH_300, TARGET_200, WIDE, "home/josé/naïve ✓.txt"]) {
        expect(listing).toContain(name);
      }
    });
  });

  it.each(["pax", "gnu"])(
    "writes back what it reads from GNU tar's %s format, for every kind of entry",
    async (format) => {
      await inTmpDir(async (tmp) => {
        const d = join(tmp, "tree");
        const deep = join(d, PATH_300.slice(0, PATH_300.lastIndexOf("/")));
        await mkdir(deep, { recursive: true });
        await writeFile(join(d, PATH_300), "300");
        await mkdir(join(d, "sub"));
        await writeFile(join(d, "sub/file"), "hello");
        await chmod(join(d, "sub/file"), 0o4750);
        await chown(join(d, "sub/file"), 3_000_000, 42);
        await link(join(d, "sub/file"), join(d, "sub/hard"));
        await symlink("sub/file", join(d, "short"));
        await symlink(TARGET_200, join(d, "far"));
        await writeFile(join(d, "naïve ✓"), "é");
        execFileSync("mkfifo", [join(d, "fifo")]);
        execFileSync("mknod", [join(d, "null"), "c", "1", "3"]);
        execFileSync("mknod", [join(d, "sda1"), "b", "8", "1"]);

        const archive = new Uint8Array(
          gnuTar(["-cf", "-", "--numeric-owner", `--format=${format}`, "-C", d, "."]),
        );
        const read = readTar(archive);
        expect(new Set(read.map((e) => e.type))).toEqual(
          new Set(["directory", "file", "hardlink", "symlink", "fifo", "chardev", "blockdev"]),
        );
        expect(read.map((e) => e.path)).toContain(`./${PATH_300}`);
        expect(readTar(writeTar(read))).toEqual(relative(read));
      });
    },
  );
});
