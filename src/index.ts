/**
 * The library: a container in a Web Worker, from a page.
 *
 *   const box = await Sandbox.open({ image: "busybox", container: "docs" });
 *   const { exitCode, stdout } = await box.exec("ls -l /");
 *   await box.fs.writeFile("/root/hello.txt", "hi\n");
 *   await box.close();
 *
 * Each Sandbox is one container (browser/sandbox.ts) in the worker that
 * hosts the page's containers (browser/host.ts), reached through
 * comlink; the types of what crosses are in browser/protocol.ts.
 */
import { proxy, releaseProxy, transfer, wrap, type Remote } from "comlink";
import type {
  ContainerInfo,
  ExecOptions,
  ExecResult,
  FileInfo,
  FsckProblem,
  FsckReport,
  HostApi,
  OpenInfo,
  PortWireRequest,
  SandboxApi,
} from "../browser/protocol.ts";

export type { ContainerInfo, ExecOptions, ExecResult, FileInfo, FsckProblem, FsckReport, OpenInfo };

export interface SandboxOptions {
  /** The image a new container starts from; default "busybox". */
  image?: string;
  /** A container name (kept in IndexedDB), or "ephemeral"; default "default". */
  container?: string;
  /** Open the container read-only: its changes are not saved (a second tab's way in). */
  readOnly?: boolean;
  /** Where images are served; default `images/` beside the page. */
  imagesUrl?: string;
  /**
   * HTTP from the container to the web through this page's fetch (`wget
   * https://...`), under the page's CORS rules and never with its cookies;
   * default true. False: the container has only its loopback.
   */
  network?: boolean;
  /**
   * A CORS proxy for servers that do not allow this page's origin: a URL
   * prefix each request's URL is appended to (URI-encoded when the prefix
   * ends with "=", as in `https://proxy.example/?url=`).
   */
  proxy?: string;
  /**
   * Download progress of the image: bytes so far and bytes expected. Heard
   * while the container opens, and again whenever a program first reads
   * files of a big layer, which come then (bytes and expected go on adding up).
   */
  onProgress?: (loaded: number, total: number) => void;
  /**
   * Programs to compile while the container opens, so that their first
   * run does not wait for it: names looked up in the image's PATH (as
   * `["python3"]`), or paths. One not found is left to its run.
   */
  programs?: string[];
}

/** A program started with `spawn`: its streams, its end, and a way to signal it. */
export interface SandboxProcess {
  pid: number;
  stdin: WritableStream<Uint8Array | string>;
  stdout: ReadableStream<Uint8Array>;
  stderr: ReadableStream<Uint8Array>;
  /** The exit status, shell style (128 + N when signal N killed it). */
  exited: Promise<number>;
  kill(signal?: number): Promise<void>;
}

/**
 * The worker hosting the page's containers (browser/host.ts): started
 * with the first Sandbox, ended with the last, so that containers of one
 * image hold its files and compiled programs once between them.
 */
class Host {
  private static current: Host | null = null;
  private users = 0;

  private constructor(
    private readonly worker: Worker,
    private readonly api: Remote<HostApi>,
  ) {}

  /** The page's host, started if there is none; it lives until every joiner has left. */
  static join(): Host {
    if (!Host.current) {
      const worker = new Worker(new URL("../browser/entry.ts", import.meta.url), {
        type: "module",
      });
      Host.current = new Host(worker, wrap<HostApi>(worker));
    }
    Host.current.users++;
    return Host.current;
  }

  /**
   * A channel to a new container of the worker: its API, usable at once
   * (what is sent waits in the port until the worker serves it).
   */
  sandbox(): Remote<SandboxApi> {
    const { port1, port2 } = new MessageChannel();
    void this.api.connect(transfer(port2, [port2]));
    return wrap<SandboxApi>(port1);
  }

  /** The last to leave ends the worker (at once: what it has not stored is lost). */
  leave(): void {
    if (--this.users > 0) return;
    if (Host.current === this) Host.current = null;
    this.api[releaseProxy]();
    this.worker.terminate();
  }
}

function defaultImagesUrl(): string {
  return new URL("images", document.baseURI).href;
}

export class Sandbox {
  private constructor(
    private readonly host: Host,
    private readonly api: Remote<SandboxApi>,
    /** The container, its image, and whether it is open read-only. */
    readonly info: OpenInfo,
  ) {}

  /**
   * Opens a container, in the worker of the page's other containers (one
   * is started for the first). Rejects with an Error whose message starts
   * with "EBUSY" when another tab (or another Sandbox of this page) has
   * the container open (open it with `readOnly`, or choose another
   * container).
   */
  static async open(options: SandboxOptions = {}): Promise<Sandbox> {
    const host = Host.join();
    const api = host.sandbox();
    try {
      const info = await api.open(
        {
          image: options.image ?? "busybox",
          container: options.container ?? "default",
          readOnly: options.readOnly ?? false,
          imagesUrl: options.imagesUrl ?? defaultImagesUrl(),
          network: options.network ?? true,
          ...(options.proxy ? { proxy: options.proxy } : {}),
          ...(options.programs ? { programs: options.programs } : {}),
        },
        options.onProgress ? proxy(options.onProgress) : undefined,
      );
      return new Sandbox(host, api, info);
    } catch (e) {
      api[releaseProxy]();
      host.leave();
      throw e;
    }
  }

  /** The containers kept in this browser, with their images. */
  static containers(): Promise<ContainerInfo[]> {
    return Sandbox.withWorker((api) => api.containers());
  }

  /** Deletes a container; rejects with EBUSY while a tab has it open. */
  static deleteContainer(name: string): Promise<void> {
    return Sandbox.withWorker((api) => api.deleteContainer(name));
  }

  static renameContainer(from: string, to: string): Promise<void> {
    return Sandbox.withWorker((api) => api.renameContainer(from, to));
  }

  private static async withWorker<T>(body: (api: Remote<SandboxApi>) => Promise<T>): Promise<T> {
    const host = Host.join();
    try {
      const api = host.sandbox();
      try {
        return await body(api);
      } finally {
        api[releaseProxy]();
      }
    } finally {
      host.leave();
    }
  }

  /** Runs a command to its end: a string through `sh -c`, an array as argv. */
  exec(command: string | string[], options: ExecOptions = {}): Promise<ExecResult> {
    return this.api.exec(command, options);
  }

  /**
   * An HTTP request to a server in the container, as a browser would send
   * it to localhost:`port` (`httpd -p 8080`): a Response, as the page's
   * own fetch gives one, whose body streams as the server sends it.
   * Rejects when nothing listens there.
   *
   * The request's body streams too, read as the server takes it. A
   * ReadableStream body (no `duplex` needed) is sent with the
   * Content-Length given in `init.headers`; without one, with its length
   * when it ends within 16 MiB, and chunked beyond (BusyBox's httpd takes
   * only a Content-Length).
   */
  async fetch(port: number, path = "/", init: RequestInit = {}): Promise<Response> {
    const streamed = init.body instanceof ReadableStream ? init.body : null;
    const request = new Request(
      new URL(path, "http://localhost/"),
      streamed ? { ...init, body: null } : init,
    );
    if (streamed && ["GET", "HEAD"].includes(request.method)) {
      throw new TypeError(`a ${request.method} request has no body`);
    }
    const url = new URL(request.url);
    const headers: [string, string][] = [];
    request.headers.forEach((value, name) => headers.push([name, value]));
    const upload = await uploadOf(request, init, streamed);
    const r = await this.api.fetchPort(
      port,
      { method: request.method, path: url.pathname + url.search, headers, body: upload.body },
      upload.read ? proxy(upload.read) : undefined,
    );
    const api = this.api;
    // The body comes as the server sends it, a piece per read.
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const piece = await api.readPort(r.body);
        if (piece) controller.enqueue(piece);
        else controller.close();
      },
      cancel: () => api.cancelPort(r.body),
    });
    const empty = r.status === 204 || r.status === 304 || request.method === "HEAD";
    if (empty) void api.cancelPort(r.body);
    return new Response(empty ? null : stream, {
      status: r.status,
      statusText: r.statusText,
      headers: r.headers,
    });
  }

  /** Resolves once a server listens on the container's TCP `port`: what `fetch(port)` reaches. */
  waitForPort(port: number): Promise<void> {
    return this.api.waitForPort(port);
  }

  /** Starts a program with streams for its stdin, stdout and stderr. */
  async spawn(args: string[], options: Omit<ExecOptions, "stdin"> = {}): Promise<SandboxProcess> {
    let out!: ReadableStreamDefaultController<Uint8Array>;
    let err!: ReadableStreamDefaultController<Uint8Array>;
    const stdout = new ReadableStream<Uint8Array>({ start: (c) => void (out = c) });
    const stderr = new ReadableStream<Uint8Array>({ start: (c) => void (err = c) });
    let ended!: (status: number) => void;
    const exited = new Promise<number>((r) => (ended = r));
    const pid = await this.api.spawn(
      args,
      options,
      proxy((d: Uint8Array) => out.enqueue(d)),
      proxy((d: Uint8Array) => err.enqueue(d)),
      proxy((status: number) => {
        out.close();
        err.close();
        ended(status);
      }),
    );
    const encoder = new TextEncoder();
    const stdin = new WritableStream<Uint8Array | string>({
      write: (chunk) =>
        this.api.writeStdin(pid, typeof chunk === "string" ? encoder.encode(chunk) : chunk),
      close: () => this.api.writeStdin(pid, null),
    });
    return { pid, stdin, stdout, stderr, exited, kill: (signal) => this.api.kill(pid, signal) };
  }

  /** The container's files, as root, by absolute path. */
  readonly fs = {
    readFile: (path: string): Promise<Uint8Array> => this.api.readFile(path),
    readTextFile: async (path: string): Promise<string> =>
      new TextDecoder().decode(await this.api.readFile(path)),
    writeFile: (path: string, data: Uint8Array | string): Promise<void> =>
      this.api.writeFile(path, data),
    readdir: (path: string): Promise<FileInfo[]> => this.api.readdir(path),
  };

  /**
   * A terminal with a login shell: `onOutput` gets the screen's bytes (for
   * xterm.js); send keys with `input`, the size with `resize`. If
   * `onOutput` answers a promise for when the bytes are drawn, programs
   * are paced to the screen: a flood of output waits for it.
   */
  terminal(
    size: { rows: number; cols: number },
    onOutput: (data: Uint8Array) => void | Promise<void>,
  ): Promise<void> {
    return this.api.terminal(size, proxy(onOutput));
  }

  input(data: Uint8Array | string): Promise<void> {
    return this.api.input(typeof data === "string" ? new TextEncoder().encode(data) : data);
  }

  resize(size: { rows: number; cols: number }): Promise<void> {
    return this.api.resize(size);
  }

  /** The terminal shell's working directory. */
  shellCwd(): Promise<string> {
    return this.api.shellCwd();
  }

  /** Drops every change: the container is its image again (the terminal's shell starts over). */
  reset(): Promise<void> {
    return this.api.reset();
  }

  /** Saves the container's changes as image `tag`, which the container then runs. */
  commit(tag: string): Promise<void> {
    return this.api.commit(tag);
  }

  /** The merged tree as a tar; with `layer`, only the changes, as an OCI layer tar. */
  export(options: { layer?: boolean } = {}): Promise<Uint8Array> {
    return this.api.exportTar(Boolean(options.layer));
  }

  /** An OCI layer tar as a new image `tag` on top of `from` (default busybox). */
  import(tar: Uint8Array, tag: string, from?: string): Promise<void> {
    return this.api.importTar(tar, tag, from);
  }

  images(): Promise<string[]> {
    return this.api.images();
  }

  /** Whether changes are waiting to be written to IndexedDB. */
  unsaved(): Promise<boolean> {
    return this.api.unsaved();
  }

  sync(): Promise<void> {
    return this.api.sync();
  }

  /**
   * Why the latest changes could not be stored ("ENOSPC: ..." when the
   * browser's storage for the site is full), while they wait to be stored
   * again; null when nothing failed.
   */
  saveError(): Promise<string | null> {
    return this.api.saveError();
  }

  /**
   * Checks the container's stored state (every change is stored first) and
   * changes nothing: `problems` is empty when it is consistent.
   */
  fsck(): Promise<FsckReport> {
    return this.api.fsck();
  }

  /**
   * Gives the container up at once, as closing the tab would: when no
   * other container of the page shares its worker, the worker ends and
   * changes not yet stored are lost (`sync` first to keep them); else the
   * worker closes it (stopping its programs) as soon as it is free. Either
   * way the container is free for another page.
   */
  terminate(): void {
    this.api[releaseProxy]();
    this.host.leave();
  }

  /** Stops the programs, stores every change and closes the container (the worker ends with the page's last). */
  async close(): Promise<void> {
    try {
      await this.api.close();
    } finally {
      this.api[releaseProxy]();
      this.host.leave();
    }
  }
}

/** Bodies up to this size cross to the worker whole; bigger ones a piece at a time. */
const WHOLE = 65536;

/** A request's body as it crosses to the worker: its bytes, or its length and a reader. */
async function uploadOf(
  request: Request,
  init: RequestInit,
  streamed: ReadableStream | null,
): Promise<{ body: PortWireRequest["body"]; read?: () => Promise<Uint8Array | null> }> {
  let length: number | null;
  let stream: ReadableStream;
  if (streamed) {
    // Headers of its own keep Content-Length, which a Request's drop.
    const declared = new Headers(init.headers).get("content-length");
    length = declared !== null && /^\d+$/.test(declared.trim()) ? Number(declared) : null;
    stream = streamed;
  } else {
    // (Not `request.body`: Firefox's Request has none.)
    if (init.body === undefined || init.body === null) return { body: null };
    const blob = await request.blob();
    if (blob.size <= WHOLE) return { body: new Uint8Array(await blob.arrayBuffer()) };
    length = blob.size;
    stream = blob.stream();
  }
  const reader = stream.getReader();
  return {
    body: { length },
    read: async () => {
      const { done, value } = (await reader.read()) as ReadableStreamReadResult<unknown>;
      if (done) return null;
      if (!(value instanceof Uint8Array))
        throw new TypeError("a request body's stream gives Uint8Arrays");
      return value;
    },
  };
}
