/**
 * Runs every scenario of scenarios.ts twice: on Linux overlayfs (`mount -t
 * overlay` over real directories, as root) and on ours (layers built with
 * buildLayer, operations made through a Process), then compares what each
 * operation answered and the merged trees. Linux is the reference; where
 * core/overlay/README.md says ours is better, Linux's overlay is mounted
 * with the options that make it as good (MOUNT_OPTIONS).
 *
 * Without root or overlayfs the comparison is skipped, saying why; the
 * scenarios' stated expectations are still checked against ours.
 */
import { execFileSync, spawnSync } from "node:child_process";
import {
  appendFileSync,
  chmodSync,
  closeSync,
  constants,
  lchownSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmdirSync,
  rmSync,
  symlinkSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
  writeSync,
  type Stats,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildLayer, type PackEntry } from "../image/layer.ts";
import { LayerFilesystem } from "../image/layer-fs.ts";
import { readTar, writeTar } from "../image/tar.ts";
import { upperEntries } from "../container/export.ts";
import { MemoryStore } from "../store/memory.ts";
import type { FileType, Filesystem } from "../vfs/filesystem.ts";
import { fnv1a } from "../testing/tree.ts";
import {
  applyOperation,
  contentSummary,
  operator,
  outcomeOf,
  type Outcome,
} from "../testing/operations.ts";
import { OverlayFilesystem } from "./overlay.ts";
import { scenarios, type LowerEntry, type Operation, type Scenario } from "../testing/scenarios.ts";

/**
 * How Linux's overlay is mounted, chosen to behave as ours is meant to
 * (core/overlay/README.md, "Semantics"):
 *  - redirect_dir=on: renaming a lower or merged directory works (the upper
 *    copy records where its lower part lives); without it rename(2) answers
 *    EXDEV and `mv` falls back to copying.
 *  - index=on: copy-up of one name of a lower hard-linked file keeps the
 *    other names linked to the copy; without it the link breaks and the
 *    other names go on showing the old data.
 *  - metacopy=off: chmod and chown copy up the data too. Invisible in the
 *    merged tree; set so that the module's default does not matter.
 * xino is left alone: every layer lives in one mkdtemp directory on one
 * filesystem, so the real inode numbers are already unique.
 */
const MOUNT_OPTIONS = "redirect_dir=on,index=on,metacopy=off";
/** Both sides create files with this umask (Process's default). */
const UMASK = 0o022;
/** The mtime of every lower entry (times are not compared). */
const MTIME = 1_700_000_000;

const unavailable = whyNoLinuxOverlay();
if (unavailable !== null) {
  console.warn(`core/overlay/linux.test.ts: NOT comparing with Linux overlayfs: ${unavailable}`);
}

describe("overlay scenarios: ours answers what the scenarios expect (as Linux does)", () => {
  for (const scenario of scenarios) {
    it(scenario.name, async () => {
      const ours = await runOurs(scenario);
      scenario.ops.forEach((op, i) => checkExpectation(scenario, op, i, ours.outcomes[i]!, "ours"));
      expect
        .soft(lines(ours.reapplied), `${scenario.name}: our exported OCI layer over the lowers`)
        .toEqual(lines(ours.tree));
    });
  }
});

describe.skipIf(unavailable !== null)("overlay scenarios: the same as Linux overlayfs", () => {
  for (const scenario of scenarios) {
    it(scenario.name, async () => {
      const linux = runLinux(scenario);
      const ours = await runOurs(scenario);
      scenario.ops.forEach((op, i) => {
        checkExpectation(scenario, op, i, linux.outcomes[i]!, "Linux");
        expect
          .soft(ours.outcomes[i], `${scenario.name}: op ${i} ${show(op)}: ours vs Linux`)
          .toEqual(linux.outcomes[i]);
      });
      expect
        .soft(lines(ours.tree), `${scenario.name}: merged tree, ours vs Linux`)
        .toEqual(lines(linux.tree));
    });
  }
});

function checkExpectation(
  scenario: Scenario,
  op: Operation,
  i: number,
  outcome: Outcome,
  side: string,
): void {
  const where = `${scenario.name}: op ${i} ${show(op)} (${side})`;
  expect.soft(outcome.result, where).toBe(op.expect ?? "ok");
  if (op.op === "readdir" && op.names && outcome.result === "ok") {
    expect.soft(outcome.output, `${where}: names`).toBe(op.names.join(" "));
  }
}

function show(op: Operation): string {
  return JSON.stringify(op, (_k, v: unknown) =>
    typeof v === "string" && v.length > 40 ? `${v.slice(0, 12)}…(${v.length})` : v,
  );
}

function lines(tree: Map<string, string>): string[] {
  return [...tree].map(([path, line]) => `${path}: ${line}`);
}

// --- The tree description, shared by both sides ------------------------------

interface Node {
  type: FileType;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Equal for names of one inode (hard links). */
  identity: string;
  content?: () => Uint8Array;
  target?: string;
  children?: () => Array<[string, Node]>;
}

/**
 * One line per path: `type mode uid:gid size hash`, the hash being the
 * content's for a file and `-> target` for a symlink. Directory sizes
 * differ by filesystem and show as "-"; a symlink's mode is not shown. A
 * later name of an inode already described ends in `= first name`.
 */
function describeNodes(root: Node): Map<string, string> {
  const out = new Map<string, string>();
  const firstName = new Map<string, string>();
  const walk = (node: Node, prefix: string) => {
    const children = node.children!().sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [name, n] of children) {
      const path = `${prefix}/${name}`;
      const mode = n.type === "symlink" ? "" : n.mode.toString(8).padStart(4, "0");
      const size = n.type === "directory" ? "-" : String(n.size);
      const what = n.content ? fnv1a(n.content()) : n.target !== undefined ? `-> ${n.target}` : "-";
      let line = `${n.type} ${mode} ${n.uid}:${n.gid} ${size} ${what}`;
      if (n.type !== "directory") {
        const first = firstName.get(n.identity);
        if (first === undefined) firstName.set(n.identity, path);
        else line += ` = ${first}`;
      }
      out.set(path, line);
      if (n.type === "directory") walk(n, path);
    }
  };
  walk(root, "");
  return out;
}

// --- Linux overlayfs ------------------------------------------------------------

function whyNoLinuxOverlay(): string | null {
  if (process.platform !== "linux") return `this is ${process.platform}, not Linux`;
  if (process.getuid?.() !== 0) return "not root (mount -t overlay needs CAP_SYS_ADMIN)";
  const tools: Array<[string, string]> = [
    ["mount", "mount"],
    ["mknod", "coreutils"],
    ["mkfifo", "coreutils"],
    ["setfattr", "attr"],
  ];
  for (const [tool, pkg] of tools) {
    if (spawnSync(tool, ["--version"], { stdio: "ignore" }).error) {
      return `${tool} is not installed (Debian package ${pkg})`;
    }
  }
  const base = mkdtempSync(join(tmpdir(), "overbox-ovl-probe-"));
  try {
    for (const d of ["lower", "upper", "work", "merged"]) mkdirSync(join(base, d));
    execFileSync("setfattr", ["-n", "trusted.overlay.opaque", "-v", "y", join(base, "lower")]);
    mountOverlay(base, [join(base, "lower")]);
    execFileSync("umount", [join(base, "merged")]);
    return null;
  } catch (e) {
    const stderr = (e as { stderr?: Buffer }).stderr?.toString().trim();
    return `mount -t overlay -o ${MOUNT_OPTIONS} failed: ${stderr || String(e)}`;
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

function mountOverlay(base: string, lowers: string[]): void {
  const options = `lowerdir=${lowers.join(":")},upperdir=${join(base, "upper")},workdir=${join(base, "work")},${MOUNT_OPTIONS}`;
  execFileSync("mount", ["-t", "overlay", "overlay", "-o", options, join(base, "merged")], {
    stdio: ["ignore", "ignore", "pipe"],
  });
}

function runLinux(scenario: Scenario): { outcomes: Outcome[]; tree: Map<string, string> } {
  const base = mkdtempSync(join(tmpdir(), "overbox-ovl-"));
  const merged = join(base, "merged");
  const umask = process.umask(UMASK);
  let mounted = false;
  try {
    const lowers = scenario.lowers.map((entries, i) => {
      const dir = join(base, `lower${i}`);
      mkdirSync(dir);
      writeLowerDir(dir, entries);
      return dir;
    });
    for (const d of ["upper", "work", "merged"]) mkdirSync(join(base, d));
    chmodSync(join(base, "upper"), 0o755); // the merged root's mode comes from the upper root
    mountOverlay(base, lowers);
    mounted = true;
    const outcomes = scenario.ops.map((op) => {
      checkStaysInside(merged, op);
      return outcomeOf(() => linuxOp(merged, op));
    });
    return { outcomes, tree: describeNodes(linuxNode(merged)) };
  } finally {
    process.umask(umask);
    if (mounted) execFileSync("umount", [merged]);
    rmSync(base, { recursive: true, force: true });
  }
}

/** A lower layer as a directory, the way overlayfs reads one. */
function writeLowerDir(root: string, entries: LowerEntry[]): void {
  // Parents before children, so that an explicit directory is made before its entries;
  // Hard links after the files they name.
  const rank = (e: LowerEntry) => e.path.split("/").length + (e.type === "hardlink" ? 1000 : 0);
  const sorted = [...entries].sort((a, b) => rank(a) - rank(b));
  const dirs: LowerEntry[] = [];
  for (const e of sorted) {
    const p = join(root, e.path);
    mkdirSync(dirname(p), { recursive: true, mode: 0o755 });
    switch (e.type) {
      case "directory":
        mkdirSync(p, { recursive: true });
        dirs.push(e);
        break;
      case "file":
        writeFileSync(p, dataOf(e));
        break;
      case "symlink":
        symlinkSync(e.target!, p);
        break;
      case "hardlink":
        linkSync(join(root, e.target!), p);
        break;
      case "fifo":
        execFileSync("mkfifo", [p]);
        break;
      case "whiteout":
        execFileSync("mknod", [p, "c", "0", "0"]);
        break;
    }
    if (e.type !== "directory" && e.type !== "hardlink" && e.type !== "whiteout") {
      setOwnerAndMode(p, e);
    }
  }
  // Directories last, deepest first: a directory's mode (say 0500) must not
  // get in the way of filling it, even though root would pass.
  for (const e of dirs.reverse()) {
    const p = join(root, e.path);
    setOwnerAndMode(p, e);
    if (e.opaque) execFileSync("setfattr", ["-n", "trusted.overlay.opaque", "-v", "y", p]);
  }
}

/** Owner first: chown clears setuid and setgid. */
function setOwnerAndMode(p: string, e: LowerEntry): void {
  lchownSync(p, e.uid ?? 0, e.gid ?? 0);
  if (e.type !== "symlink") chmodSync(p, modeOf(e));
}

const FOLLOWS_LAST: ReadonlySet<Operation["op"]> = new Set([
  "write",
  "append",
  "truncate",
  "chmod",
  "read",
  "readdir",
]);

/**
 * Refuses an operation that would follow an absolute symlink or climb
 * above the root on the Linux side: without a chroot, either would leave
 * the mount and reach the host's files (as root). Scenarios keep absolute
 * targets as text only.
 */
function checkStaysInside(root: string, op: Operation): void {
  const paths: Array<[string, boolean]> =
    "path" in op
      ? [[op.path, FOLLOWS_LAST.has(op.op)]]
      : [
          [op.from, false],
          [op.to, false],
        ];
  for (const [path, followLast] of paths) {
    const pending = path.split("/").filter((c) => c !== "" && c !== ".");
    const at: string[] = [];
    const trailingSlash = path.endsWith("/");
    for (let hops = 0; pending.length > 0 && hops <= 40;) {
      const name = pending.shift()!;
      if (name === "..") {
        if (at.length === 0) throw new Error(`${show(op)}: climbs above the root of the mount`);
        at.pop();
        continue;
      }
      let st: Stats;
      try {
        st = lstatSync(join(root, ...at, name));
      } catch {
        break; // a missing name: nothing further is followed
      }
      if (st.isSymbolicLink() && (pending.length > 0 || followLast || trailingSlash)) {
        hops++;
        const target = readlinkSync(join(root, ...at, name));
        if (target.startsWith("/")) {
          throw new Error(
            `${show(op)}: follows the absolute symlink /${[...at, name].join("/")} -> ${target}, ` +
              "which would leave the mount on the Linux side",
          );
        }
        pending.unshift(...target.split("/").filter((c) => c !== "" && c !== "."));
        continue;
      }
      if (!st.isDirectory()) break;
      at.push(name);
    }
  }
}

function linuxOp(root: string, op: Operation): string | undefined {
  // Concatenated, not joined: join would drop a trailing slash, which matters.
  const at = (path: string) => root + path;
  switch (op.op) {
    case "write": {
      if (op.offset === undefined) {
        writeFileSync(at(op.path), op.data);
        return;
      }
      const fd = openSync(at(op.path), constants.O_WRONLY | constants.O_CREAT, 0o666);
      try {
        writeSync(fd, Buffer.from(op.data), 0, Buffer.byteLength(op.data), op.offset);
      } finally {
        closeSync(fd);
      }
      return;
    }
    case "append":
      appendFileSync(at(op.path), op.data);
      return;
    case "create":
      closeSync(
        openSync(
          at(op.path),
          constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL,
          op.mode ?? 0o666,
        ),
      );
      return;
    case "truncate":
      truncateSync(at(op.path), op.size);
      return;
    case "mkdir":
      mkdirSync(at(op.path), { mode: op.mode ?? 0o777 });
      return;
    case "rmdir":
      rmdirSync(at(op.path));
      return;
    case "unlink":
      unlinkSync(at(op.path));
      return;
    case "rename":
      renameSync(at(op.from), at(op.to));
      return;
    case "link":
      linkSync(at(op.from), at(op.to));
      return;
    case "symlink":
      symlinkSync(op.target, at(op.path));
      return;
    case "chmod":
      chmodSync(at(op.path), op.mode);
      return;
    case "chown":
      lchownSync(at(op.path), op.uid, op.gid);
      return;
    case "mkfifo":
      mkfifo(at(op.path));
      return;
    case "read":
      return contentSummary(readFileSync(at(op.path)));
    case "readdir":
      return linuxListing(at(op.path)).join(" ");
  }
}

/**
 * readdir(3) of a merged directory, less the names lstat cannot find.
 * Linux reads a directory that only one lower layer holds straight from
 * that layer (fs/overlayfs/readdir.c, ovl_dir_is_real), so a whiteout in
 * it is listed although looking it up answers ENOENT. core/overlay/README.md
 * hides whiteouts in every listing; ours does, and the comparison forgives
 * Linux (the scenarios "a whiteout in a directory only the top/middle
 * layer has" are where it shows).
 */
function linuxListing(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => {
      try {
        lstatSync(join(dir, name));
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return false;
        throw e;
      }
    })
    .sort();
}

/** mkfifo(1) reports the errno only as strerror text (in the C locale). */
const STRERROR: Record<string, string> = {
  "File exists": "EEXIST",
  "No such file or directory": "ENOENT",
  "Not a directory": "ENOTDIR",
  "File name too long": "ENAMETOOLONG",
  "Too many levels of symbolic links": "ELOOP",
  "Permission denied": "EACCES",
  "Invalid argument": "EINVAL",
};

function mkfifo(path: string): void {
  const r = spawnSync("mkfifo", [path], { encoding: "utf8", env: { ...process.env, LC_ALL: "C" } });
  if (r.status === 0) return;
  const message = r.stderr.trim().split(": ").at(-1) ?? "";
  const code = STRERROR[message];
  if (!code) throw new Error(`mkfifo ${path}: ${r.stderr.trim()}`);
  throw Object.assign(new Error(message), { code });
}

function linuxNode(path: string): Node {
  const st = lstatSync(path);
  const node: Node = {
    type: fileTypeOf(st),
    mode: st.mode & 0o7777,
    uid: st.uid,
    gid: st.gid,
    size: st.size,
    identity: `${st.dev}:${st.ino}`,
  };
  if (st.isFile()) node.content = () => readFileSync(path);
  if (st.isSymbolicLink()) node.target = readlinkSync(path);
  if (st.isDirectory()) {
    node.children = () =>
      linuxListing(path).map((name): [string, Node] => [name, linuxNode(join(path, name))]);
  }
  return node;
}

function fileTypeOf(st: Stats): FileType {
  if (st.isFile()) return "file";
  if (st.isDirectory()) return "directory";
  if (st.isSymbolicLink()) return "symlink";
  if (st.isFIFO()) return "fifo";
  if (st.isCharacterDevice()) return "chardev";
  if (st.isBlockDevice()) return "blockdev";
  return "socket";
}

// --- Ours ---------------------------------------------------------------------

/**
 * Our side: the operations' outcomes, the merged tree, and the tree that
 * our exported upper layer (an OCI layer tar) gives on top of the lowers.
 */
async function runOurs(
  scenario: Scenario,
): Promise<{ outcomes: Outcome[]; tree: Map<string, string>; reapplied: Map<string, string> }> {
  const lowers = await Promise.all(
    scenario.lowers.map(async (entries) => {
      const layer = await buildLayer(entries.map(packEntry));
      return new LayerFilesystem(layer.index.entries, layer.data, layer.digest);
    }),
  );
  const fs = await OverlayFilesystem.open(new MemoryStore(), lowers);
  const proc = operator(fs);
  expect(proc.umask).toBe(UMASK);
  const outcomes = scenario.ops.map((op) => applyOperation(proc, op));
  const tree = describeNodes(ourNode(fs, fs.root));
  const exported = await buildLayer(readTar(writeTar(await upperEntries(fs))));
  await fs.upper.close();
  const top = new LayerFilesystem(exported.index.entries, exported.data, exported.digest);
  const applied = await OverlayFilesystem.open(new MemoryStore(), [top, ...lowers]);
  const reapplied = describeNodes(ourNode(applied, applied.root));
  await applied.upper.close();
  return { outcomes, tree, reapplied };
}

function packEntry(e: LowerEntry): PackEntry {
  const common = { path: e.path, uid: e.uid ?? 0, gid: e.gid ?? 0, mtime: MTIME };
  return {
    ...common,
    type: e.type,
    mode: e.type === "whiteout" ? 0 : modeOf(e),
    ...(e.type === "file" ? { data: dataOf(e) } : {}),
    ...(e.target !== undefined ? { target: e.target } : {}),
    ...(e.opaque ? { opaque: true } : {}),
  };
}

function modeOf(e: LowerEntry): number {
  if (e.mode !== undefined) return e.mode;
  if (e.type === "directory") return 0o755;
  if (e.type === "symlink") return 0o777;
  return 0o644;
}

function dataOf(e: LowerEntry): Uint8Array {
  const d = e.data ?? "";
  return new TextEncoder().encode(typeof d === "string" ? d : d.repeat.repeat(d.times));
}

function ourNode(fs: Filesystem, ino: number): Node {
  const st = fs.stat(ino);
  const node: Node = {
    type: st.type,
    mode: st.mode & 0o7777,
    uid: st.uid,
    gid: st.gid,
    size: st.size,
    identity: String(st.ino),
  };
  if (st.type === "file") node.content = () => fs.read(ino, 0, st.size);
  if (st.type === "symlink") node.target = fs.readlink(ino);
  if (st.type === "directory") {
    node.children = () => fs.readdir(ino).map((e): [string, Node] => [e.name, ourNode(fs, e.ino)]);
  }
  return node;
}

// --- Both -------------------------------------------------------------------------
