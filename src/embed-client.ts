/**
 * For host pages: an embed (an `<iframe src="embed.html?...&origins=...">`)
 * driven through its postMessage API (src/embed-protocol.ts).
 *
 *   const box = new EmbeddedSandbox(document.querySelector("iframe")!);
 *   await box.ready;
 *   const { exitCode, stdout } = await box.exec("ls /etc");
 *   box.on("output", (text) => console.log(text));
 *
 * The host page's origin must be in the embed's `origins` parameter, or
 * the embed answers nothing and `ready` never comes. Make the
 * EmbeddedSandbox when the iframe starts loading (its first `ready` would
 * otherwise be missed); one per iframe.
 */
import type { EmbedRequest, FromEmbed, ReadyEvent, RequestId } from "./embed-protocol.ts";

export type { ReadyEvent };

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  stdin?: string | Uint8Array;
  cwd?: string;
  env?: Record<string, string>;
}

export interface StreamOptions extends ExecOptions {
  onStdout?: (text: string) => void;
  onStderr?: (text: string) => void;
}

interface Events {
  /** The shell is up (again, after the embed reloaded). */
  ready: (event: ReadyEvent) => void;
  /** The terminal's output, as text with its escape sequences. */
  output: (text: string) => void;
  /** The container could not be opened. */
  failed: (message: string) => void;
}

/** Request fields, without those the client adds. */
type Without<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type Request = Without<EmbedRequest, "overbox" | "id">;

interface Pending {
  resolve: (reply: FromEmbed & { type: "result" }) => void;
  reject: (error: Error) => void;
}

interface Stream {
  options: StreamOptions;
  resolve: (exitCode: number) => void;
}

export class EmbeddedSandbox {
  /** Resolves with the first `ready` event; rejects if the embed says it `failed`. */
  readonly ready: Promise<ReadyEvent>;
  /** The embed's origin, where requests are posted (never "*"). */
  readonly origin: string;

  private nextId = 1;
  private readonly pending = new Map<RequestId, Pending>();
  private readonly streams = new Map<RequestId, Stream>();
  private readonly listeners: { [K in keyof Events]: Set<Events[K]> } = {
    ready: new Set(),
    output: new Set(),
    failed: new Set(),
  };
  private readonly onMessage = (e: MessageEvent) => this.receive(e);

  constructor(readonly iframe: HTMLIFrameElement) {
    this.origin = new URL(iframe.src, document.baseURI).origin;
    this.ready = new Promise((resolve, reject) => {
      const off = [
        this.on("ready", (event) => (off.forEach((f) => f()), resolve(event))),
        this.on("failed", (message) => (off.forEach((f) => f()), reject(new Error(message)))),
      ];
    });
    this.ready.catch(() => undefined); // Not unhandled: requests and `on("failed")` say it.
    addEventListener("message", this.onMessage);
  }

  /** Runs a command to its end: a string with `sh -c`, an array as argv. */
  async exec(command: string | string[], options: ExecOptions = {}): Promise<ExecResult> {
    const r = await this.request({ type: "exec", command, ...execFields(options) });
    if (!("exitCode" in r)) throw new Error("overbox embed: an exec's reply without its status");
    return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr };
  }

  /** Runs a command whose output is handed over as it comes; resolves with its status. */
  async stream(command: string | string[], options: StreamOptions = {}): Promise<number> {
    const id = this.nextId++;
    const ended = new Promise<number>((resolve) => this.streams.set(id, { options, resolve }));
    try {
      await this.request({ type: "exec", command, stream: true, ...execFields(options) }, id);
    } catch (e) {
      this.streams.delete(id);
      throw e;
    }
    return ended;
  }

  async readFile(path: string): Promise<Uint8Array> {
    const r = await this.request({ type: "readFile", path, as: "bytes" });
    if (!("data" in r) || typeof r.data === "string") throw new Error("expected bytes");
    return r.data;
  }

  async readTextFile(path: string): Promise<string> {
    const r = await this.request({ type: "readFile", path });
    if (!("data" in r) || typeof r.data !== "string") throw new Error("expected text");
    return r.data;
  }

  async writeFile(path: string, data: string | Uint8Array): Promise<void> {
    await this.request({ type: "writeFile", path, data });
  }

  /** Drops every change to the container; its terminal starts a new shell. */
  async reset(): Promise<void> {
    await this.request({ type: "reset" });
  }

  /** Types into the terminal ("ls\r" runs ls where the reader sees it). */
  async input(data: string): Promise<void> {
    await this.request({ type: "input", data });
  }

  /** Listens to an event; returns the function that stops listening. */
  on<K extends keyof Events>(type: K, listener: Events[K]): () => void {
    const set = this.listeners[type] as Set<Events[K]>;
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Stops listening to the embed; requests still waiting are rejected. */
  close(): void {
    removeEventListener("message", this.onMessage);
    for (const p of this.pending.values()) p.reject(new Error("the EmbeddedSandbox was closed"));
    this.pending.clear();
    this.streams.clear();
  }

  /** Posts a request once the embed is ready (before, it would not be listening yet). */
  private async request(
    body: Request,
    id: RequestId = this.nextId++,
  ): Promise<FromEmbed & { type: "result" }> {
    await this.ready;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const message = { overbox: 1, id, ...body } as EmbedRequest;
      this.iframe.contentWindow?.postMessage(message, this.origin);
    });
  }

  private receive(e: MessageEvent): void {
    if (e.source !== this.iframe.contentWindow || e.origin !== this.origin) return;
    const m = e.data as FromEmbed;
    if (typeof m !== "object" || m === null || m.overbox !== 1) return;
    switch (m.type) {
      case "result":
      case "error": {
        const p = m.id === null ? undefined : this.pending.get(m.id);
        if (!p || m.id === null) return;
        this.pending.delete(m.id);
        if (m.type === "result") p.resolve(m);
        else p.reject(new Error(m.message));
        return;
      }
      case "stdout":
      case "stderr": {
        const options = this.streams.get(m.id)?.options;
        (m.type === "stdout" ? options?.onStdout : options?.onStderr)?.(m.data);
        return;
      }
      case "exit":
        this.streams.get(m.id)?.resolve(m.exitCode);
        this.streams.delete(m.id);
        return;
      case "ready":
        this.listeners.ready.forEach((f) => f(m));
        return;
      case "output":
        this.listeners.output.forEach((f) => f(m.data));
        return;
      case "failed":
        this.listeners.failed.forEach((f) => f(m.message));
        return;
    }
  }
}

function execFields({ stdin, cwd, env }: ExecOptions): ExecOptions {
  return {
    ...(stdin !== undefined ? { stdin } : {}),
    ...(cwd !== undefined ? { cwd } : {}),
    ...(env !== undefined ? { env } : {}),
  };
}
