import { readFile, stat } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Socket } from "node:net";
import { extname, join, normalize } from "node:path";
import { promisify } from "node:util";
import { gzip as gzipCallback } from "node:zlib";

const gzip = promisify(gzipCallback);

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".png": "image/png",
  ".svg": "image/svg+xml",
};

/**
 * What `gzip` compresses: text, scripts, wasm, and files without a known
 * type (an image's layer blobs, which hold tar-like file data and a wasm
 * program). Already compressed formats (PNG) are sent as they are.
 */
const COMPRESSIBLE = new Set([
  "text/html; charset=utf-8",
  "text/javascript",
  "text/css",
  "application/json",
  "application/wasm",
  "image/svg+xml",
  "application/octet-stream",
]);

export interface StaticServerOptions {
  /**
   * Gzip compressible responses (COMPRESSIBLE) when the request accepts
   * gzip, as a static host does. Each file is compressed once (zlib's
   * default level, 6) and kept while its modification time stays the same.
   */
  gzip?: boolean;
  /**
   * Hears each response once it is over: the bytes written to the socket
   * for it (status line, headers and body as sent), and its request.
   */
  onBytes?(bytes: number, request: IncomingMessage): void;
}

/**
 * The plainest static file server: files from `dir` with a content type
 * and length, and nothing else (no COOP/COEP, no caching headers, no SPA fallback), to
 * show that the built site needs no more than that. The benchmarks add
 * gzip and count the bytes sent (`options`).
 */
export async function serveStatic(
  dir: string,
  options: StaticServerOptions = {},
): Promise<{ url: string; close: () => Promise<void> }> {
  const compressed = new Map<string, { mtimeMs: number; body: Promise<Buffer> }>();
  const gzipped = (file: string, mtimeMs: number, body: Buffer): Promise<Buffer> => {
    const cached = compressed.get(file);
    if (cached?.mtimeMs === mtimeMs) return cached.body;
    const entry = { mtimeMs, body: gzip(body) };
    compressed.set(file, entry);
    return entry.body;
  };
  /** Bytes written on each socket when its last response ended. */
  const counted = new WeakMap<Socket, number>();
  const count = (request: IncomingMessage) => {
    const socket: Socket = request.socket;
    const before = counted.get(socket) ?? 0;
    counted.set(socket, socket.bytesWritten);
    options.onBytes?.(socket.bytesWritten - before, request);
  };

  const server: Server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    if (options.onBytes) res.once("close", () => count(req));
    let file = join(dir, normalize(path));
    if (!file.startsWith(dir)) {
      res.writeHead(403).end();
      return;
    }
    try {
      let info = await stat(file);
      if (info.isDirectory()) {
        file = join(file, "index.html");
        info = await stat(file);
      }
      let body: Buffer = await readFile(file);
      const type = TYPES[extname(file)] ?? "application/octet-stream";
      const headers: Record<string, string | number> = { "Content-Type": type };
      if (
        options.gzip &&
        COMPRESSIBLE.has(type) &&
        /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""))
      ) {
        body = await gzipped(file, info.mtimeMs, body);
        headers["Content-Encoding"] = "gzip";
        headers["Vary"] = "Accept-Encoding";
      }
      headers["Content-Length"] = body.length;
      res.writeHead(200, headers);
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, "localhost", r));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("no port");
  return {
    url: `http://localhost:${address.port}/`,
    close: () =>
      new Promise((r) => {
        server.close(() => r());
        // Keep-alive connections would hold close() until they time out.
        server.closeAllConnections();
      }),
  };
}
