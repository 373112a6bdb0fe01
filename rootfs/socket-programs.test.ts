/**
 * Our own small socket programs in C (rootfs/socket-programs/), built at
 * set-up twice: for overbox with the layers' toolchain (compat/net.c over
 * the kernel's sockets) and natively with gcc. Each runs in the container
 * and on the host, in a directory of its own; what they print must be the
 * same, line for line: TCP, UDP and Unix sockets with Linux's errors.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Kernel } from "../core/kernel/kernel.ts";
import { WasmLoader } from "../core/wasi/loader.ts";
import type { MemoryFilesystem } from "../core/vfs/memory.ts";
import { writePath } from "../core/vfs/paths.ts";
import { loadBaseImage } from "./testing.ts";

const BUILT = join(import.meta.dirname, "..", "build", "socket-programs");
const PROGRAMS = readdirSync(join(import.meta.dirname, "socket-programs"))
  .filter((f) => f.endsWith(".c"))
  .map((f) => f.slice(0, -2));

let fs: MemoryFilesystem;
let scratch: string;

beforeAll(async () => {
  if (!existsSync(BUILT)) {
    throw new Error(`${BUILT} is missing: npm test's set-up builds it (scripts/setup.ts)`);
  }
  ({ fs } = await loadBaseImage());
  for (const name of PROGRAMS) {
    await writePath(fs, `/usr/local/bin/${name}`, readFileSync(join(BUILT, `${name}.wasm`)));
  }
  const runner = new Kernel(fs, new WasmLoader());
  await runner.run({ args: ["chmod", "755", ...PROGRAMS.map((n) => `/usr/local/bin/${n}`)] });
  scratch = mkdtempSync(join(tmpdir(), "overbox-socket-programs-"));
});

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe("socket programs in C: the container's sockets against Linux's", () => {
  it.each(PROGRAMS)("%s prints what it prints natively", async (name) => {
    const native = spawnSync(join(BUILT, "native", name), [], { cwd: scratch, encoding: "utf8" });
    const kernel = new Kernel(fs, new WasmLoader());
    const r = await kernel.run({ args: [name], cwd: "/tmp" });
    expect({ status: r.status, stdout: text(r.stdout), stderr: text(r.stderr) }).toEqual({
      status: native.status,
      stdout: native.stdout,
      stderr: native.stderr,
    });
  });
});
