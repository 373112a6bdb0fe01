import { concat } from "../bytes.ts";
import { ErrnoError, fail } from "../errno.ts";
import { retrying } from "../vfs/would-block.ts";
import { headEnd, type FarEnd } from "./gateway.ts";
import type { Network } from "./socket.ts";

/**
 * A container's server reached from outside it: the library's
 * `box.fetch(port, path)` and the service worker's `/ports/N/...` send an
 * HTTP/1.1 request to what listens on the container's TCP port N (as a
 * browser would to a server on localhost) and read its response, whose
 * body is read as it comes (`PortBody`), not gathered first. A request's
 * body can come the same way (`PortUpload`): sent as it is read, with the
 * server's reading as the pace. One request per connection (`Connection:
 * close`); the response's body ends at its Content-Length, the end of its
 * chunks, or end-of-file.
 */

export interface PortRequest {
  method: string;
  /** The path and query, from "/". */
  path: string;
  headers: [string, string][];
  body: Uint8Array | PortUpload | null;
}

/**
 * A request's body read a piece at a time (null at its end), and its
 * length if known. One of unknown length (a service worker is not told a
 * request's length) is sent with its Content-Length when it ends within
 * `READ_AHEAD` bytes, since servers such as BusyBox's httpd and Python's
 * http.server take no other; a longer one is sent chunked as it comes.
 */
export interface PortUpload {
  length: number | null;
  read(): Promise<Uint8Array | null>;
}

/** How much of a body of unknown length is read before it is sent chunked. */
export const READ_AHEAD = 16 << 20;

/** A response's status line and headers. */
export interface PortResponseHead {
  status: number;
  statusText: string;
  headers: [string, string][];
}

/** A response's body, read a piece at a time; null at its end. */
export interface PortBody {
  read(): Promise<Uint8Array | null>;
  /** The reader is gone: the connection closes (the server gets EPIPE). */
  cancel(): void;
}

/** Headers that are this connection's, set here. */
const OWN = new Set(["host", "connection", "content-length", "transfer-encoding", "keep-alive"]);
const PIECE = 65536;

const encoder = new TextEncoder();

/** Sends `request` to the container's `port`; resolves once the response's head is in. */
export async function fetchPort(
  network: Network,
  port: number,
  request: PortRequest,
): Promise<PortResponseHead & { body: PortBody }> {
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail("EINVAL", `port ${port}`);
  if (!request.path.startsWith("/")) fail("EINVAL", `a path from /: ${request.path}`);
  const far = await retrying(() => network.dial(port));
  try {
    const body = await framed(request.body);
    const lines = [
      `${request.method} ${request.path} HTTP/1.1`,
      `Host: localhost:${port}`,
      ...request.headers
        .filter(([n]) => !OWN.has(n.toLowerCase()))
        .map(([n, v]) => `${n}: ${v.replace(/[\r\n]+/g, " ")}`),
      ...(body.length === null
        ? ["Transfer-Encoding: chunked"]
        : body.length > 0 || !["GET", "HEAD"].includes(request.method)
          ? [`Content-Length: ${body.length}`]
          : []),
      "Connection: close",
      "",
      "",
    ];
    // The body is sent while the response is awaited: a server may answer
    // before it has read it all (and then stops reading: EPIPE ends the
    // sending, not the request).
    let failed: unknown = null;
    void send(far, encoder.encode(lines.join("\r\n")), body).catch((e: unknown) => {
      if (e instanceof ErrnoError && e.errno === "EPIPE") return;
      failed = e;
      far.close();
    });
    try {
      return await readHead(far, request.method === "HEAD");
    } catch (e) {
      throw failed ?? e;
    }
  } catch (e) {
    far.close();
    throw e;
  }
}

/** A request's body as it will be sent: its first bytes, the rest to read, and its length (null: chunked). */
interface Framed {
  first: Uint8Array[];
  rest: PortUpload | null;
  length: number | null;
}

async function framed(body: PortRequest["body"]): Promise<Framed> {
  if (body === null) return { first: [], rest: null, length: 0 };
  if (body instanceof Uint8Array) return { first: [body], rest: null, length: body.length };
  if (body.length !== null) return { first: [], rest: body, length: body.length };
  const first: Uint8Array[] = [];
  let size = 0;
  while (size <= READ_AHEAD) {
    const piece = await body.read();
    if (piece === null) return { first, rest: null, length: size };
    first.push(piece);
    size += piece.length;
  }
  // Too long to hold: what was read is the first chunk.
  const head = concat(first);
  return { first: [chunk(head)], rest: body, length: null };
}

/** The request's head and body: the body's bytes as they are, or as chunks ending with the last. */
async function send(far: FarEnd, head: Uint8Array, body: Framed): Promise<void> {
  await far.write(concat([head, ...body.first]));
  if (!body.rest) return;
  let left = body.length ?? Infinity;
  for (let piece = await body.rest.read(); piece; piece = await body.rest.read()) {
    if (piece.length === 0) continue;
    if (piece.length > left)
      fail("EIO", `the request's body is longer than its ${body.length} bytes`);
    left -= piece.length;
    await far.write(body.length === null ? chunk(piece) : piece);
  }
  if (body.length === null) await far.write(encoder.encode("0\r\n\r\n"));
  else if (left > 0)
    fail("EIO", `the request's body ended ${left} bytes short of its ${body.length}`);
}

function chunk(piece: Uint8Array): Uint8Array {
  return concat([
    encoder.encode(`${piece.length.toString(16)}\r\n`),
    piece,
    encoder.encode("\r\n"),
  ]);
}

/** The whole body (tests, small answers). */
export async function readAll(body: PortBody): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for (let piece = await body.read(); piece; piece = await body.read()) parts.push(piece);
  return concat(parts);
}

async function readHead(
  far: FarEnd,
  head: boolean,
): Promise<PortResponseHead & { body: PortBody }> {
  let buffered = new Uint8Array(0);
  let end: { at: number; skip: number } | null = null;
  while (!end) {
    const more = await far.read(PIECE);
    if (more.length === 0) fail("EIO", "the server closed the connection before it answered");
    buffered = concat([buffered, more]);
    end = headEnd(buffered);
  }
  const lines = new TextDecoder().decode(buffered.subarray(0, end.at)).split(/\r?\n/);
  const m = /^HTTP\/1\.[01] (\d{3}) ?(.*)$/.exec(lines[0] ?? "");
  if (!m) fail("EIO", `not an HTTP/1.x response: ${lines[0]}`);
  const headers: [string, string][] = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  const header = (name: string) => headers.find(([n]) => n.toLowerCase() === name)?.[1];
  const status = Number(m[1]);
  const rest = buffered.subarray(end.at + end.skip);
  const length = header("content-length");
  const body =
    head || status === 204 || status === 304
      ? new Counted(far, rest, 0)
      : /\bchunked\b/i.test(header("transfer-encoding") ?? "")
        ? new Chunked(far, rest)
        : length !== undefined && /^\d+$/.test(length)
          ? new Counted(far, rest, Number(length))
          : new Counted(far, rest, Infinity);
  return {
    status,
    statusText: m[2] ?? "",
    headers: headers.filter(
      ([n]) => !["transfer-encoding", "connection"].includes(n.toLowerCase()),
    ),
    body,
  };
}

/** A body of `left` bytes (Infinity: to end-of-file), `first` of them read already. */
class Counted implements PortBody {
  private done = false;

  constructor(
    private readonly far: FarEnd,
    private first: Uint8Array | null,
    private left: number,
  ) {}

  async read(): Promise<Uint8Array | null> {
    if (this.done) return null;
    let piece: Uint8Array;
    if (this.first && this.first.length > 0) {
      piece = this.first;
      this.first = null;
    } else {
      piece = this.left > 0 ? await this.far.read(Math.min(PIECE, this.left)) : new Uint8Array(0);
    }
    piece = piece.subarray(0, Math.min(piece.length, this.left));
    this.left -= piece.length;
    if (piece.length === 0) {
      this.cancel();
      return null;
    }
    return piece;
  }

  cancel(): void {
    this.done = true;
    this.far.close();
  }
}

/** A chunked body: each chunk's bytes passed on as they come. */
class Chunked implements PortBody {
  private done = false;
  /** Bytes of the current chunk not passed on yet; -1 before a size line. */
  private inChunk = -1;

  constructor(
    private readonly far: FarEnd,
    private buf: Uint8Array,
  ) {}

  async read(): Promise<Uint8Array | null> {
    for (;;) {
      if (this.done) return null;
      if (this.inChunk < 0) {
        const size = await this.line();
        const n = size === null ? NaN : parseInt(size, 16);
        if (!Number.isFinite(n) || n < 0) return this.end();
        if (n === 0) return this.end();
        this.inChunk = n;
      }
      if (this.inChunk === 0) {
        // The CRLF after a chunk's bytes.
        if ((await this.line()) === null) return this.end();
        this.inChunk = -1;
        continue;
      }
      if (this.buf.length === 0 && !(await this.more())) return this.end();
      const piece = this.buf.subarray(0, Math.min(this.inChunk, this.buf.length));
      this.buf = this.buf.subarray(piece.length);
      this.inChunk -= piece.length;
      return piece;
    }
  }

  cancel(): void {
    this.done = true;
    this.far.close();
  }

  private end(): null {
    this.cancel();
    return null;
  }

  private async more(): Promise<boolean> {
    const got = await this.far.read(PIECE);
    if (got.length === 0) return false;
    this.buf = this.buf.length === 0 ? got : concat([this.buf, got]);
    return true;
  }

  private async line(): Promise<string | null> {
    for (;;) {
      const i = this.buf.findIndex((b, j) => b === 13 && this.buf[j + 1] === 10);
      if (i >= 0) {
        const text = new TextDecoder().decode(this.buf.subarray(0, i));
        this.buf = this.buf.subarray(i + 2);
        return text;
      }
      if (!(await this.more())) return null;
    }
  }
}
