import { describe, expect, it } from "vitest";
import { retrying } from "../vfs/would-block.ts";
import { Gateway, type FetchInit, type FetchResponse, type HostFetch } from "./gateway.ts";
import { Network, type Socket, type SocketAddress } from "./socket.ts";

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** A network whose gateway's fetch is `fetch`, and the lines it told the process. */
function network(fetch: HostFetch, options: { proxy?: string; cors?: boolean } = {}) {
  const net = new Network();
  net.gateway = new Gateway({ fetch, ...options });
  const said: string[] = [];
  return { net, said };
}

/** Connects to `name`:`port` through the gateway, sends `request`, and reads to end-of-file. */
async function exchange(
  t: { net: Network; said: string[] },
  request: string | Uint8Array,
  name = "example.test",
  port = 80,
): Promise<string> {
  const s: Socket = t.net.socket("inet", "stream");
  const peer: SocketAddress & { family: "inet" } = {
    family: "inet",
    address: t.net.resolve(name),
    port,
  };
  t.net.connect(s, peer, (line) => t.said.push(line));
  s.write(typeof request === "string" ? bytes(request) : request);
  s.shutdown(1);
  let out = "";
  for (;;) {
    const got = await retrying(() => s.read(65536));
    if (got.length === 0) break;
    out += text(got);
  }
  s.drop();
  return out;
}

/** A fetch that answers `body` with `headers` (as a server sent them) and records what it was asked. */
function recording(body = "hi", headers: Record<string, string> = {}) {
  const calls: { url: string; init: FetchInit }[] = [];
  const fetch: HostFetch = (url, i) => {
    calls.push({ url, init: i });
    const response: FetchResponse = {
      status: 200,
      statusText: "",
      type: "basic",
      headers: { forEach: (each) => Object.entries(headers).forEach(([n, v]) => each(v, n)) },
      body: new Response(bytes(body)).body,
    };
    return Promise.resolve(response);
  };
  return { calls, fetch };
}

describe("the gateway", () => {
  it("fetches a request to a name's address on port 80 as http, without the connection's headers", async () => {
    const { calls, fetch } = recording("hello", { "Content-Type": "text/plain" });
    const out = await exchange(
      network(fetch),
      "GET /a?b=1 HTTP/1.1\r\nHost: example.test\r\nConnection: close\r\nAccept: */*\r\n\r\n",
    );
    expect(calls).toEqual([
      {
        url: "http://example.test/a?b=1",
        init: {
          method: "GET",
          headers: [["Accept", "*/*"]],
          body: null,
          credentials: "omit",
          redirect: "follow",
          cache: "no-store",
        },
      },
    ]);
    expect(out).toBe(
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nhello",
    );
  });

  it("leaves the program's User-Agent to the browser, which would otherwise preflight every request", async () => {
    const { calls, fetch } = recording();
    const request = "GET / HTTP/1.1\r\nUser-Agent: Wget\r\nAccept: */*\r\n\r\n";
    await exchange(network(fetch, { cors: true }), request);
    await exchange(network(fetch), request);
    expect(calls.map((c) => c.init.headers)).toEqual([
      [["Accept", "*/*"]],
      [
        ["User-Agent", "Wget"],
        ["Accept", "*/*"],
      ],
    ]);
  });

  it("makes port 443 https, and keeps a port that is not the scheme's own", async () => {
    const { calls, fetch } = recording();
    await exchange(network(fetch), "GET / HTTP/1.1\r\n\r\n", "secure.test", 443);
    expect(calls[0]!.url).toBe("https://secure.test/");
  });

  it("passes a body by Content-Length and a chunked one", async () => {
    const { calls, fetch } = recording();
    const t = network(fetch);
    await exchange(t, "POST /p HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello");
    await exchange(
      t,
      "PUT /q HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
    );
    expect(calls.map((c) => [c.init.method, text(c.init.body ?? new Uint8Array())])).toEqual([
      ["POST", "hello"],
      ["PUT", "abcde"],
    ]);
  });

  it("drops a length the body it passes on does not have (a decoded Content-Encoding)", async () => {
    const { fetch } = recording("abc", { "Content-Encoding": "gzip", "Content-Length": "99" });
    const out = await exchange(network(fetch), "GET / HTTP/1.1\r\n\r\n");
    expect(out).toBe("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nabc");
  });

  it("sends a HEAD's answer without a body", async () => {
    const { fetch } = recording("body", { "Content-Length": "4" });
    const out = await exchange(network(fetch), "HEAD / HTTP/1.1\r\n\r\n");
    expect(out).toBe("HTTP/1.1 200 OK\r\nContent-Length: 4\r\nConnection: close\r\n\r\n");
  });

  it("appends the URL to a CORS proxy prefix, encoded after an =", async () => {
    const plain = recording();
    await exchange(
      network(plain.fetch, { proxy: "https://proxy.test/" }),
      "GET /x HTTP/1.1\r\n\r\n",
    );
    expect(plain.calls[0]!.url).toBe("https://proxy.test/http://example.test/x");
    const query = recording();
    await exchange(
      network(query.fetch, { proxy: "https://proxy.test/?url=" }),
      "GET /x HTTP/1.1\r\n\r\n",
    );
    expect(query.calls[0]!.url).toBe("https://proxy.test/?url=http%3A%2F%2Fexample.test%2Fx");
  });

  it("answers 502 with why, and tells a CORS refusal from an unreachable server in a browser", async () => {
    const refused: HostFetch = (_url, init) =>
      init.mode === "no-cors"
        ? Promise.resolve(new Response(null, { status: 200 }))
        : Promise.reject(new TypeError("Failed to fetch"));
    expect(await exchange(network(refused, { cors: true }), "GET /f HTTP/1.1\r\n\r\n")).toMatch(
      /^HTTP\/1\.1 502 http:\/\/example\.test\/f: blocked by the browser \(CORS\): the server must send Access-Control-Allow-Origin\r\n/,
    );
    const down: HostFetch = () => Promise.reject(new TypeError("Failed to fetch"));
    expect(await exchange(network(down, { cors: true }), "GET /f HTTP/1.1\r\n\r\n")).toMatch(
      /^HTTP\/1\.1 502 http:\/\/example\.test\/f: the browser could not reach it\r\n/,
    );
  });

  it("answers what is not HTTP with 400, and CONNECT with 405", async () => {
    const { calls, fetch } = recording();
    const t = network(fetch);
    expect(await exchange(t, "hello there\r\n\r\n")).toMatch(
      /^HTTP\/1\.1 400 not an HTTP\/1\.x request\r\n/,
    );
    expect(await exchange(t, "CONNECT example.test:443 HTTP/1.1\r\n\r\n")).toMatch(
      /^HTTP\/1\.1 405 /,
    );
    expect(calls).toEqual([]);
  });

  it("closes a connection that speaks TLS, telling the program why", async () => {
    const { calls, fetch } = recording();
    const t = network(fetch);
    expect(await exchange(t, Uint8Array.of(0x16, 3, 1, 0, 5, 1, 2, 3, 4, 5), "a.test", 443)).toBe(
      "",
    );
    expect(t.said).toEqual([
      "overbox: https://a.test: the program speaks TLS; TLS is the host's here: send plain HTTP to port 443 and the host's fetch makes it https",
    ]);
    expect(calls).toEqual([]);
  });

  it("gives each name one address of 198.18.0.0/15, and refuses what is not a name", () => {
    const g = new Gateway({ fetch: recording().fetch });
    expect([...g.resolve("Example.TEST")]).toEqual([198, 18, 0, 1]);
    expect([...g.resolve("other.test")]).toEqual([198, 18, 0, 2]);
    expect([...g.resolve("example.test.")]).toEqual([198, 18, 0, 1]);
    expect(g.hostOf(Uint8Array.of(198, 18, 0, 2))).toBe("other.test");
    expect(g.hostOf(Uint8Array.of(93, 184, 216, 34))).toBe("93.184.216.34");
    expect(() => g.resolve("not a name")).toThrow(/ENOENT/);
  });

  it("refuses other ports, and everything outside without a gateway, with ENETUNREACH and a line", () => {
    const t = network(recording().fetch);
    const s = t.net.socket("inet", "stream");
    const to = (port: number): SocketAddress & { family: "inet" } => ({
      family: "inet",
      address: Uint8Array.of(10, 0, 0, 1),
      port,
    });
    expect(() => t.net.connect(s, to(22), (l) => t.said.push(l))).toThrow(/ENETUNREACH/);
    const off = new Network();
    expect(() => off.connect(off.socket("inet", "stream"), to(80), (l) => t.said.push(l))).toThrow(
      /ENETUNREACH/,
    );
    expect(() => off.resolve("example.test")).toThrow(/ENETUNREACH/);
    expect(t.said).toEqual([
      "overbox: 10.0.0.1:22: only HTTP to ports 80 and 443 leaves the container (through the host's fetch)",
      "overbox: 10.0.0.1:80: this container has no network beyond its loopback",
    ]);
  });
});
