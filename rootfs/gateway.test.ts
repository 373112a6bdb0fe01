/**
 * The gateway (core/kernel/gateway.ts) with the image's own programs: wget
 * reaching HTTP servers outside the container through the host's fetch, in
 * Node. The servers are the test's, on the host's loopback; the container
 * names them (files.test, secure.test), and the fetch the gateway is given
 * sends those names to the servers' ports, as a DNS entry would.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { createServer as createTlsServer, request as httpsRequest } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Gateway, type HostFetch } from "../core/kernel/gateway.ts";
import { Kernel } from "../core/kernel/kernel.ts";
import { WasmLoader } from "../core/wasi/loader.ts";
import type { MemoryFilesystem } from "../core/vfs/memory.ts";
import { flattenImage, parseManifest } from "../core/image/image.ts";
import { FileBlobs } from "../node/blobs.ts";
import { IMAGES, loadBaseImage } from "./testing.ts";

let fs: MemoryFilesystem;
let plain: Server;
let secure: Server;
/** What the plain server was last asked. */
let seen: { method: string; url: string; headers: IncomingMessage["headers"]; body: string };
let ca: Buffer;
/** A port of the host's loopback nobody listens on. */
let downPort: number;

/** 300 KB that are not all alike (more than a socket's buffer holds). */
const BIG = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919 + (i >> 8)) & 255));

function serve(req: IncomingMessage, res: import("node:http").ServerResponse): void {
  const parts: Buffer[] = [];
  req.on("data", (c: Buffer) => parts.push(c));
  req.on("end", () => {
    seen = {
      method: req.method ?? "",
      url: req.url ?? "",
      headers: req.headers,
      body: Buffer.concat(parts).toString(),
    };
    if (req.url === "/hello") res.end("hello from the host\n");
    else if (req.url === "/big") res.end(BIG);
    else if (req.url === "/echo") res.end(`${req.method} ${seen.body}\n`);
    else if (req.url === "/moved") res.writeHead(302, { Location: "/hello" }).end();
    else res.writeHead(404).end("no such file\n");
  });
}

beforeAll(async () => {
  ({ fs } = await loadBaseImage());
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
  downPort = (closed.address() as AddressInfo).port;
  await new Promise((r) => closed.close(r));
  plain = createServer(serve);
  await new Promise<void>((r) => plain.listen(0, "127.0.0.1", r));
  // A test CA and a certificate for secure.test, which the test's fetch trusts.
  const dir = mkdtempSync(join(tmpdir(), "overbox-tls-"));
  const run = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
  run("genrsa", "-out", "ca.key", "2048");
  run(
    "req",
    "-x509",
    "-new",
    "-key",
    "ca.key",
    "-days",
    "1",
    "-subj",
    "/CN=overbox test CA",
    "-out",
    "ca.pem",
  );
  run("genrsa", "-out", "site.key", "2048");
  run("req", "-new", "-key", "site.key", "-subj", "/CN=secure.test", "-out", "site.csr");
  const ext = join(dir, "ext");
  writeFileSync(ext, "subjectAltName=DNS:secure.test\n");
  run(
    ...["x509", "-req", "-in", "site.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial"],
    ...["-days", "1", "-extfile", ext, "-out", "site.pem"],
  );
  ca = readFileSync(join(dir, "ca.pem"));
  secure = createTlsServer(
    { key: readFileSync(join(dir, "site.key")), cert: readFileSync(join(dir, "site.pem")) },
    (req, res) => res.end(`secure ${req.url}\n`),
  );
  await new Promise<void>((r) => secure.listen(0, "127.0.0.1", r));
}, 60_000);

afterAll(() => {
  plain?.close();
  secure?.close();
});

const text = (b: Uint8Array) => new TextDecoder().decode(b);

/**
 * The host's fetch for the test: files.test is the plain server, down.test
 * a port nobody listens on, and secure.test the TLS server, reached over
 * node:https with the test CA trusted (Node's fetch trusts only the
 * system's CAs).
 */
const hostFetch: HostFetch = async (url, init) => {
  const port = (plain.address() as AddressInfo).port;
  if (url.startsWith("https://secure.test/")) {
    const tlsPort = (secure.address() as AddressInfo).port;
    return await new Promise((resolve, reject) => {
      const req = httpsRequest(
        {
          host: "127.0.0.1",
          port: tlsPort,
          servername: "secure.test",
          path: new URL(url).pathname,
          method: init.method,
          ca,
        },
        (res) => {
          const headers = new Headers();
          for (const [k, v] of Object.entries(res.headers))
            if (typeof v === "string") headers.set(k, v);
          resolve(
            new Response(Readable.toWeb(res) as ReadableStream, {
              status: res.statusCode ?? 0,
              headers,
            }),
          );
        },
      );
      req.on("error", reject);
      req.end();
    });
  }
  const real = url
    .replace(/^http:\/\/files\.test\//, `http://127.0.0.1:${port}/`)
    .replace(/^http:\/\/down\.test\//, `http://127.0.0.1:${downPort}/`);
  return await fetch(real, init as RequestInit);
};

async function sh(script: string, gateway: Gateway | null = new Gateway({ fetch: hostFetch })) {
  const kernel = new Kernel(fs, new WasmLoader());
  kernel.network.gateway = gateway;
  const r = await kernel.run({ args: ["sh", "-c", script], cwd: "/tmp" });
  return { status: r.status, stdout: text(r.stdout), stderr: text(r.stderr) };
}

describe("the gateway: HTTP out of the container through the host's fetch", () => {
  it("gives wget a file of a server outside, by name", async () => {
    expect(await sh("wget -qO- http://files.test/hello")).toEqual({
      status: 0,
      stdout: "hello from the host\n",
      stderr: "",
    });
    expect(seen).toMatchObject({ method: "GET", url: "/hello" });
  });

  it("streams a big body whole (the bytes match)", async () => {
    const r = await sh("wget -qO /tmp/big http://files.test/big && sha256sum /tmp/big");
    expect(r.stdout).toBe(`${createHash("sha256").update(BIG).digest("hex")}  /tmp/big\n`);
  });

  it("passes a POST's body and never the host's cookies", async () => {
    const r = await sh("wget -qO- --post-data 'a=1&b=2' http://files.test/echo");
    expect(r.stdout).toBe("POST a=1&b=2\n");
    expect(seen.headers.cookie).toBeUndefined();
    expect(seen.headers["user-agent"]).toBe("Wget");
  });

  it("follows a redirect on the host's side", async () => {
    expect((await sh("wget -qO- http://files.test/moved")).stdout).toBe("hello from the host\n");
  });

  it("passes the server's errors on as they are", async () => {
    expect(await sh("wget -qO- http://files.test/nothing")).toMatchObject({
      status: 1,
      stderr: "wget: server returned error: HTTP/1.1 404 Not Found\n",
    });
  });

  it("makes https the host's TLS: wget sends HTTP to port 443, the host's fetch speaks TLS", async () => {
    expect(await sh("wget -qO- https://secure.test/page")).toEqual({
      status: 0,
      stdout: "secure /page\n",
      stderr: "",
    });
  });

  it("says in one line why the host could not fetch", async () => {
    const r = await sh("wget -qO- http://down.test/");
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `wget: server returned error: HTTP/1.1 502 http://down.test/: connect ECONNREFUSED 127.0.0.1:${downPort}\n`,
    );
  });

  it("resolves names not in /etc/hosts to addresses that stand for them", async () => {
    const r = await sh("nslookup files.test; nslookup files.test | tail -1");
    expect(r.stdout).toMatch(/Name:\s+files\.test\nAddress 1: 198\.18\.0\.1\n/);
  });

  it("honours /etc/hosts first: a name of the container stays inside it", async () => {
    const r = await sh(
      [
        "echo '127.0.0.1 files.test' >> /etc/hosts",
        "mkdir -p /tmp/www && echo inside > /tmp/www/hello",
        "httpd -p 80 -h /tmp/www",
        "wget -qO- http://files.test/hello",
        "kill $(pidof httpd)",
        "sed -i '$d' /etc/hosts",
      ].join("\n"),
    );
    expect(r.stdout).toBe("inside\n");
  });

  it("refuses other ports outside with ENETUNREACH and a line saying why", async () => {
    expect(await sh("wget -qO- http://files.test:8080/hello")).toEqual({
      status: 1,
      stdout: "",
      stderr:
        "overbox: 198.18.0.1:8080: only HTTP to ports 80 and 443 leaves the container (through the host's fetch)\n" +
        "wget: can't connect to remote host (198.18.0.1): Network unreachable\n",
    });
  });

  it("tells a program that speaks TLS itself that TLS is the host's", async () => {
    const r = await sh("printf '\\026\\003\\001\\000\\005hello' | nc secure.test 443");
    expect(r.stderr).toBe(
      "overbox: https://secure.test: the program speaks TLS; TLS is the host's here: send plain HTTP to port 443 and the host's fetch makes it https\n",
    );
  });

  it("gives Python's urllib the web too (http: its ssl module is not built)", async () => {
    const manifest = parseManifest(readFileSync(join(IMAGES, "python.json")));
    const python = await flattenImage(new FileBlobs(join(IMAGES, "blobs")), manifest);
    const kernel = new Kernel(python, new WasmLoader());
    kernel.network.gateway = new Gateway({ fetch: hostFetch });
    const script = [
      "import urllib.request",
      "with urllib.request.urlopen('http://files.test/hello') as r:",
      "    print(r.status, r.read().decode(), end='')",
    ].join("\n");
    const r = await kernel.run({ args: ["python3", "-c", script], cwd: "/tmp" });
    expect({ status: r.status, stdout: text(r.stdout), stderr: text(r.stderr) }).toEqual({
      status: 0,
      stdout: "200 hello from the host\n",
      stderr: "",
    });
  }, 60_000);

  it("leaves a container without a gateway only its loopback", async () => {
    expect(await sh("wget -qO- http://files.test/hello", null)).toMatchObject({
      status: 1,
      stderr: "wget: bad address 'files.test'\n",
    });
    expect(await sh("wget -qO- http://10.1.2.3/", null)).toMatchObject({
      status: 1,
      stderr:
        "overbox: 10.1.2.3:80: this container has no network beyond its loopback\n" +
        "wget: can't connect to remote host (10.1.2.3): Network unreachable\n",
    });
  });
});
