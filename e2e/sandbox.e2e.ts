import { execFileSync } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { BROWSER, launchBrowser } from "./browser.ts";
import { installCgi } from "./cgi.ts";
import type {} from "../src/playground.ts";

interface Outcome {
  status: number;
  stdout: string;
  stderr: string;
}

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchBrowser();
  page = await (await browser.newContext()).newPage();
  await page.goto(inject("baseUrl"));
  await page.waitForFunction(() => window.overbox !== undefined);
});

afterAll(async () => {
  await browser?.close();
});

/** The library as a page imports it (vite serves its source), as window.Library. */
async function loadLibrary(): Promise<void> {
  await page.addScriptTag({
    type: "module",
    content: 'import { Sandbox } from "/src/index.ts"; window.Library = Sandbox;',
  });
  await page.waitForFunction(() => "Library" in window);
}

const run = async (args: string[], stdin?: string): Promise<Outcome> => {
  const r = await page.evaluate(
    ([a, s]) => window.overbox.box.exec(a, s === undefined ? {} : { stdin: s }),
    [args, stdin] as const,
  );
  return { status: r.exitCode, stdout: r.stdout, stderr: r.stderr };
};

describe(`the library (Sandbox) in ${BROWSER}: a kernel in a Web Worker`, () => {
  it("runs an applet of the busybox image and returns its output and status", async () => {
    const r = await run(["ls", "-la", "/"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/drwxrwxrwt\s+\d+ root\s+root\s+\d+ .* tmp\n/);
    expect(r.stdout).toMatch(/ bin\n/);
  });

  it("feeds stdin and reports a failing status", async () => {
    expect(await run(["sort", "-r"], "a\nc\nb\n")).toEqual({
      status: 0,
      stdout: "c\nb\na\n",
      stderr: "",
    });
    const missing = await run(["cat", "/no/such/file"]);
    expect(missing).toEqual({
      status: 1,
      stdout: "",
      stderr: "cat: can't open '/no/such/file': No such file or directory\n",
    });
  });

  it("runs shell pipelines whose stages block on each other (no SharedArrayBuffer)", async () => {
    expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(false);
    expect(await run(["sh", "-c", "yes | head -n 3"])).toEqual({
      status: 0,
      stdout: "y\ny\ny\n",
      stderr: "",
    });
    expect(await run(["sh", "-c", "cat /dev/zero | head -c 10000000 | wc -c"])).toEqual({
      status: 0,
      stdout: "10000000\n",
      stderr: "",
    });
    expect(await run(["sh", "-c", "sleep 5 & kill $!; wait $!; echo $?"])).toEqual({
      status: 0,
      stdout: "143\n",
      stderr: "Terminated\n",
    });
  });

  it("has sockets over the container's loopback: httpd and wget, nc over TCP and UDP, a refused port", async () => {
    const served = await run([
      "sh",
      "-c",
      [
        "mkdir -p /tmp/www && echo 'served in the tab' > /tmp/www/index.html",
        "httpd -p 127.0.0.1:8080 -h /tmp/www",
        "wget -qO- http://127.0.0.1:8080/index.html",
        "kill $(pidof httpd)",
      ].join("\n"),
    ]);
    expect(served).toEqual({ status: 0, stdout: "served in the tab\n", stderr: "" });
    // The page reaches the same server with box.fetch, as a browser reaches localhost.
    await run(["sh", "-c", installCgi("/tmp/www")]);
    await run(["httpd", "-p", "8081", "-h", "/tmp/www"]);
    const fetched = await page.evaluate(async () => {
      const r = await window.overbox.box.fetch(8081, "/index.html");
      const missing = await window.overbox.box.fetch(8081, "/missing");
      const refused = await window.overbox.box.fetch(8099, "/").then(
        () => "answered",
        (e: unknown) => String(e),
      );
      // Streamed: the CGI's first line comes while it waits for /tmp/go,
      // which is made only once that line is read.
      const stream = (await window.overbox.box.fetch(8081, "/cgi-bin/stream")).body!.getReader();
      const decoder = new TextDecoder();
      let before = "";
      while (!before.includes("first\n")) before += decoder.decode((await stream.read()).value);
      await window.overbox.box.exec("touch /tmp/go");
      let after = "";
      for (let c = await stream.read(); !c.done; c = await stream.read())
        after += decoder.decode(c.value);
      return {
        status: r.status,
        body: await r.text(),
        missing: missing.status,
        refused,
        streamed: [before, after],
      };
    });
    // Request bodies stream too: the CGI has the first line while the page
    // has not yet written the second, and a 3 MiB Blob goes in pieces.
    // (One evaluate at a time: WebKit's WebDriver runs them in turn.)
    type Uploading = { partTwo: () => void; echoed: Promise<string> };
    await page.evaluate(() => {
      const encoder = new TextEncoder();
      let writer!: ReadableStreamDefaultController<Uint8Array>;
      const body = new ReadableStream<Uint8Array>({ start: (c) => void (writer = c) });
      writer.enqueue(encoder.encode("part one\n"));
      const w = window as unknown as Uploading;
      w.partTwo = () => {
        writer.enqueue(encoder.encode("part two\n"));
        writer.close();
      };
      w.echoed = window.overbox.box
        .fetch(8081, "/cgi-bin/upload", {
          method: "POST",
          headers: { "Content-Length": "18" },
          body,
        })
        .then((r) => r.text());
    });
    await expect
      .poll(() => run(["cat", "/tmp/part1"]), { timeout: 20_000 })
      .toMatchObject({
        stdout: "part one\n",
      });
    const echoed = await page.evaluate(() => {
      const w = window as unknown as Uploading;
      w.partTwo();
      return w.echoed;
    });
    const counted = await page.evaluate(async () => {
      const r = await window.overbox.box.fetch(8081, "/cgi-bin/count", {
        method: "POST",
        body: new Blob([new Uint8Array(3 << 20)]),
      });
      return (await r.text()).trim();
    });
    await run(["sh", "-c", "kill $(pidof httpd)"]);
    expect({ echoed, counted }).toEqual({
      echoed: "got: part one\npart two\n",
      counted: String(3 << 20),
    });
    expect(fetched).toMatchObject({
      status: 200,
      body: "served in the tab\n",
      missing: 404,
      streamed: ["first\n", "second\n"],
    });
    expect(fetched.refused).toMatch(/ECONNREFUSED/);
    const tcp = await run([
      "sh",
      "-c",
      [
        "echo pong | nc -l -p 9000 > /tmp/got &",
        "until echo ping | nc 127.0.0.1 9000 2>/dev/null; do usleep 20000; done",
        "wait; cat /tmp/got",
      ].join("\n"),
    ]);
    expect(tcp).toEqual({ status: 0, stdout: "pong\nping\n", stderr: "" });
    const udp = await run([
      "sh",
      "-c",
      [
        "nc -u -l -p 5300 -e cat &",
        'until [ "$(echo datagram | nc -u -w1 127.0.0.1 5300 2>/dev/null)" = datagram ]; do :; done',
        "echo answered; kill %1",
      ].join("\n"),
    ]);
    expect(udp).toMatchObject({ status: 0, stdout: "answered\n" });
    const taken = await run([
      "sh",
      "-c",
      'httpd -p 127.0.0.1:8082 -h /tmp; httpd -p 127.0.0.1:8082 -h /tmp; echo "status $?"; kill $(pidof httpd)',
    ]);
    // wasi-libc's strerror words EADDRINUSE as musl does ("Address in use").
    expect(taken).toEqual({
      status: 0,
      stdout: "status 1\n",
      stderr: "httpd: bind: Address in use\n",
    });
    expect(await run(["wget", "-q", "http://127.0.0.1:9/"])).toEqual({
      status: 1,
      stdout: "",
      stderr: "wget: can't connect to remote host (127.0.0.1): Connection refused\n",
    });
  });

  it("reaches the web through the page's fetch: CORS allowed, CORS refused in one line, a proxy, no cookies", async () => {
    // A server of the test on another origin (another port): /cors/ allows
    // every origin, /plain/ allows none. The container names it through a
    // CORS proxy prefix (files.test would not resolve in the browser), so
    // its URLs arrive whole: /cors/http://files.test/name.
    let cookie: string | undefined = "not asked";
    const server = createServer((req, res) => {
      cookie = req.headers.cookie;
      const cors = req.url!.startsWith("/cors/");
      if (cors) res.setHeader("Access-Control-Allow-Origin", "*");
      res.end(`${cors ? "allowed" : "refused"} ${req.url!.replace(/^\/\w+\//, "")}\n`);
    });
    await new Promise<void>((r) => server.listen(0, "localhost", r));
    const origin = `http://localhost:${(server.address() as AddressInfo).port}`;
    try {
      await loadLibrary();
      // The page's own cookie, which the container's requests must not carry.
      await page.evaluate(() => (document.cookie = "secret=page-cookie"));
      const seen = await page.evaluate(async (origin) => {
        const Sandbox = (window as unknown as { Library: typeof import("../src/index.ts").Sandbox })
          .Library;
        const box = await Sandbox.open({ container: "ephemeral", proxy: `${origin}/cors/` });
        const allowed = await box.exec("wget -qO- http://files.test/a.txt");
        await box.close();
        const refusing = await Sandbox.open({ container: "ephemeral", proxy: `${origin}/plain/` });
        const refused = await refusing.exec("wget -qO- https://files.test/b.txt");
        await refusing.close();
        const off = await Sandbox.open({ container: "ephemeral", network: false });
        const offline = await off.exec("wget -qO- http://files.test/c.txt");
        await off.close();
        return { allowed, refused, offline };
      }, origin);
      expect(seen.allowed).toMatchObject({
        exitCode: 0,
        stdout: "allowed http://files.test/a.txt\n",
        stderr: "",
      });
      expect(cookie).toBeUndefined();
      expect(seen.refused).toMatchObject({
        exitCode: 1,
        stderr:
          `wget: server returned error: HTTP/1.1 502 https://files.test/b.txt: ` +
          `blocked by the browser (CORS): the server must send Access-Control-Allow-Origin\n`,
      });
      expect(seen.offline).toMatchObject({
        exitCode: 1,
        stderr: "wget: bad address 'files.test'\n",
      });
    } finally {
      server.close();
    }
  });

  it("writes files that later programs read", async () => {
    expect((await run(["mkdir", "-p", "/root/notes"])).status).toBe(0);
    expect((await run(["cp", "/etc/os-release", "/root/notes/copy"])).status).toBe(0);
    const r = await run(["sha256sum", "/root/notes/copy", "/etc/os-release"]);
    const [a, b] = r.stdout
      .trim()
      .split("\n")
      .map((l) => l.split(" ")[0]);
    expect(a).toBe(b);
  });

  it("keeps what programs write in the container (IndexedDB) across a reload of the page", async () => {
    expect((await run(["mkdir", "-p", "/root/kept"])).status).toBe(0);
    const note = "written before the reload\n";
    expect((await run(["dd", "of=/root/kept/note", "conv=fsync"], note)).status).toBe(0);
    expect((await run(["rm", "/etc/hostname"])).status).toBe(0);
    expect((await run(["sync"])).status).toBe(0);
    await page.reload();
    await page.waitForFunction(() => window.overbox !== undefined);
    expect(await run(["cat", "/root/kept/note"])).toEqual({ status: 0, stdout: note, stderr: "" });
    expect((await run(["ls", "/etc/hostname"])).status).toBe(1);
  });

  it("from a page's own script: Sandbox.open, spawn with streams, fs, export, commit, reset and close", async () => {
    await loadLibrary();
    const seen = await page.evaluate(async () => {
      const Sandbox = (window as unknown as { Library: typeof import("../src/index.ts").Sandbox })
        .Library;
      const text = (b: Uint8Array) => new TextDecoder().decode(b);
      const box = await Sandbox.open({ image: "busybox", container: "library" });
      const opened = box.info;

      const p = await box.spawn(["sh", "-c", "tr a-z A-Z; echo to-stderr >&2; exit 3"]);
      const stdin = p.stdin.getWriter();
      await stdin.write("streamed ");
      await stdin.write(new TextEncoder().encode("input\n"));
      await stdin.close();
      const [stdout, stderr, status] = await Promise.all([
        new Response(p.stdout).text(),
        new Response(p.stderr).text(),
        p.exited,
      ]);

      await box.fs.writeFile("/root/lib.txt", "from the library\n");
      await box.fs.writeFile("/root/bytes.bin", new Uint8Array([0, 1, 255]));
      const listing = (await box.fs.readdir("/root")).map((f) => `${f.name}:${f.type}`).sort();
      const read = await box.fs.readTextFile("/root/lib.txt");
      const bytes = Array.from(await box.fs.readFile("/root/bytes.bin"));
      const layer = text(await box.export({ layer: true }));
      const tree = text(await box.export());

      await box.commit("library-image");
      await box.fs.writeFile("/root/after.txt", "dropped by the reset\n");
      await box.reset();
      const afterReset = (await box.exec("ls /root")).stdout;
      await box.close();

      const again = await Sandbox.open({ container: "library" });
      const reopened = { info: again.info, lib: (await again.exec("cat /root/lib.txt")).stdout };
      await again.close();
      await Sandbox.deleteContainer("library");
      const left = (await Sandbox.containers()).map((c) => c.name);
      return {
        opened,
        stdout,
        stderr,
        status,
        listing,
        read,
        bytes,
        layerHasFile: layer.includes("root/lib.txt"),
        layerHasImage: layer.includes("bin/busybox"),
        treeHasBoth: tree.includes("root/lib.txt") && tree.includes("bin/busybox"),
        afterReset,
        reopened,
        left,
      };
    });
    expect(seen.opened).toMatchObject({ container: "library", image: "busybox", readOnly: false });
    expect(seen).toMatchObject({ stdout: "STREAMED INPUT\n", stderr: "to-stderr\n", status: 3 });
    expect(seen.listing).toEqual(["bytes.bin:file", "lib.txt:file"]);
    expect(seen.read).toBe("from the library\n");
    expect(seen.bytes).toEqual([0, 1, 255]);
    expect(seen).toMatchObject({ layerHasFile: true, layerHasImage: false, treeHasBoth: true });
    // The reset went back to the committed image: its files, not what came after.
    expect(seen.afterReset.split("\n").filter(Boolean).sort()).toEqual(["bytes.bin", "lib.txt"]);
    expect(seen.reopened).toMatchObject({
      info: { container: "library", image: "library-image" },
      lib: "from the library\n",
    });
    expect(seen.left).not.toContain("library");
  });

  it("opens a container of an image the site was built with (tools: busybox's layer and Lua's), lists it, commits on it, and keeps its name", async () => {
    await loadLibrary();
    const seen = await page.evaluate(async () => {
      const Sandbox = (window as unknown as { Library: typeof import("../src/index.ts").Sandbox })
        .Library;
      const box = await Sandbox.open({ image: "tools", container: "with-lua" });
      const images = await box.images();
      const lua = await box.exec(["lua", "-e", "print(_VERSION, 2^10, ('x'):rep(3))"]);
      await box.fs.writeFile("/root/hello.lua", 'print("hello from " .. arg[0])\n');
      const refused = await box.commit("tools").then(
        () => "committed",
        (e: unknown) => String(e),
      );
      await box.commit("lua-and-mine");
      await box.close();
      const again = await Sandbox.open({ container: "with-lua" });
      const script = await again.exec("lua /root/hello.lua && ls /bin/busybox");
      const info = again.info;
      await again.close();
      await Sandbox.deleteContainer("with-lua");
      return { images, lua, refused, script, info };
    });
    expect(seen.images.slice(0, 3)).toEqual(["busybox", "tools", "python"]);
    expect(seen.lua).toMatchObject({ exitCode: 0, stdout: "Lua 5.4\t1024.0\txxx\n" });
    expect(seen.refused).toMatch(/tools is a built image: choose another name/);
    expect(seen.info).toMatchObject({ image: "lua-and-mine" });
    expect(seen.script).toMatchObject({
      exitCode: 0,
      stdout: "hello from /root/hello.lua\n/bin/busybox\n",
    });
  });
});

describe(`containers of one page, in ${BROWSER}`, () => {
  it("share one worker, and none sees another's files, processes or signals; each closes, opens again or is given up on its own", async () => {
    await loadLibrary();
    const seen = await page.evaluate(async () => {
      const Sandbox = (window as unknown as { Library: typeof import("../src/index.ts").Sandbox })
        .Library;
      /** Who holds each container's lock (a worker is a client of its own). */
      const holders = async () => {
        const held = (await navigator.locks.query()).held ?? [];
        return Object.fromEntries(
          held
            .filter((l) => l.name?.startsWith("overbox-shared-"))
            .map((l) => [l.name!.slice("overbox-".length), l.clientId]),
        );
      };
      const a = await Sandbox.open({ container: "shared-a" });
      const b = await Sandbox.open({ container: "shared-b" });
      const both = await holders();
      await a.fs.writeFile("/root/a-only", "a\n");
      const bSeesA = (await b.exec("cat /root/a-only")).exitCode;
      // A sleep in each: a's killall ends a's only.
      const sleepA = await a.spawn(["sleep", "60"]);
      const sleepB = await b.spawn(["sleep", "60"]);
      await a.exec("while ! pidof sleep; do usleep 10000; done");
      await b.exec("while ! pidof sleep; do usleep 10000; done");
      const killed = await a.exec("killall sleep");
      const aStatus = await sleepA.exited;
      const bStill = (await b.exec("pidof sleep")).exitCode;
      // a closes: b goes on, a's lock is given back, and a opens again.
      await a.close();
      const afterClose = await holders();
      const bAfter = (await b.exec("echo on")).stdout;
      const again = await Sandbox.open({ container: "shared-a" });
      const kept = (await again.exec("cat /root/a-only")).stdout;
      // b is given up (as a tab closing would): its lock goes, the other stays.
      b.terminate();
      const bStatus = await Promise.race([
        sleepB.exited,
        new Promise((r) => setTimeout(() => r("still running"), 10_000)),
      ]);
      let afterTerminate = await holders();
      for (let i = 0; i < 100 && "shared-b" in afterTerminate; i++) {
        await new Promise((r) => setTimeout(r, 50));
        afterTerminate = await holders();
      }
      const againOn = (await again.exec("echo on")).stdout;
      await again.close();
      await Sandbox.deleteContainer("shared-a");
      await Sandbox.deleteContainer("shared-b");
      return {
        both,
        bSeesA,
        killed: killed.exitCode,
        aStatus,
        bStill,
        afterClose,
        bAfter,
        kept,
        bStatus,
        afterTerminate,
        againOn,
      };
    });
    // One client (the worker) holds both locks.
    expect(Object.keys(seen.both).sort()).toEqual(["shared-a", "shared-b"]);
    expect(seen.both["shared-a"]).toBe(seen.both["shared-b"]);
    expect(seen.bSeesA).not.toBe(0);
    expect(seen).toMatchObject({ killed: 0, aStatus: 128 + 15, bStill: 0, bAfter: "on\n" });
    expect(Object.keys(seen.afterClose)).toEqual(["shared-b"]);
    expect(seen.kept).toBe("a\n");
    expect(seen.bStatus).not.toBe("still running");
    expect(Object.keys(seen.afterTerminate)).toEqual(["shared-a"]);
    expect(seen.againOn).toBe("on\n");
  });
});

describe(`WASI programs built elsewhere, in ${BROWSER}`, () => {
  const BUILT = join(import.meta.dirname, "..", "build", "wasi-programs");
  const NAMES = ["args", "files", "gen", "count", "nap", "hog", "big", "upper", "facts"];
  NAMES.push("calls", "traps");

  beforeAll(async () => {
    for (const name of NAMES) {
      const bytes = Array.from(await readFile(join(BUILT, `${name}.wasm`)));
      await page.evaluate(
        async ([path, data]) => window.overbox.box.fs.writeFile(path, new Uint8Array(data)),
        [`/usr/local/bin/${name}.wasm`, bytes] as const,
      );
    }
    expect((await run(["sh", "-c", "chmod +x /usr/local/bin/*.wasm"])).status).toBe(0);
  });

  const sh = (script: string) => run(["sh", "-c", script]);

  it("run as in Node: arguments, exit status, files with Linux's errors, Rust's std, WASI's own calls, traps as signals", async () => {
    expect(await sh("GREETING=hi EXIT=4 args.wasm a")).toEqual({
      status: 4,
      stdout: "argv[0]=args.wasm\nargv[1]=a\nGREETING=hi\n",
      stderr: "",
    });
    const dir = await mkdtemp(join(tmpdir(), "overbox-files-"));
    try {
      const native = execFileSync(join(BUILT, "native", "files"), { cwd: dir, encoding: "utf8" });
      expect(await sh("mkdir -p /tmp/f && cd /tmp/f && files.wasm")).toEqual({
        status: 0,
        stdout: native,
        stderr: "",
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect((await sh("cd /tmp && facts.wasm x")).stdout).toContain("read back: written by rust\n");
    const calls = (await sh("calls.wasm")).stdout;
    expect(calls).toContain("truncate f through calls.d: NOTCAPABLE\n");
    expect(calls).toContain("stat sub/../.. from calls.d, above it: NOTCAPABLE\n");
    // Each engine words its traps its own way: each is still Linux's signal.
    const traps =
      "for how in abort divide wild deep; do traps.wasm $how 2>/dev/null; echo $?; done";
    expect((await sh(traps)).stdout).toBe("134\n136\n139\n139\n");
  });

  it("stream through pipelines both ways, sleep, and end at the memory limit", async () => {
    expect(await sh("gen.wasm 50000 | sort | upper.wasm | count.wasm")).toEqual({
      status: 0,
      stdout: '50000 lines, 600000 bytes, first "LINE 000001", last "LINE 050000"\n',
      stderr: "",
    });
    expect((await sh("nap.wasm 200")).stdout).toBe("slept long enough\n");
    const hog = await sh("hog.wasm");
    expect(hog.status).toBe(137);
    expect(hog.stderr).toMatch(/^overbox: out of memory: killed process \d+ \(hog\.wasm\)/);
  });

  it("write a large file that a page opened later reads back", async () => {
    expect(await sh("big.wasm write /root/big 16 && sync")).toEqual({
      status: 0,
      stdout: "wrote 16 MiB: ok\n",
      stderr: "",
    });
    await page.reload();
    await page.waitForFunction(() => window.overbox !== undefined);
    expect(await sh("big.wasm check /root/big 16")).toEqual({
      status: 0,
      stdout: "checked 16 MiB: ok\n",
      stderr: "",
    });
  });
});
