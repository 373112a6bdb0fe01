import { fail } from "./errno.ts";
import { deviceNodes } from "./kernel/devices.ts";
import { InputStream, OpenFile, OutputStream } from "./kernel/open-file.ts";
import { Process, ProcessExit } from "./kernel/process.ts";
import type { Filesystem } from "./vfs/filesystem.ts";
import { resolve, resolveExisting } from "./vfs/resolve.ts";
import { retrying } from "./vfs/would-block.ts";
import { WasmMemory } from "./wasi/memory.ts";
import { overboxImports } from "./wasi/overbox.ts";
import { Pausable } from "./wasi/asyncify.ts";
import { preview1Imports } from "./wasi/preview1.ts";
import { Sjlj } from "./wasi/sjlj.ts";

export interface RunOptions {
  /** argv; argv[0] is looked up in PATH unless it holds a slash. */
  args: string[];
  /** Environment as NAME=value strings; PATH defaults to the image's. */
  env?: string[];
  /** Working directory, absolute; default "/". */
  cwd?: string;
  /** Bytes, or an open file to read (a pipe, a terminal). */
  stdin?: Uint8Array | string | OpenFile;
  onStdout?: (data: Uint8Array) => void;
  onStderr?: (data: Uint8Array) => void;
}

export interface RunResult {
  status: number;
  stdout: Uint8Array;
  stderr: Uint8Array;
}

export const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/**
 * Runs one program of a filesystem as a fresh wasm instance, to its exit.
 * Each program file is compiled once (per inode and version) and the module
 * reused for every later run. Works the same in Node and in a browser: it
 * needs only WebAssembly and the kernel.
 *
 * Programs get stdin from `options.stdin` and their output is collected;
 * processes, pipes and a terminal are the process kernel's business.
 */
export class ProgramRunner {
  private readonly modules = new Map<string, Promise<WebAssembly.Module>>();
  /** How many times programs paused in a system call (waiting for data), over every run. */
  pauses = 0;

  constructor(readonly fs: Filesystem) {
    addDeviceNodes(fs);
  }

  async run(options: RunOptions): Promise<RunResult> {
    const env = options.env ?? [`PATH=${DEFAULT_PATH}`, "HOME=/root", "USER=root"];
    const path = env.find((e) => e.startsWith("PATH="))?.slice(5) ?? DEFAULT_PATH;
    const cwd = options.cwd ?? "/";
    const argv0 = options.args[0];
    if (argv0 === undefined) fail("EINVAL", "no program to run");
    const ino = this.findProgram(argv0, path, cwd);
    const module = await this.compile(ino);

    const given = options.stdin;
    const stdin =
      given instanceof OpenFile
        ? given
        : new InputStream(typeof given === "string" ? new TextEncoder().encode(given) : given);
    const stdout = new OutputStream(options.onStdout);
    const stderr = new OutputStream(options.onStderr);
    const proc = new Process(this.fs, options.args, env, cwd, [stdin, stdout, stderr]);
    const mem = new WasmMemory();
    const pausable = new Pausable();
    const sjlj = new Sjlj();
    const instance = await WebAssembly.instantiate(module, {
      wasi_snapshot_preview1: pausable.wrap(preview1Imports(proc, mem)),
      overbox: pausable.wrap({ ...overboxImports(proc, mem), throw_longjmp: sjlj.throwLongjmp }),
      env: sjlj.imports(module),
    });
    const exports = instance.exports as { memory: WebAssembly.Memory; _start: () => void };
    mem.attach(exports.memory);
    sjlj.attach(instance);
    let status = 0;
    try {
      await pausable.run(instance, exports._start);
    } catch (e) {
      if (!(e instanceof ProcessExit)) throw e;
      status = e.status;
    } finally {
      proc.closeAll();
      this.pauses += pausable.pauses;
    }
    return { status, stdout: stdout.bytes(), stderr: stderr.bytes() };
  }

  /** The inode of the program `name`: a path, or a name searched in PATH. */
  private findProgram(name: string, path: string, cwd: string): number {
    const start = resolveExisting(this.fs, this.fs.root, cwd, { follow: true });
    if (name.includes("/")) return resolveExisting(this.fs, start, name, { follow: true });
    for (const dir of path.split(":")) {
      if (dir === "") continue;
      try {
        const r = resolve(this.fs, start, `${dir}/${name}`, { follow: true });
        if (r.ino !== null && this.fs.stat(r.ino).type === "file") return r.ino;
      } catch {
        // A PATH entry that is missing or not a directory is skipped, as sh does.
      }
    }
    fail("ENOENT", `${name}: not found in PATH`);
  }

  private compile(ino: number): Promise<WebAssembly.Module> {
    const st = this.fs.stat(ino);
    const key = `${ino}:${st.mtime}:${st.size}`;
    let module = this.modules.get(key);
    if (!module) {
      module = retrying(() => this.fs.read(ino, 0, st.size)).then((bytes) => {
        if (bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
          fail("ENOEXEC", "not a WebAssembly program");
        }
        return WebAssembly.compile(bytes.slice());
      });
      module.catch(() => this.modules.delete(key));
      this.modules.set(key, module);
    }
    return module;
  }
}

/** Puts the memory devices in /dev, if the filesystem has a /dev. */
function addDeviceNodes(fs: Filesystem): void {
  const dev = resolve(fs, fs.root, "/dev", { follow: true });
  if (dev.ino === null || fs.stat(dev.ino).type !== "directory") return;
  for (const d of deviceNodes) {
    if (resolve(fs, dev.ino, d.name, { follow: false }).ino !== null) continue;
    fs.create(dev.ino, d.name, { type: "chardev", mode: d.mode, uid: 0, gid: 0, rdev: d.rdev });
  }
}
