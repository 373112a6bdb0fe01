import { fail } from "../errno.ts";
import type { Kernel } from "../kernel/kernel.ts";
import type { Process } from "../kernel/process.ts";
import type { Program, ProgramLoader } from "../kernel/program.ts";
import type { Filesystem } from "../vfs/filesystem.ts";
import { resolve, resolveExisting } from "../vfs/resolve.ts";
import { retrying, WouldBlock } from "../vfs/would-block.ts";
import { ProcessExit } from "../kernel/exit.ts";
import {
  dataImage,
  importedMemoryPages,
  lowestDataAddress,
  MemoryPool,
  type DataImage,
} from "./memory-pool.ts";
import { checkCommand, isPausable, Unrunnable } from "./prepare.ts";
import { MemoryPrepared, preparedKey, type PreparedModules } from "./prepared.ts";
import { InThreadPreparer, type Preparer } from "./preparer.ts";
import { RefusedProgram, WasmProgram, type Instance } from "./program.ts";
import { InstancePool } from "./instance-pool.ts";

/** A program file found and read: the wasm file to run, and the argv to run it with. */
interface Loaded {
  ino: number;
  args: string[];
  /** The wasm file's path (a `#!` script's interpreter). */
  path: string;
}

/**
 * Compiled programs, and the memories of ended ones: what a loader keeps
 * between runs. A host of several containers gives all their loaders one
 * (`new WasmLoader(prepared, preparer, shared)`): a program of an image's
 * layer is then compiled once for all of them (Filesystem.contentId), and
 * an ended program's memory serves the next program of any of them.
 */
export class ProgramCache {
  readonly modules = new Map<string, Promise<WebAssembly.Module>>();
  readonly ready = new Map<string, WebAssembly.Module>();
  /** Files that cannot run (prepare.ts's checks), by the same key. */
  readonly refused = new Map<string, Unrunnable>();
  /** The pages each compiled module's imported memory needs (null: it has its own memory). */
  readonly memoryPages = new WeakMap<WebAssembly.Module, number | null>();
  /** Where each module's data begins (lowestDataAddress). */
  readonly dataStarts = new WeakMap<WebAssembly.Module, number | null>();
  /** Each module's data as a fresh instance holds them (dataImage; null: an instance is not made fresh again). */
  readonly images = new WeakMap<WebAssembly.Module, DataImage | null>();
  /** Memories of ended programs, for the next ones. */
  readonly memories = new MemoryPool();
  /** Instances of ended programs, for the next forks of their modules. */
  readonly instances = new InstancePool<Instance>(this.memories);
}

/**
 * Loads wasm programs from the filesystem, for spawn (the ProgramLoader
 * the kernel asks) and for exec (the `overbox` module's exec import): a
 * file starting with the wasm magic is compiled once (per inode and
 * version, or per content where the filesystem names it) and the module
 * reused; a `#!` script runs its interpreter. It also keeps the memories
 * of ended programs for the next ones (memory-pool.ts). One loader serves
 * one kernel; loaders may share a ProgramCache.
 */
export class WasmLoader implements ProgramLoader {
  /** Programs whose bytes have no content id (a container's own files): this kernel's alone. */
  private readonly own = new ProgramCache();
  readonly memories: MemoryPool;
  readonly instances: InstancePool<Instance>;

  /**
   * `prepared`: where programs built elsewhere are kept once prepared
   * (prepare.ts), by content; `preparer`: where they are prepared (off
   * this thread, where the host gives workers); `shared`: the compiled
   * image programs and ended programs' memories, shared with other loaders.
   */
  constructor(
    private readonly prepared: PreparedModules = new MemoryPrepared(),
    private readonly preparer: Preparer = new InThreadPreparer(),
    private readonly shared: ProgramCache = new ProgramCache(),
  ) {
    this.memories = shared.memories;
    this.instances = shared.instances;
  }

  find(fs: Filesystem, name: string, path: string, cwd: string): string {
    if (name.includes("/")) return name;
    const start = resolveExisting(fs, fs.root, cwd, { follow: true });
    for (const dir of path.split(":")) {
      if (dir === "") continue;
      try {
        const r = resolve(fs, start, `${dir}/${name}`, { follow: true });
        if (r.ino !== null && fs.typeOf(r.ino) === "file") return `${dir}/${name}`;
      } catch {
        // A PATH entry that is missing or not a directory is skipped, as sh does.
      }
    }
    fail("ENOENT", `${name}: not found in PATH`);
  }

  async start(kernel: Kernel, proc: Process, file: string): Promise<Program> {
    const loaded = await retrying(() => this.load(proc.fs, proc.cwd, file, proc.args));
    let module: WebAssembly.Module | Unrunnable;
    try {
      module = await this.compile(proc.fs, loaded.ino);
    } catch (e) {
      if (!(e instanceof Unrunnable)) throw e;
      module = e;
    }
    proc.exec(loaded.args, proc.env, execFile(proc.cwd, file, loaded.path));
    if (module instanceof Unrunnable) return new RefusedProgram(proc, refusal(loaded.path, module));
    return new WasmProgram(kernel, this, proc, module);
  }

  /**
   * exec: loads `path` for `proc` (ENOENT, EACCES, ENOEXEC come back from
   * here) and makes the process exec it; the caller replaces the program
   * with the module. A program that is not compiled yet makes the call wait
   * (WouldBlock) while it compiles.
   */
  exec(proc: Process, path: string, args: string[], env: string[]): WebAssembly.Module {
    const loaded = this.load(proc.fs, proc.cwd, path, args);
    const { cache, key } = this.place(proc.fs, loaded.ino);
    const module = cache.ready.get(key);
    const refused = cache.refused.get(key);
    if (!module && !refused) {
      throw new WouldBlock(
        this.compile(proc.fs, loaded.ino).catch(() => undefined),
        "compiling a program",
      );
    }
    proc.exec(loaded.args, env, execFile(proc.cwd, path, loaded.path));
    if (refused) {
      // As Linux's dynamic loader does: the exec is done, and the new
      // program says why it cannot run and exits 127.
      proc.write(2, new TextEncoder().encode(refusal(loaded.path, refused)));
      throw new ProcessExit(127);
    }
    return module!;
  }

  /**
   * Compiles the program at `path` ahead of its first run, as spawn and
   * exec would: a container's login shell, while the page makes its
   * terminal. A layer's bytes not yet fetched are waited for; what fails
   * (no such file, not a module) is left to the run, which says it.
   */
  warm(fs: Filesystem, path: string): void {
    retrying(() => this.load(fs, "/", path, [path]))
      .then((loaded) => this.compile(fs, loaded.ino))
      .catch(() => undefined); // Said by the run, if it comes.
  }

  /** The pages `module`'s imported memory needs at least; null when the module has its own memory. */
  importedMemory(module: WebAssembly.Module): number | null {
    return this.shared.memoryPages.get(module) ?? this.own.memoryPages.get(module) ?? null;
  }

  /** The lowest address `module`'s data is written to; null when not known. */
  dataStart(module: WebAssembly.Module): number | null {
    return this.shared.dataStarts.get(module) ?? this.own.dataStarts.get(module) ?? null;
  }

  /** `module`'s data as a fresh instance holds them; null when an instance of it is not made fresh again. */
  dataImage(module: WebAssembly.Module): DataImage | null {
    return this.shared.images.get(module) ?? this.own.images.get(module) ?? null;
  }

  /** The program file for `path` and the argv to run it with (`#!` scripts run their interpreter). */
  private load(fs: Filesystem, cwd: string, path: string, args: string[], depth = 0): Loaded {
    const start = resolveExisting(fs, fs.root, cwd, { follow: true });
    const ino = resolveExisting(fs, start, path, { follow: true });
    const st = fs.stat(ino);
    if (st.type !== "file" || (st.mode & 0o111) === 0) fail("EACCES", path);
    const head = fs.read(ino, 0, Math.min(st.size, 256));
    if (head[0] === 0 && head[1] === 0x61 && head[2] === 0x73 && head[3] === 0x6d) {
      return { ino, args, path };
    }
    if (head[0] === 0x23 && head[1] === 0x21) {
      if (depth >= 4) fail("ELOOP", path);
      let line = new TextDecoder().decode(head.subarray(2));
      const nl = line.indexOf("\n");
      if (nl >= 0) line = line.slice(0, nl);
      const m = /^[ \t]*(\S+)(?:[ \t]+(.*?))?[ \t]*$/.exec(line);
      if (!m) fail("ENOEXEC", path);
      const interpreter = m[1]!;
      const argv = m[2] ? [interpreter, m[2], path] : [interpreter, path];
      return this.load(fs, cwd, interpreter, [...argv, ...args.slice(1)], depth + 1);
    }
    fail("ENOEXEC", path);
  }

  /** Where the module of a file is kept, and under what key: by content when it has a name, else by inode and version. */
  private place(fs: Filesystem, ino: number): { cache: ProgramCache; key: string } {
    const id = fs.contentId?.(ino);
    if (id) return { cache: this.shared, key: id };
    const st = fs.stat(ino);
    return { cache: this.own, key: `${ino}:${st.mtime}:${st.size}` };
  }

  private compile(fs: Filesystem, ino: number): Promise<WebAssembly.Module> {
    const { cache, key } = this.place(fs, ino);
    let module = cache.modules.get(key);
    if (!module) {
      const size = fs.stat(ino).size;
      module = retrying(() => fs.read(ino, 0, size)).then(async (read) => {
        // A copy (a Node Buffer's slice() is a view): the module's own.
        let bytes = new Uint8Array(read);
        try {
          let m = await WebAssembly.compile(bytes);
          if (!isPausable(m)) {
            checkCommand(m);
            bytes = await this.prepareOnce(bytes);
            m = await WebAssembly.compile(bytes);
          }
          cache.memoryPages.set(m, importedMemoryPages(bytes));
          cache.dataStarts.set(m, lowestDataAddress(bytes));
          cache.images.set(m, dataImage(bytes));
          cache.ready.set(key, m);
          return m;
        } catch (e) {
          // Not a module this engine compiles, or one it cannot run: every
          // exec of this version of the file is refused with the reason.
          const refused =
            e instanceof Unrunnable
              ? e
              : new Unrunnable(`it is not a WebAssembly module this engine runs (${String(e)})`);
          cache.refused.set(key, refused);
          throw refused;
        }
      });
      module.catch(() => cache.modules.delete(key));
      cache.modules.set(key, module);
    }
    return module;
  }

  /** A program built elsewhere, prepared (prepare.ts): from `prepared` when it was before. */
  private async prepareOnce(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
    const key = await preparedKey(bytes);
    const kept = await this.prepared.get(key).catch(() => undefined);
    if (kept) return kept;
    let done: Uint8Array<ArrayBuffer>;
    try {
      done = await this.preparer.prepare(bytes);
    } catch (e) {
      if (e instanceof Unrunnable) throw e;
      throw new Unrunnable(`it could not be prepared to run: ${String(e)}`);
    }
    // Not kept (a full disk) only costs preparing it again next time.
    await this.prepared.put(key, done).catch(() => undefined);
    return done;
  }
}

/** The line a program that cannot run writes to its stderr. */
function refusal(path: string, why: Unrunnable): string {
  return `overbox: ${path}: cannot run: ${why.message}\n`;
}

/** What /proc tells of an exec: the program file (absolute) and the command name (the file exec was given). */
function execFile(cwd: string, given: string, program: string): { exe: string; comm: string } {
  const absolute = (p: string) => (p.startsWith("/") ? p : `${cwd.replace(/\/$/, "")}/${p}`);
  return { exe: absolute(program), comm: given.slice(given.lastIndexOf("/") + 1) };
}
