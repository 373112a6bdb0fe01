/**
 * The shell and the kernel's processes, pipes and signals (issue 4): every
 * snippet of rootfs/shell-snippets.ts runs as `sh -c SNIPPET` in the
 * container and with Debian's native busybox, and stdout, stderr and the
 * exit status must be the same.
 *
 * Both sides run in a directory with the same absolute path holding the
 * same files, with the same environment. Natively, ash finds programs in
 * PATH and Debian's busybox does not prefer its own applets, so PATH starts
 * with a directory of links to busybox, one per applet of Debian's build;
 * the container gets the same directory (its links point at its own
 * busybox) so that `command -v` answers alike.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Kernel } from "../core/kernel/kernel.ts";
import type { MemoryFilesystem } from "../core/vfs/memory.ts";
import { FIXTURES, SNIPPETS, type Snippet } from "./shell-snippets.ts";
import {
  latin1,
  loadBaseImage,
  NATIVE_BUSYBOX,
  runNative,
  type Outcome,
  mkdirContainer as mkdirInContainer,
} from "./testing.ts";

const ROOT = `/tmp/overbox-shell-${process.pid}`;
const BIN = `${ROOT}/bin`;
const ENV = [
  `PATH=${BIN}:/usr/sbin:/usr/bin:/sbin:/bin`,
  "HOME=/root",
  "USER=root",
  "LC_ALL=C",
  "TZ=UTC",
];
const TIMEOUT = 30_000;

let fs: MemoryFilesystem;
let runner: Kernel;
/** FIXTURES and `dir.txz`, a tar.xz of dir/ made on the host (busybox xz cannot compress). */
let fixtures: Record<string, { content: string | Uint8Array; mode?: number }>;

beforeAll(async () => {
  ({ fs, runner } = await loadBaseImage());
  rmSync(ROOT, { recursive: true, force: true });
  mkdirSync(BIN, { recursive: true });
  const bin = mkdirContainer(BIN);
  const applets = execFileSync(NATIVE_BUSYBOX, ["--list"], { encoding: "utf8" }).split("\n");
  for (const applet of applets.filter(Boolean)) {
    symlinkSync(NATIVE_BUSYBOX, join(BIN, applet));
    fs.symlink(bin, applet, "/bin/busybox", { uid: 0, gid: 0 });
  }
  const scratch = join(ROOT, "txz");
  writeFiles(scratch, FIXTURES);
  const txz = execFileSync("tar", ["-cJf", "-", "--owner=0", "--group=0", "dir"], { cwd: scratch });
  fixtures = { ...FIXTURES, "dir.txz": { content: txz } };
});

afterAll(() => rmSync(ROOT, { recursive: true, force: true }));

const mkdirContainer = (path: string): number => mkdirInContainer(fs, path);

/** Writes `files` under `dir`, on the host. */
function writeFiles(dir: string, files: typeof FIXTURES) {
  for (const [path, { content, mode = 0o644 }] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
    chmodSync(join(dir, path), mode);
  }
}

/** Writes `files` under `dir`, in the container. */
function writeContainerFiles(dir: string, files: typeof FIXTURES) {
  for (const [path, { content, mode = 0o644 }] of Object.entries(files)) {
    const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content;
    const parent = mkdirContainer(dirname(join(dir, path)));
    const ino = fs.create(parent, path.split("/").pop()!, { type: "file", mode, uid: 0, gid: 0 });
    fs.write(ino, 0, bytes);
  }
}

async function runOurs(s: Snippet, cwd: string): Promise<Outcome> {
  const r = await runner.run({ args: ["sh", "-c", s.script], env: ENV, cwd, stdin: s.stdin });
  return { status: r.status, stdout: latin1(r.stdout), stderr: latin1(r.stderr) };
}

let cases = 0;
for (const [group, snippets] of Object.entries(SNIPPETS)) {
  describe(group, () => {
    for (const s of snippets) {
      const n = cases++;
      const test = s.bug ? it.fails : it;
      const title = s.bug ? `${s.name} (expected to fail: ${s.bug})` : s.name;
      test(
        title,
        async () => {
          const dir = `${ROOT}/s${n}`;
          writeFiles(dir, fixtures);
          writeContainerFiles(dir, fixtures);
          const normalise = s.differs?.normalise ?? ((o: Outcome) => o);
          const native = normalise(
            runNative(["sh", "-c", s.script], { cwd: dir, env: ENV, stdin: s.stdin }),
          );
          const ours = normalise(await runOurs(s, dir));
          expect({ script: s.script, ...ours }).toEqual({ script: s.script, ...native });
        },
        TIMEOUT,
      );
    }
  });
}

it("runs at least 110 snippets", () => {
  expect(Object.values(SNIPPETS).flat().length).toBeGreaterThanOrEqual(110);
});
