import { concat } from "../core/bytes.ts";
import { Container, importLayer } from "../core/container/container.ts";
import { fail, ErrnoError } from "../core/errno.ts";
import { HttpBlobSource } from "./http-source.ts";
import { finalizer } from "comlink";
import { firstOf, parseManifest, type BlobSource, type Image } from "../core/image/image.ts";
import { InputPipe, OutputPipe } from "../core/kernel/host-pipes.ts";
import { shellStatus } from "../core/kernel/exit.ts";
import { Gateway } from "../core/kernel/gateway.ts";
import { Kernel, LOGIN_SHELL, searchPath } from "../core/kernel/kernel.ts";
import { fetchPort, type PortBody, type PortResponseHead } from "../core/kernel/ports.ts";
import { WasmLoader } from "../core/wasi/loader.ts";
import type { Process } from "../core/kernel/process.ts";
import { SIGKILL } from "../core/kernel/signals.ts";
import type { Tty } from "../core/kernel/tty.ts";
import type {
  ContainerInfo,
  ExecOptions,
  ExecResult,
  FileInfo,
  FsckReport,
  OpenInfo,
  OpenOptions,
  PortWireRequest,
  Progress,
  SandboxApi,
} from "./protocol.ts";
import { describeProblem } from "../core/overlay/fsck.ts";
import type { FsckProblem } from "../core/overlay/upper-format.ts";
import { IndexedDbStore } from "./indexeddb.ts";
import { ledger } from "./ledger.ts";
import { holdContainerLock, locksMissing, withContainerLock } from "./lock.ts";
import { MemoryStore } from "../core/store/memory.ts";
import { replicas, replicasMissing, ReplicatedStore } from "./replica.ts";
import { newBatch, type Store } from "../core/store/store.ts";
import { readPath, listPath, writePath } from "../core/vfs/paths.ts";
import { BASE_IMAGE, WorkerShared } from "./worker-shared.ts";

/** Bytes of terminal output the page may be behind by before programs wait for it. */
const SCREEN_WINDOW = 64 * 1024;
const EPHEMERAL = "ephemeral";
const CONTAINER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/;
const IMAGE_NAME = /^[a-z0-9][a-z0-9_.-]{0,63}$/;

const decoder = new TextDecoder();

interface Session {
  info: OpenInfo;
  container: Container;
  kernel: Kernel;
  /** How it was opened: its network, for the kernels of its restarts. */
  options: OpenOptions;
  /** The login shell's terminal, once `terminal` was called. */
  screen: {
    tty: Tty;
    shell: Process | null;
    /** Writes to the screen (gathered, then sent). */
    output: (data: Uint8Array) => void;
    /** The page's callback that gets the screen's bytes. */
    send: (data: Uint8Array) => void;
  } | null;
  /** Spawned programs' stdin, by pid. */
  stdin: Map<number, InputPipe>;
  /** Bumped by reset and commit: a shell of an older generation is not restarted. */
  generation: number;
  /**
   * Opened with `readOnly` (a second tab's): its changes are never saved,
   * and it stays read-only after a reset.
   */
  openedReadOnly: boolean;
  /** Gives the container's lock back (on close). */
  unlock: () => void;
}

/** What an opening has taken so far: given back if it fails. */
interface Held {
  unlock: () => void;
  store: Store | null;
}

/**
 * One container's API (browser/protocol.ts): the container, its kernel, a
 * terminal with a login shell, and Docker's verbs. A worker serves
 * several (browser/host.ts), sharing what they can: images, compiled
 * programs, the images' database. The page reaches each through comlink.
 */
export class SandboxService implements SandboxApi {
  private session: Session | null = null;
  /** The bodies of responses from the container's ports being read (fetchPort), by number. */
  private readonly bodies = new Map<number, PortBody>();
  private nextBody = 1;
  private source: HttpBlobSource | null = null;
  private closed = false;

  constructor(private readonly shared = new WorkerShared()) {}

  private get imageStore() {
    return this.shared.imageStore;
  }

  private get blobs() {
    return this.shared.blobs;
  }

  async open(options: OpenOptions, onProgress?: Progress): Promise<OpenInfo> {
    if (this.session) fail("EBUSY", "this sandbox has a container open already");
    const name = options.container ?? "default";
    if (name !== EPHEMERAL) checkContainerName(name);
    // Every fetch of the site's images is reported: the opening's, and
    // then a big layer's chunks as its files are first read.
    // (Not after close: a layer this container loaded may serve others, and fetch for them.)
    this.source = new HttpBlobSource(options.imagesUrl, (loaded, total) => {
      if (!this.closed) onProgress?.(loaded, total);
    });
    // The image loads while the container's lock is taken; it is there
    // before the store is opened, so that no database is made for a
    // container whose image cannot be had.
    const loading = this.loadImage(options.image ?? BASE_IMAGE);
    loading.catch(() => undefined); // (its error is said by an await below, unless the lock's came first)
    const held: Held = { unlock: () => undefined, store: null };
    try {
      this.session = await this.opening(name, options, loading, held);
      return this.session.info;
    } catch (e) {
      // What was taken is given back: the store, so that it can be
      // deleted, and the lock, for another try.
      await held.store?.close().catch(() => undefined);
      held.unlock();
      throw e;
    }
  }

  /** open's work: what it takes (the lock, the store) is put in `held` as it is taken. */
  private async opening(
    name: string,
    options: OpenOptions,
    loading: Promise<Image>,
    held: Held,
  ): Promise<Session> {
    let store: Store;
    let restored = false;
    const unavailable: string[] = [];
    if (name === EPHEMERAL) {
      store = new MemoryStore();
    } else if (options.readOnly) {
      await loading;
      store = await readOnlyCopy(IndexedDbStore.forContainer(name));
    } else {
      // The lock first: a second tab must not even open the database.
      held.unlock = await holdContainerLock(IndexedDbStore.containerDatabase(name));
      const folder = await replicas();
      await loading;
      store = IndexedDbStore.forContainer(name);
      if (folder) {
        const replicated = await ReplicatedStore.open(store, folder, name).catch((e: unknown) => {
          void store.close();
          throw e;
        });
        store = replicated.store;
        restored = replicated.outcome === "restored";
      } else {
        unavailable.push((await replicasMissing())!);
      }
    }
    held.store = store;
    // What is missing matters to a container that is kept: the replicas
    // are what would bring it (and images made in it) back.
    const kept = name !== EPHEMERAL && !options.readOnly;
    const records = kept ? (await this.shared.records).missing : null;
    if (records) unavailable.push(records);
    const unlocked = kept ? locksMissing() : null;
    if (unlocked) unavailable.push(unlocked);
    const lost = name !== EPHEMERAL && (await databaseLost(name, store));
    const image = await loading;
    const container = await Container.open(
      store,
      image,
      this.imageBlobs(),
      { lazy: true },
      lost ? [LOST] : [],
    );
    if (name !== EPHEMERAL && !options.readOnly && container.damage.length === 0) {
      await ledger.add(name);
    }
    const info: OpenInfo = {
      container: name,
      image: container.image.manifest.name,
      readOnly: Boolean(options.readOnly) || container.damage.length > 0,
      damage: container.damage.map(describeProblem),
      restored,
      ...(unavailable.length > 0 ? { unavailable } : {}),
    };
    return {
      info,
      container,
      kernel: this.kernel(container, options),
      options,
      screen: null,
      stdin: new Map(),
      generation: 0,
      openedReadOnly: Boolean(options.readOnly),
      unlock: held.unlock,
    };
  }

  /** A kernel for a container, with the gateway unless the network is off. */
  private kernel(container: Container, options: OpenOptions): Kernel {
    const { fs } = container;
    const config = container.image.manifest.config;
    const loader = new WasmLoader(this.shared.prepared, this.shared.preparer, this.shared.programs);
    // The login shell compiles while the page makes its terminal, and the
    // programs the page will run (an embed's command) meanwhile too.
    loader.warm(fs, LOGIN_SHELL);
    for (const name of options.programs ?? []) {
      try {
        loader.warm(fs, loader.find(fs, name, searchPath(config.env), config.cwd));
      } catch {
        // Not in the image's PATH: said by the run, if it comes.
      }
    }
    const kernel = new Kernel(fs, loader);
    if (options.network !== false) {
      kernel.network.gateway = new Gateway({
        cors: true,
        ...(options.proxy ? { proxy: options.proxy } : {}),
      });
    }
    return kernel;
  }

  async fetchPort(
    port: number,
    request: PortWireRequest,
    readBody?: () => Promise<Uint8Array | null>,
  ): Promise<PortResponseHead & { body: number }> {
    const { body } = request;
    const upload =
      body === null || body instanceof Uint8Array
        ? body
        : readBody
          ? { length: body.length, read: readBody }
          : fail("EINVAL", "a streamed request body needs its reader");
    const r = await fetchPort(this.opened().kernel.network, port, { ...request, body: upload });
    const id = this.nextBody++;
    this.bodies.set(id, r.body);
    return { ...r, body: id };
  }

  waitForPort(port: number): Promise<void> {
    if (!Number.isInteger(port) || port < 1 || port > 65535) fail("EINVAL", `port ${port}`);
    return this.opened().kernel.network.whenListening(port);
  }

  async readPort(body: number): Promise<Uint8Array | null> {
    const b = this.bodies.get(body);
    if (!b) return null;
    const piece = await b.read();
    if (piece === null) {
      this.bodies.delete(body);
      return null;
    }
    // A view of a bigger buffer would be copied whole to the page.
    return piece.byteLength === piece.buffer.byteLength ? piece : piece.slice();
  }

  cancelPort(body: number): void {
    this.bodies.get(body)?.cancel();
    this.bodies.delete(body);
  }

  async exec(command: string | string[], options: ExecOptions = {}): Promise<ExecResult> {
    const s = this.opened();
    const r = await s.kernel.run({
      args: typeof command === "string" ? ["sh", "-c", command] : command,
      env: this.environment(options.env),
      cwd: options.cwd ?? s.container.image.manifest.config.cwd,
      // null as no stdin too: what a page's undefined becomes through JSON (WebDriver).
      ...(options.stdin != null ? { stdin: options.stdin } : {}),
    });
    return {
      exitCode: r.status,
      stdout: decoder.decode(r.stdout),
      stderr: decoder.decode(r.stderr),
    };
  }

  async spawn(
    args: string[],
    options: Omit<ExecOptions, "stdin">,
    onStdout: (data: Uint8Array) => void,
    onStderr: (data: Uint8Array) => void,
    onExit: (status: number) => void,
  ): Promise<number> {
    const s = this.opened();
    const stdin = new InputPipe();
    // Each chunk waits for the page to take it: a slow page holds the program back.
    const stdout = new OutputPipe(async (d) => onStdout(d));
    const stderr = new OutputPipe(async (d) => onStderr(d));
    const proc = await s.kernel.spawn({
      args,
      env: this.environment(options.env),
      cwd: options.cwd ?? s.container.image.manifest.config.cwd,
      stdio: [stdin.read, stdout.write, stderr.write],
    });
    s.stdin.set(proc.pid, stdin);
    void s.kernel.waitFor(proc).then(async (status) => {
      s.stdin.delete(proc.pid);
      await Promise.all([stdout.done, stderr.done]);
      onExit(shellStatus(status));
    });
    return proc.pid;
  }

  async writeStdin(pid: number, data: Uint8Array | null): Promise<void> {
    const stdin = this.opened().stdin.get(pid);
    if (!stdin) fail("ESRCH", `no process ${pid} with a stdin to write`);
    if (data === null) stdin.end();
    else stdin.push(data);
  }

  async kill(pid: number, signal = 15): Promise<void> {
    this.opened().kernel.signal(pid, signal);
  }

  async terminal(
    size: { rows: number; cols: number },
    onOutput: (data: Uint8Array) => void | Promise<void>,
  ): Promise<void> {
    const s = this.opened();
    if (s.screen) fail("EBUSY", "the terminal is open already");
    s.screen = this.newScreen(s, size, onOutput);
    await this.startShell(s);
  }

  async input(data: Uint8Array): Promise<void> {
    this.opened().screen?.tty.input(data);
  }

  async resize(size: { rows: number; cols: number }): Promise<void> {
    this.opened().screen?.tty.resize(size);
  }

  async shellCwd(): Promise<string> {
    const s = this.opened();
    return s.screen?.shell?.cwd ?? s.container.image.manifest.config.cwd;
  }

  async readFile(path: string): Promise<Uint8Array> {
    return readPath(this.opened().kernel.fs, path);
  }

  async writeFile(path: string, data: Uint8Array | string): Promise<void> {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    await writePath(this.opened().kernel.fs, path, bytes);
  }

  async readdir(path: string): Promise<FileInfo[]> {
    return listPath(this.opened().kernel.fs, path);
  }

  async reset(): Promise<void> {
    const s = this.opened();
    await this.restart(s, () => s.container.reset());
    if (s.info.damage.length > 0) {
      // The damage went with the reset: the container saves again, unless opened read-only.
      s.info.damage = [];
      s.info.readOnly = s.openedReadOnly;
    }
  }

  async commit(tag: string): Promise<void> {
    await this.checkNewTag(tag);
    const s = this.opened();
    if (s.info.container === EPHEMERAL || s.info.readOnly) {
      // Its layer could be made, but the container could not go on from it.
      fail("EROFS", "a read-only or ephemeral container cannot be committed: export it instead");
    }
    await this.restart(s, async () => {
      await s.container.commit(this.blobs, tag, (image) => this.saveManifest(image));
      s.info.image = tag;
    });
  }

  async exportTar(layer: boolean): Promise<Uint8Array> {
    const c = this.opened().container;
    return layer ? c.exportLayer() : c.export();
  }

  async importTar(tar: Uint8Array, tag: string, from = BASE_IMAGE): Promise<void> {
    await this.checkNewTag(tag);
    const image = await importLayer(await this.loadImage(from), tar, this.blobs, tag);
    await this.saveManifest(image);
  }

  /** A name for a new image: valid, and not one of the images the site was built with. */
  private async checkNewTag(tag: string): Promise<void> {
    checkImageName(tag);
    if (tag === BASE_IMAGE) fail("EINVAL", `${BASE_IMAGE} is the base image: choose another name`);
    if ((await this.source?.builtImages().catch((): string[] => []))?.includes(tag))
      fail("EINVAL", `${tag} is a built image: choose another name`);
  }

  /** The images a container can be made from: those the site was built with, then those made here. */
  async images(): Promise<string[]> {
    const built = (await this.source?.builtImages().catch((): string[] => [])) ?? [];
    const made = (await this.imageStore.keys("image/")).map((k) => k.slice("image/".length));
    return [...new Set([BASE_IMAGE, ...built, ...made])];
  }

  async unsaved(): Promise<boolean> {
    return this.session?.container.fs.upper.unsaved ?? false;
  }

  async sync(): Promise<void> {
    await this.opened().container.sync();
  }

  async saveError(): Promise<string | null> {
    return this.session?.container.fs.upper.saveError?.message ?? null;
  }

  async fsck(): Promise<FsckReport> {
    return this.opened().container.check();
  }

  async close(): Promise<void> {
    this.closed = true;
    const s = this.session;
    if (!s) return;
    this.session = null;
    s.generation++;
    try {
      await stopAll(s.kernel);
      await s.container.close();
    } finally {
      s.unlock();
    }
  }

  /** The page let this container go without closing it (Sandbox.terminate): it is closed. */
  [finalizer](): void {
    void this.close().catch(() => undefined);
  }

  async containers(): Promise<ContainerInfo[]> {
    const out: ContainerInfo[] = [];
    for (const name of await containerNames()) {
      const store = IndexedDbStore.forContainer(name);
      try {
        const manifest = await Container.manifestOf(store);
        out.push({ name, image: manifest?.name ?? "?" });
      } finally {
        await store.close();
      }
    }
    return out;
  }

  async deleteContainer(name: string): Promise<void> {
    checkContainerName(name);
    const database = IndexedDbStore.containerDatabase(name);
    await withContainerLock(database, async () => {
      await deleteDatabase(database);
      await (await replicas())?.remove(name);
    });
    await ledger.remove(name);
  }

  async renameContainer(from: string, to: string): Promise<void> {
    checkContainerName(from);
    checkContainerName(to);
    if (!(await containerNames()).includes(from)) fail("ENOENT", `no container ${from}`);
    if ((await containerNames()).includes(to)) fail("EEXIST", `a container ${to} exists already`);
    const source = IndexedDbStore.forContainer(from);
    const target = IndexedDbStore.forContainer(to);
    await withContainerLock(source.database, () =>
      withContainerLock(target.database, async () => {
        // IndexedDB cannot rename a database: the data is copied (one
        // transaction), then the old database deleted.
        const batch = newBatch();
        const keys = await source.keys();
        const values = await source.getMany(keys);
        keys.forEach((k, i) => batch.puts.set(k, values[i]!));
        await target.commit(batch, { durable: true });
        await source.close();
        await target.close();
        await deleteDatabase(source.database);
        const folder = await replicas();
        await folder?.remove(to);
        if (await folder?.has(from)) await folder?.rename(from, to);
        await ledger.add(to);
        await ledger.remove(from);
      }),
    );
  }

  // ---- inside ---------------------------------------------------------------

  private opened(): Session {
    if (!this.session) fail("EBADF", "no container is open: call open first");
    return this.session;
  }

  private imageBlobs(): BlobSource {
    if (!this.source) fail("EBADF", "no image source: call open first");
    return firstOf(this.blobs, this.source);
  }

  /** The base image from the server, or an image made in this browser (by commit or import). */
  private async loadImage(name: string): Promise<Image> {
    const source = this.source;
    if (!source) fail("EBADF", "no image source: call open first");
    const base = await this.shared.baseImage(source);
    if (name === BASE_IMAGE) return base;
    checkImageName(name);
    const saved = await this.imageStore.get(`image/${name}`);
    // Big layers (kept in chunks) come a file at a time, as they are read.
    const lazy = { lazy: true };
    if (saved) return this.shared.image(this.imageBlobs(), parseManifest(saved), lazy);
    // One the site was built with (tools...): its layers from the site,
    // the base image's already loaded.
    if (!(await source.builtImages()).includes(name)) fail("ENOENT", `no image ${name}`);
    return this.shared.image(source, parseManifest(await source.manifest(name)), lazy);
  }

  private async saveManifest(image: Image): Promise<void> {
    const batch = newBatch();
    batch.puts.set(
      `image/${image.manifest.name}`,
      new TextEncoder().encode(JSON.stringify(image.manifest)),
    );
    await this.imageStore.commit(batch);
  }

  private environment(extra: Record<string, string> = {}): string[] {
    const env = [...this.opened().container.image.manifest.config.env];
    for (const [k, v] of Object.entries(extra)) {
      const at = env.findIndex((e) => e.startsWith(`${k}=`));
      if (at >= 0) env[at] = `${k}=${v}`;
      else env.push(`${k}=${v}`);
    }
    return env;
  }

  /**
   * The terminal: output is gathered and handed to the page once per turn
   * of the event loop, not once per write (a shell echoing a key makes
   * several writes).
   */
  private newScreen(
    s: Session,
    size: { rows: number; cols: number },
    onOutput: (data: Uint8Array) => void | Promise<void>,
  ): NonNullable<Session["screen"]> {
    let pending: Uint8Array[] = [];
    let timer: ReturnType<typeof setTimeout> | null = null;
    // Bytes sent to the page and not yet drawn: past SCREEN_WINDOW, programs
    // writing to the terminal wait (a `yes` flood runs at the screen's pace).
    let undrawn = 0;
    let drawn: Array<() => void> = [];
    const output = (data: Uint8Array) => {
      pending.push(data);
      undrawn += data.length;
      timer ??= setTimeout(() => {
        timer = null;
        const chunks = concat(pending);
        pending = [];
        void Promise.resolve(onOutput(chunks))
          .catch(() => undefined)
          .then(() => {
            undrawn -= chunks.length;
            if (undrawn >= SCREEN_WINDOW) return;
            const waiting = drawn;
            drawn = [];
            for (const go of waiting) go();
          });
      }, 0);
    };
    const room = () => (undrawn < SCREEN_WINDOW ? null : new Promise<void>((go) => drawn.push(go)));
    const tty = s.kernel.terminal(output, room);
    tty.winsize = { ...size };
    return { tty, shell: null, output, send: onOutput };
  }

  /** Starts a login shell on the terminal, and another when it exits. */
  private async startShell(s: Session): Promise<void> {
    const screen = s.screen;
    if (!screen) return;
    const config = s.container.image.manifest.config;
    const generation = s.generation;
    const shell = await s.kernel.login(screen.tty, { env: [...config.env], cwd: config.cwd });
    screen.shell = shell;
    void s.kernel.waitFor(shell).then(() => {
      if (this.session !== s || s.generation !== generation) return;
      screen.output(new TextEncoder().encode("\r\n[the shell exited: a new one starts]\r\n"));
      void this.startShell(s);
    });
  }

  /**
   * Stops every program, changes the container (`change`), and boots a new
   * kernel on it; the terminal, if any, gets a clear screen and a new
   * login shell.
   */
  private async restart(s: Session, change: () => Promise<void>): Promise<void> {
    s.generation++;
    await stopAll(s.kernel);
    s.stdin.clear();
    await change();
    s.kernel = this.kernel(s.container, s.options);
    if (s.screen) {
      const { tty, send } = s.screen;
      s.screen = this.newScreen(s, tty.winsize, send);
      // ESC c: the screen is cleared, as after `reset`.
      s.screen.output(new TextEncoder().encode("\x1bc"));
      await this.startShell(s);
    }
  }
}

/** Kills every process of `kernel` and waits for them to end. */
async function stopAll(kernel: Kernel): Promise<void> {
  const procs = kernel.processes();
  for (const p of procs) kernel.signal(p.pid, SIGKILL);
  await Promise.all(procs.map((p) => kernel.waitFor(p).catch(() => undefined)));
}

/** A container's stored state copied into memory, to open it read-only: its changes are not saved. */
async function readOnlyCopy(store: IndexedDbStore): Promise<MemoryStore> {
  try {
    const keys = await store.keys();
    const values = await store.getMany(keys);
    const data = new Map<string, Uint8Array>();
    keys.forEach((k, i) => data.set(k, values[i]!));
    return new MemoryStore(Infinity, data);
  } finally {
    await store.close();
  }
}

/** What a container's damage says when the browser has dropped its database. */
const LOST: FsckProblem = {
  key: "database",
  path: null,
  message:
    "the browser no longer has the database of this container, which was saved before: its files are lost",
};

/** Whether container `name`'s database is gone: empty, though the ledger says it was saved. */
async function databaseLost(name: string, store: Store): Promise<boolean> {
  if (!(await ledger.has(name))) return false;
  // The image record first: one read, where listing a big container's keys would be many.
  // A damaged record is there, and Container.open says what is wrong with it.
  const manifest = await Container.manifestOf(store).catch(() => null);
  return manifest === undefined && (await store.keys()).length === 0;
}

/**
 * The containers kept in this browser, by name: those with a database, and
 * those with only a replica (the browser dropped their database; opening
 * one restores it).
 */
async function containerNames(): Promise<string[]> {
  const names = new Set(await IndexedDbStore.containerNames());
  for (const name of (await (await replicas())?.names()) ?? []) names.add(name);
  return [...names].filter((n) => CONTAINER_NAME.test(n)).sort();
}

/** How long deleting a database waits for the connections that block it to close. */
const DELETE_WAIT_MS = 5000;

function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(new ErrnoError("EIO", `deleting ${name}: ${request.error}`));
    // Blocked: a connection is still open. The callers hold the container's
    // lock, so no tab has it open; what is left closes by itself (this
    // worker's own, whose close waits for its last transaction, or a
    // listing's), and the deletion goes on then. Rejecting at once would
    // not cancel the request: the database would still go, later.
    request.onblocked = () => {
      setTimeout(
        () => reject(new ErrnoError("EBUSY", `${name} stays open: it goes once it is closed`)),
        DELETE_WAIT_MS,
      );
    };
  });
}

function checkContainerName(name: string): void {
  if (!CONTAINER_NAME.test(name) || name === EPHEMERAL) {
    fail(
      "EINVAL",
      `invalid container name "${name}": letters, digits, "_", "." and "-", 64 at most`,
    );
  }
}

function checkImageName(name: string): void {
  if (!IMAGE_NAME.test(name)) {
    fail("EINVAL", `invalid image name "${name}": lower-case letters, digits, "_", "." and "-"`);
  }
}
