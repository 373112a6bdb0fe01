/**
 * A tool of the `tools` or `python` image against Debian's native build of the same
 * version (rootfs/NAME/snippets.test.ts): each snippet runs the same
 * command in the same absolute directory, with the same environment,
 * files and input, in a container of the image and natively, and what
 * they print, their status and the files they leave are compared byte for
 * byte.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flattenImage, parseManifest } from "../core/image/image.ts";
import { Kernel } from "../core/kernel/kernel.ts";
import { WasmLoader } from "../core/wasi/loader.ts";
import type { MemoryFilesystem } from "../core/vfs/memory.ts";
import { readPath, writePath } from "../core/vfs/paths.ts";
import { FileBlobs } from "../node/blobs.ts";
import { IMAGES, latin1, mkdirContainer, type Outcome } from "./testing.ts";

const ENV = ["PATH=/usr/bin:/bin", "HOME=/root", "TZ=UTC", "LANG=C"];

export interface Snippet {
  name: string;
  /** The command's arguments after the program's name. */
  args: string[];
  /** Files put in the directory first, on both sides. */
  files?: Record<string, string>;
  stdin?: string;
  /** A file the command leaves in the directory, compared too. */
  leaves?: string;
  /**
   * A known difference: what ours prints (on standard output, or `stream`),
   * what Debian's does instead (a replacement), and why.
   */
  differs?: {
    ours: RegExp;
    native: string | ((match: string) => string);
    why: string;
    stream?: "stdout" | "stderr";
  };
}

/**
 * Declares the tests: `program` (by name, as the container's PATH finds
 * it) in a container of `image` against `native` (Debian's, run with the
 * same argv[0]); `env` adds to both sides' environment.
 */
export function compareWithNative(
  title: string,
  program: string,
  native: string,
  snippets: Snippet[],
  least: number,
  { image = "tools", env: extra = [] }: { image?: string; env?: string[] } = {},
): void {
  const dir = `/tmp/overbox-${program}-${process.pid}`;
  const env = [...ENV, ...extra];
  let fs: MemoryFilesystem;
  let kernel: Kernel;

  beforeAll(async () => {
    const manifest = parseManifest(readFileSync(join(IMAGES, `${image}.json`)));
    fs = await flattenImage(new FileBlobs(join(IMAGES, "blobs")), manifest);
    kernel = new Kernel(fs, new WasmLoader());
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function both(s: Snippet, n: number): Promise<{ ours: Outcome; native: Outcome }> {
    const cwd = `${dir}/${n}`;
    mkdirSync(cwd, { recursive: true });
    mkdirContainer(fs, cwd);
    for (const [name, text] of Object.entries(s.files ?? {})) {
      // (A name may have folders: src/main.c.)
      mkdirSync(dirname(join(cwd, name)), { recursive: true });
      mkdirContainer(fs, dirname(`${cwd}/${name}`));
      writeFileSync(join(cwd, name), text);
      await writePath(fs, `${cwd}/${name}`, new TextEncoder().encode(text));
    }
    const r = await kernel.run({ args: [program, ...s.args], env, cwd, stdin: s.stdin ?? "" });
    const ours: Outcome = { status: r.status, stdout: latin1(r.stdout), stderr: latin1(r.stderr) };
    const n2 = spawnSync(native, s.args, {
      argv0: program, // as the shell names it, found on the PATH
      cwd,
      env: Object.fromEntries(
        env.map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]),
      ),
      input: Buffer.from(s.stdin ?? "", "utf8"), // as the kernel's stdin has it
      encoding: "latin1",
    });
    const theirs: Outcome = { status: n2.status ?? 128, stdout: n2.stdout, stderr: n2.stderr };
    if (s.leaves) {
      const path = `${cwd}/${s.leaves}`;
      ours.stdout += `\n--- ${s.leaves}\n${latin1(await readPath(fs, path))}`;
      theirs.stdout += `\n--- ${s.leaves}\n${readFileSync(path, "latin1")}`;
    }
    return { ours, native: theirs };
  }

  describe(title, () => {
    it(`has at least ${least} snippets`, () => {
      expect(snippets.length).toBeGreaterThanOrEqual(least);
    });

    snippets.forEach((s, n) => {
      it(s.name, async () => {
        const { ours, native } = await both(s, n);
        if (s.differs) {
          // The difference is there, and is the only one.
          const stream = s.differs.stream ?? "stdout";
          expect(ours[stream]).toMatch(s.differs.ours);
          const native = s.differs.native;
          // (replace's two overloads: a string, or a function of the match)
          ours[stream] =
            typeof native === "string"
              ? ours[stream].replace(s.differs.ours, native)
              : ours[stream].replace(s.differs.ours, native);
        }
        expect(ours).toEqual(native);
      });
    });
  });
}
