import { describe, expect, it } from "vitest";
import { retrying } from "../vfs/would-block.ts";
import { fetchPort, readAll } from "./ports.ts";
import { Network } from "./socket.ts";

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** A server on 127.0.0.1:`port` that answers one connection with `answer(request)`. */
function serveOnce(net: Network, port: number, answer: (request: string) => string): Promise<void> {
  const listener = net.socket("inet", "stream");
  net.bindIp(listener, { family: "inet", address: Uint8Array.of(127, 0, 0, 1), port });
  listener.listen(1);
  return (async () => {
    const conn = await retrying(() => listener.accept());
    let request = "";
    while (
      !request.includes("\r\n\r\n") ||
      !request.endsWith(request.includes("POST") ? "body!" : "\r\n\r\n")
    ) {
      const got = await retrying(() => conn.read(65536));
      if (got.length === 0) break;
      request += text(got);
    }
    conn.write(bytes(answer(request)));
    conn.drop();
    listener.drop();
  })();
}

describe("a request to a container's port from outside (fetchPort)", () => {
  it("sends an HTTP/1.1 request to what listens there and reads its response", async () => {
    const net = new Network();
    let seen = "";
    const served = serveOnce(net, 8080, (r) => {
      seen = r;
      return "HTTP/1.1 201 Created\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello";
    });
    const r = await fetchPort(net, 8080, {
      method: "POST",
      path: "/a?b=1",
      headers: [
        ["X-Test", "1"],
        ["Host", "ignored"],
      ],
      body: bytes("body!"),
    });
    await served;
    expect(seen).toBe(
      "POST /a?b=1 HTTP/1.1\r\nHost: localhost:8080\r\nX-Test: 1\r\nContent-Length: 5\r\nConnection: close\r\n\r\nbody!",
    );
    expect({ ...r, body: text(await readAll(r.body)) }).toEqual({
      status: 201,
      statusText: "Created",
      headers: [
        ["Content-Type", "text/plain"],
        ["Content-Length", "5"],
      ],
      body: "hello",
    });
  });

  it("reads a chunked body, one that ends at end-of-file, and a head with bare line feeds", async () => {
    const net = new Network();
    const chunked = serveOnce(
      net,
      8081,
      () => "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n1\r\nd\r\n0\r\n\r\n",
    );
    const a = await fetchPort(net, 8081, { method: "GET", path: "/", headers: [], body: null });
    await chunked;
    expect(text(await readAll(a.body))).toBe("abcd");
    const closed = serveOnce(net, 8082, () => "HTTP/1.0 200 OK\r\n\r\nto the end");
    const b = await fetchPort(net, 8082, { method: "GET", path: "/", headers: [], body: null });
    await closed;
    expect(text(await readAll(b.body))).toBe("to the end");
    // A CGI program's head, with bare line feeds, as httpd passes it on.
    const cgi = serveOnce(
      net,
      8083,
      () => "HTTP/1.0 200 OK\r\nContent-Type: text/plain\n\nfrom cgi\n",
    );
    const c = await fetchPort(net, 8083, { method: "GET", path: "/", headers: [], body: null });
    await cgi;
    expect(c.headers).toEqual([["Content-Type", "text/plain"]]);
    expect(text(await readAll(c.body))).toBe("from cgi\n");
  });

  it("is refused when nothing listens on the port", async () => {
    await expect(
      fetchPort(new Network(), 9, { method: "GET", path: "/", headers: [], body: null }),
    ).rejects.toThrow(/ECONNREFUSED/);
  });
});
