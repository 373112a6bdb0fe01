import { describe, expect, it } from "vitest";
import { retrying } from "../vfs/would-block.ts";
import { fetchPort, READ_AHEAD, readAll, type PortUpload } from "./ports.ts";
import { Network } from "./socket.ts";

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** A TCP listener on 127.0.0.1:`port`. */
function listenOn(net: Network, port: number) {
  const listener = net.socket("inet", "stream");
  net.bindIp(listener, { family: "inet", address: Uint8Array.of(127, 0, 0, 1), port });
  listener.listen(1);
  return listener;
}

/** A server on 127.0.0.1:`port` that answers one connection with `answer(request)`. */
function serveOnce(net: Network, port: number, answer: (request: string) => string): Promise<void> {
  const listener = listenOn(net, port);
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

/** A server on 127.0.0.1:`port` that reads a request until `complete` says it has it all, then answers with what it read. */
function serveEcho(
  net: Network,
  port: number,
  complete: (request: string) => boolean,
): Promise<string> {
  const listener = listenOn(net, port);
  return (async () => {
    const conn = await retrying(() => listener.accept());
    let request = "";
    while (!complete(request)) {
      const got = await retrying(() => conn.read(65536));
      if (got.length === 0) break;
      request += text(got);
    }
    try {
      conn.write(bytes("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
    } catch {
      // The client went away.
    }
    conn.drop();
    listener.drop();
    return request;
  })();
}

/** A body read as `pieces`, one per read, with `length` declared; counts the reads. */
function upload(pieces: string[], length: number | null): PortUpload & { reads: number } {
  const queue = pieces.map(bytes);
  return {
    length,
    reads: 0,
    read() {
      this.reads++;
      return Promise.resolve(queue.shift() ?? null);
    },
  };
}

const bodyOf = (request: string) => request.slice(request.indexOf("\r\n\r\n") + 4);

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

  it("streams a body of known length as the server reads it, under its Content-Length", async () => {
    const net = new Network();
    const served = serveEcho(net, 8084, (r) => r.endsWith("three"));
    const body = upload(["one ", "two ", "three"], 13);
    const r = await fetchPort(net, 8084, { method: "PUT", path: "/f", headers: [], body });
    expect(text(await readAll(r.body))).toBe("ok");
    const seen = await served;
    expect(seen).toContain("\r\nContent-Length: 13\r\n");
    expect(bodyOf(seen)).toBe("one two three");
    expect(body.reads).toBe(4);
  });

  it("sends a short body of unknown length with its Content-Length, and a long one chunked", async () => {
    const net = new Network();
    const short = serveEcho(net, 8085, (r) => r.endsWith("b"));
    await fetchPort(net, 8085, {
      method: "POST",
      path: "/",
      headers: [],
      body: upload(["a", "b"], null),
    });
    const seen = await short;
    expect(seen).toContain("\r\nContent-Length: 2\r\n");
    expect(bodyOf(seen)).toBe("ab");

    const big = "x".repeat(READ_AHEAD / 2);
    const long = serveEcho(net, 8086, (r) => r.endsWith("0\r\n\r\n"));
    const r = await fetchPort(net, 8086, {
      method: "POST",
      path: "/",
      headers: [["Content-Length", "5"]],
      body: upload([big, big, big, "end"], null),
    });
    expect(r.status).toBe(200);
    const chunked = await long;
    expect(chunked).toContain("\r\nTransfer-Encoding: chunked\r\n");
    expect(chunked).not.toContain("Content-Length");
    // What was read ahead is the first chunk; then one chunk per piece.
    const n = (3 * READ_AHEAD) / 2;
    expect(bodyOf(chunked)).toBe(
      `${n.toString(16)}\r\n${big}${big}${big}\r\n3\r\nend\r\n0\r\n\r\n`,
    );
  });

  it("takes the response of a server that answers before it has read the body", async () => {
    const net = new Network();
    const served = serveEcho(net, 8087, (r) => r.includes("\r\n\r\n"));
    const endless: PortUpload = {
      length: null,
      read: () => Promise.resolve(new Uint8Array(65536)),
    };
    const r = await fetchPort(net, 8087, { method: "POST", path: "/", headers: [], body: endless });
    await served;
    expect(r.status).toBe(200);
    expect(text(await readAll(r.body))).toBe("ok");
  });

  it("fails with the body's own error, and when the body is not as long as it said", async () => {
    const net = new Network();
    void serveEcho(net, 8088, () => false);
    const broken: PortUpload = {
      length: 10,
      read: () => Promise.reject(new Error("the page's stream broke")),
    };
    await expect(
      fetchPort(net, 8088, { method: "POST", path: "/", headers: [], body: broken }),
    ).rejects.toThrow("the page's stream broke");
    void serveEcho(net, 8089, () => false);
    await expect(
      fetchPort(net, 8089, { method: "POST", path: "/", headers: [], body: upload(["abc"], 10) }),
    ).rejects.toThrow("the request's body ended 7 bytes short of its 10");
  });
});
