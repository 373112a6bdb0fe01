import { concat } from "../bytes.ts";
import { fail } from "../errno.ts";
import { headEnd, readChunked, type FarEnd } from "./gateway.ts";
import type { Network } from "./socket.ts";
import { retrying } from "../vfs/would-block.ts";

/**
 * A container's server reached from outside it: the library's
 * `box.fetch(port, path)` and the service worker's `/ports/N/...` send an
 * HTTP/1.1 request to what listens on the container's TCP port N (as a
 * browser would to a server on localhost) and read its response. One
 * request per connection (`Connection: close`); the response's body ends
 * at its Content-Length, the end of its chunks, or end-of-file.
 */

export interface PortRequest {
  method: string;
  /** The path and query, from "/". */
  path: string;
  headers: [string, string][];
  body: Uint8Array | null;
}

export interface PortResponse {
  status: number;
  statusText: string;
  headers: [string, string][];
  body: Uint8Array;
}

/** Headers that are this connection's, set here. */
const OWN = new Set(["host", "connection", "content-length", "transfer-encoding", "keep-alive"]);

const encoder = new TextEncoder();

export async function fetchPort(
  network: Network,
  port: number,
  request: PortRequest,
): Promise<PortResponse> {
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail("EINVAL", `port ${port}`);
  if (!request.path.startsWith("/")) fail("EINVAL", `a path from /: ${request.path}`);
  const far = await retrying(() => network.dial(port));
  try {
    const body = request.body ?? new Uint8Array(0);
    const lines = [
      `${request.method} ${request.path} HTTP/1.1`,
      `Host: localhost:${port}`,
      ...request.headers
        .filter(([n]) => !OWN.has(n.toLowerCase()))
        .map(([n, v]) => `${n}: ${v.replace(/[\r\n]+/g, " ")}`),
      ...(body.length > 0 || !["GET", "HEAD"].includes(request.method)
        ? [`Content-Length: ${body.length}`]
        : []),
      "Connection: close",
      "",
      "",
    ];
    await far.write(concat([encoder.encode(lines.join("\r\n")), body]));
    return await readResponse(far, request.method === "HEAD");
  } finally {
    far.close();
  }
}

async function readResponse(far: FarEnd, head: boolean): Promise<PortResponse> {
  let buffered = new Uint8Array(0);
  let end = -1;
  while (end < 0) {
    const more = await far.read(65536);
    if (more.length === 0) fail("EIO", "the server closed the connection before it answered");
    buffered = concat([buffered, more]);
    end = headEnd(buffered);
  }
  const lines = new TextDecoder().decode(buffered.subarray(0, end)).split("\r\n");
  const m = /^HTTP\/1\.[01] (\d{3}) ?(.*)$/.exec(lines[0] ?? "");
  if (!m) fail("EIO", `not an HTTP/1.x response: ${lines[0]}`);
  const headers: [string, string][] = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  const header = (name: string) => headers.find(([n]) => n.toLowerCase() === name)?.[1];
  const status = Number(m[1]);
  const rest = buffered.subarray(end + 4);
  let body: Uint8Array;
  if (head || status === 204 || status === 304) {
    body = new Uint8Array(0);
  } else if (/\bchunked\b/i.test(header("transfer-encoding") ?? "")) {
    const got = await readChunked(far, rest);
    if (typeof got === "string") fail("EIO", got);
    body = got;
  } else {
    const parts: Uint8Array[] = [rest];
    for (;;) {
      const more = await far.read(65536);
      if (more.length === 0) break;
      parts.push(more);
    }
    body = concat(parts);
    const length = header("content-length");
    if (length !== undefined) body = body.subarray(0, Number(length));
  }
  return {
    status,
    statusText: m[2] ?? "",
    headers: headers.filter(
      ([n]) => !["transfer-encoding", "connection"].includes(n.toLowerCase()),
    ),
    body,
  };
}
