import { concat } from "../bytes.ts";
import { ErrnoError, fail } from "../errno.ts";

/**
 * The gateway: the container's way out to the web. A TCP connection from
 * a process to an address outside the container, on port 80 or 443, ends
 * here instead of at a server: the gateway reads the HTTP request the
 * program sends, makes it with the host's `fetch` (http for port 80, https
 * for 443: TLS is the host's, never the program's), and writes the answer
 * back as an HTTP/1.1 response, its body streamed as it comes. One request
 * per connection: the response says `Connection: close`.
 *
 * Names: a name not in /etc/hosts is resolved here (compat/net.c's
 * getaddrinfo asks the kernel), to an address of 198.18.0.0/15 (RFC 2544's
 * range, which no host on the web has) that stands for it; a connection to
 * that address fetches the name, which the host resolves (in a browser, the
 * only way: a page cannot ask DNS). An address a program names itself is
 * fetched as that address.
 *
 * What the host's fetch refuses becomes a "502 Bad Gateway" whose reason
 * says why in one line, which HTTP clients print (`wget: server returned
 * error: HTTP/1.1 502 http://…: blocked by the browser (CORS): …`). The
 * page's cookies and credentials are never sent.
 */

/** The host's fetch, as much of it as the gateway uses. */
export type HostFetch = (url: string, init: FetchInit) => Promise<FetchResponse>;

/** What the gateway asks of the host. */
export interface GatewayOptions {
  /** The host's HTTP client; the global `fetch` by default. */
  fetch?: HostFetch;
  /**
   * A CORS proxy: a URL prefix the request's URL is appended to (as it
   * is, or URI-encoded when the prefix ends with "="), for servers that do
   * not allow the page's origin.
   */
  proxy?: string;
  /**
   * Whether the page's CORS rules apply (a browser): a failed fetch is
   * then told apart as a CORS refusal or an unreachable server.
   */
  cors?: boolean;
}

/** The far end of a connection, which the gateway serves (socket.ts makes it). */
export interface FarEnd {
  /** Up to `max` bytes the program sent; empty at end-of-file. */
  read(max: number): Promise<Uint8Array>;
  /** Writes all of `data`; fails (EPIPE) once the program closed its end. */
  write(data: Uint8Array): Promise<void>;
  /** Sends no more: the program reads end-of-file once it has read what was sent. */
  end(): void;
  /** Closes both directions: the program reads end-of-file. */
  close(): void;
}

/** The ports whose HTTP is passed to fetch, and the scheme each means. */
export const GATEWAY_PORTS: ReadonlyMap<number, "http" | "https"> = new Map([
  [80, "http"],
  [443, "https"],
]);

/** The first address names are given (198.18.0.0/15), as a number. */
const NAMES_FIRST = (198 << 24) | (18 << 16);
const NAMES_COUNT = 1 << 17;
/** The biggest request head and body the gateway takes. */
const MAX_HEAD = 64 * 1024;
const MAX_BODY = 64 * 1024 * 1024;
/** Headers the program sent that are the connection's, not the request's (or fetch's to set). */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "host",
  "content-length",
]);

const encoder = new TextEncoder();

export class Gateway {
  private readonly names = new Map<string, number>();
  private readonly addresses = new Map<number, string>();
  private readonly fetch: HostFetch;

  constructor(readonly options: GatewayOptions = {}) {
    this.fetch = options.fetch ?? ((url, init) => fetch(url, init));
  }

  /** The address standing for host name `name` (ENOENT if it cannot be one). */
  resolve(name: string): Uint8Array {
    const host = name.toLowerCase().replace(/\.$/, "");
    if (
      !/^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/.test(
        host,
      )
    ) {
      fail("ENOENT", `${name}: not a host name`);
    }
    let n = this.names.get(host);
    if (n === undefined) {
      if (this.names.size >= NAMES_COUNT - 2) fail("ENOENT", "too many names");
      n = NAMES_FIRST + 1 + this.names.size;
      this.names.set(host, n);
      this.addresses.set(n, host);
    }
    return Uint8Array.of(n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
  }

  /** The host part of a URL for an address: the name it stands for, or the address. */
  hostOf(address: Uint8Array): string {
    const v4 = address.length === 4 ? address : isMapped(address) ? address.subarray(12) : null;
    if (v4) {
      const n = ((v4[0]! << 24) | (v4[1]! << 16) | (v4[2]! << 8) | v4[3]!) >>> 0;
      return this.addresses.get(n | 0) ?? [...v4].join(".");
    }
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2)
      groups.push(((address[i]! << 8) | address[i + 1]!).toString(16));
    return `[${groups.join(":")}]`;
  }

  /**
   * Serves one connection to `address`:`port` (a port of GATEWAY_PORTS):
   * its request, then the response. `say` tells the connecting process
   * something it should know (a line on its stderr).
   */
  async serve(
    far: FarEnd,
    address: Uint8Array,
    port: number,
    say: (line: string) => void,
  ): Promise<void> {
    const scheme = GATEWAY_PORTS.get(port) ?? "http";
    const origin = `${scheme}://${this.hostOf(address)}${port === (scheme === "https" ? 443 : 80) ? "" : `:${port}`}`;
    try {
      const request = await readRequest(far);
      if (request === null) return;
      if ("tls" in request) {
        say(
          `overbox: ${origin}: the program speaks TLS; TLS is the host's here: send plain HTTP to port 443 and the host's fetch makes it https`,
        );
        return;
      }
      if ("error" in request) {
        await respondError(far, request.status, request.error);
        return;
      }
      await this.answer(far, origin, request);
    } catch (e) {
      // The program went away (EPIPE): nothing to tell.
      if (!(e instanceof ErrnoError)) throw e;
    } finally {
      far.close();
    }
  }

  private async answer(far: FarEnd, origin: string, request: HttpRequest): Promise<void> {
    const url = origin + request.path;
    const target = this.options.proxy
      ? this.options.proxy + (this.options.proxy.endsWith("=") ? encodeURIComponent(url) : url)
      : url;
    const init: FetchInit = {
      method: request.method,
      headers: request.headers.filter(([name]) => {
        const n = name.toLowerCase();
        // In a browser the page's User-Agent goes; the program's would
        // only make Firefox ask the server's leave first (a preflight).
        return !HOP_BY_HOP.has(n) && !(this.options.cors && n === "user-agent");
      }),
      body: request.body.length > 0 ? request.body : null,
      credentials: "omit",
      redirect: "follow",
      cache: "no-store",
    };
    let response: FetchResponse;
    try {
      response = await this.fetch(target, init);
    } catch (e) {
      await respondError(far, 502, `${url}: ${await this.whyFailed(target, e)}`);
      return;
    }
    const head = [
      `HTTP/1.1 ${response.status} ${response.statusText || reasonOf(response.status)}`,
    ];
    let encoded = false;
    response.headers.forEach((_value, name) => {
      if (name.toLowerCase() === "content-encoding") encoded = true;
    });
    // A cross-origin response hides its Content-Encoding: its length is
    // kept only where it is known to be the length of the bytes passed on.
    const lengthKnown = !encoded && (!this.options.cors || response.type === "basic");
    response.headers.forEach((value, name) => {
      const n = name.toLowerCase();
      if (n === "content-length") {
        if (lengthKnown) head.push(`${name}: ${value}`);
        return;
      }
      if (HOP_BY_HOP.has(n) || n === "content-encoding") return;
      head.push(`${name}: ${value}`);
    });
    head.push("Connection: close", "", "");
    await far.write(encoder.encode(head.join("\r\n")));
    if (!response.body || request.method === "HEAD") return;
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (value && value.length > 0) await far.write(value);
      }
    } catch (e) {
      await reader.cancel().catch(() => undefined);
      if (e instanceof ErrnoError) throw e;
      // The host lost the body midway: the program reads a short body, then end-of-file.
    }
  }

  /** One line: why the host's fetch failed. */
  private async whyFailed(url: string, e: unknown): Promise<string> {
    if (this.options.cors) {
      // A browser says nothing more than "TypeError" for both a CORS
      // refusal and an unreachable server: an opaque request, which CORS
      // does not check, tells them apart.
      try {
        await this.fetch(url, {
          method: "GET",
          mode: "no-cors",
          credentials: "omit",
          cache: "no-store",
        });
        return "blocked by the browser (CORS): the server must send Access-Control-Allow-Origin";
      } catch {
        return "the browser could not reach it";
      }
    }
    const cause = (e as { cause?: { message?: string } }).cause?.message;
    return cause ?? (e instanceof Error ? e.message : String(e));
  }
}

/** A request as the program sent it. */
interface HttpRequest {
  method: string;
  path: string;
  headers: [string, string][];
  body: Uint8Array<ArrayBuffer>;
}

type ReadResult = HttpRequest | { tls: true } | { error: string; status: number } | null;

/** Reads one HTTP/1.x request; null if the program sent nothing. */
async function readRequest(far: FarEnd): Promise<ReadResult> {
  let buffered = new Uint8Array(0);
  let end: { at: number; skip: number } | null = null;
  while (!end) {
    const more = await far.read(65536);
    if (more.length === 0) {
      if (buffered.length === 0) return null;
      return { error: "the request ended before its headers did", status: 400 };
    }
    buffered = concat([buffered, more]);
    // A TLS record of a handshake: type 22, version 3.x.
    if (buffered[0] === 0x16 && buffered[1] === 3) return { tls: true };
    end = headEnd(buffered);
    if (!end && buffered.length > MAX_HEAD)
      return { error: "the request's headers are too long", status: 431 };
  }
  const lines = new TextDecoder().decode(buffered.subarray(0, end.at)).split(/\r?\n/);
  const m = /^([A-Za-z]+) (\S+) HTTP\/1\.[01]$/.exec(lines[0] ?? "");
  if (!m) return { error: "not an HTTP/1.x request", status: 400 };
  const method = m[1]!.toUpperCase();
  if (method === "CONNECT")
    return { error: "CONNECT is not passed on: TLS is the host's", status: 405 };
  let path = m[2]!;
  const absolute = /^https?:\/\/[^/]*(\/.*)?$/i.exec(path);
  if (absolute) path = absolute[1] ?? "/";
  if (!path.startsWith("/"))
    return { error: `a request target the gateway cannot fetch: ${path}`, status: 400 };
  const headers: [string, string][] = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon <= 0) return { error: "a malformed header line", status: 400 };
    headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  const header = (name: string) => headers.find(([n]) => n.toLowerCase() === name)?.[1];
  const rest = buffered.subarray(end.at + end.skip);
  const chunked = /\bchunked\b/i.test(header("transfer-encoding") ?? "");
  const body = chunked
    ? await readChunked(far, rest)
    : await readLength(far, rest, Number(header("content-length") ?? 0));
  if (typeof body === "string") return { error: body, status: 400 };
  return { method, path, headers, body };
}

/**
 * Where a message's head ends: the index of the empty line that ends it,
 * and the length of the line breaks there ("\r\n\r\n", or "\n\n" as CGI
 * programs write and HTTP clients take); null if it is not in yet.
 */
export function headEnd(b: Uint8Array): { at: number; skip: number } | null {
  for (let i = 0; i + 1 < b.length; i++) {
    if (b[i] !== 10) continue;
    const after = b[i + 1] === 10 ? i + 2 : b[i + 1] === 13 && b[i + 2] === 10 ? i + 3 : -1;
    if (after < 0) continue;
    const at = i > 0 && b[i - 1] === 13 ? i - 1 : i;
    return { at, skip: after - at };
  }
  return null;
}

async function readLength(
  far: FarEnd,
  first: Uint8Array,
  length: number,
): Promise<Uint8Array<ArrayBuffer> | string> {
  if (!Number.isSafeInteger(length) || length < 0) return "a malformed Content-Length";
  if (length > MAX_BODY) return "a request body bigger than 64 MiB";
  const parts = [first.subarray(0, length)];
  let got = parts[0]!.length;
  while (got < length) {
    const more = await far.read(length - got);
    if (more.length === 0) return "the request body ended early";
    parts.push(more);
    got += more.length;
  }
  return concat(parts);
}

async function readChunked(
  far: FarEnd,
  first: Uint8Array,
): Promise<Uint8Array<ArrayBuffer> | string> {
  let buf: Uint8Array = first;
  const parts: Uint8Array[] = [];
  let total = 0;
  const need = async (n: number): Promise<boolean> => {
    while (buf.length < n) {
      const more = await far.read(65536);
      if (more.length === 0) return false;
      buf = concat([buf, more]);
    }
    return true;
  };
  const line = async (): Promise<string | null> => {
    for (;;) {
      const i = buf.findIndex((b, j) => b === 13 && buf[j + 1] === 10);
      if (i >= 0) {
        const text = new TextDecoder().decode(buf.subarray(0, i));
        buf = buf.subarray(i + 2);
        return text;
      }
      if (!(await need(buf.length + 1))) return null;
    }
  };
  for (;;) {
    const size = await line();
    if (size === null) return "the chunked body ended early";
    const n = parseInt(size, 16);
    if (!Number.isFinite(n) || n < 0) return "a malformed chunk size";
    if (n === 0) break;
    total += n;
    if (total > MAX_BODY) return "a request body bigger than 64 MiB";
    if (!(await need(n + 2))) return "the chunked body ended early";
    parts.push(buf.slice(0, n));
    buf = buf.subarray(n + 2);
  }
  // Trailers, up to the empty line.
  for (;;) {
    const t = await line();
    if (t === null || t === "") break;
  }
  return concat(parts);
}

async function respondError(far: FarEnd, status: number, reason: string): Promise<void> {
  const oneLine = reason.replace(/[\r\n]+/g, " ");
  const body = encoder.encode(`${oneLine}\n`);
  const head =
    `HTTP/1.1 ${status} ${oneLine}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
    `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
  await far.write(concat([encoder.encode(head), body]));
}

function reasonOf(status: number): string {
  return REASONS[status] ?? "";
}

const REASONS: Record<number, string> = {
  200: "OK",
  201: "Created",
  204: "No Content",
  206: "Partial Content",
  301: "Moved Permanently",
  302: "Found",
  304: "Not Modified",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
};

function isMapped(a: Uint8Array): boolean {
  return (
    a.length === 16 && a.subarray(0, 10).every((b) => b === 0) && a[10] === 0xff && a[11] === 0xff
  );
}

/** What the gateway passes to the host's fetch. */
export interface FetchInit {
  method: string;
  headers?: [string, string][];
  body?: Uint8Array<ArrayBuffer> | null;
  credentials: "omit";
  redirect?: "follow";
  cache: "no-store";
  mode?: "cors" | "no-cors";
}

/** What it reads of the host's response. */
export interface FetchResponse {
  readonly status: number;
  readonly statusText: string;
  /** "basic" for a same-origin response in a browser. */
  readonly type: string;
  readonly headers: { forEach(each: (value: string, name: string) => void): void };
  readonly body: {
    getReader(): {
      read(): Promise<{ done: boolean; value?: Uint8Array }>;
      cancel(): Promise<void>;
    };
  } | null;
}
