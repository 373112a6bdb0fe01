/**
 * Python as a user meets it at the terminal of a `python` container: the
 * REPL (line editing, Ctrl-C, Ctrl-D), scripts run by their `#!` line, and
 * what cannot work here failing in one line instead of hanging.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { flattenImage, parseManifest } from "../../core/image/image.ts";
import { Kernel } from "../../core/kernel/kernel.ts";
import { WasmLoader } from "../../core/wasi/loader.ts";
import type { MemoryFilesystem } from "../../core/vfs/memory.ts";
import { readPath } from "../../core/vfs/paths.ts";
import { FileBlobs } from "../../node/blobs.ts";
import { TerminalSession } from "../terminal.ts";
import { IMAGES } from "../testing.ts";

const CTRL = (c: string) => String.fromCharCode(c.toUpperCase().charCodeAt(0) - 64);

let loader: WasmLoader;
let fs: MemoryFilesystem;
let session: TerminalSession;

beforeAll(() => {
  // One loader: the module is compiled once for every test.
  loader = new WasmLoader();
});

beforeEach(async () => {
  const manifest = parseManifest(readFileSync(join(IMAGES, "python.json")));
  fs = await flattenImage(new FileBlobs(join(IMAGES, "blobs")), manifest);
  session = new TerminalSession(new Kernel(fs, loader));
  await session.login();
});

async function repl(): Promise<void> {
  session.type("python3\r");
  await session.waitFor(/^>>> $/m, 30_000);
}

describe("the Python REPL", () => {
  it("prints its banner and prompt, and computes", async () => {
    await repl();
    expect(session.text()).toMatch(/^Python 3\.11\.2 .*\n.*Type "help"/m);
    session.type("2**100\r");
    await session.waitFor("1267650600228229401496703205376");
    session.type("def sq(x):\r");
    await session.waitFor(/^\.\.\. $/m);
    session.type("    return x * x\r\r");
    session.type("[sq(i) for i in range(5)]\r");
    await session.waitFor("[0, 1, 4, 9, 16]");
  });

  it("edits the line with Backspace and Ctrl-U", async () => {
    await repl();
    session.type("1 + 9\x7f2\r");
    await session.waitFor(/^3$/m);
    session.type(`print("wrong")${CTRL("u")}print("right")\r`);
    await session.waitFor(/^right$/m);
    expect(session.text()).not.toMatch(/^wrong$/m);
  });

  it("Ctrl-C raises KeyboardInterrupt in a running loop and at the prompt", async () => {
    await repl();
    session.type("n = 0\rwhile True: n += 1\r\r");
    await new Promise((r) => setTimeout(r, 300));
    session.type(CTRL("c"));
    await session.waitFor(/^KeyboardInterrupt\n>>> $/m);
    session.type("n > 0\r");
    await session.waitFor(/^True$/m);
    session.type(`half a line${CTRL("c")}`);
    // (Python without readline starts a new line after the ^C the terminal echoed.)
    await session.waitFor(/half a line\^C\n+KeyboardInterrupt\n>>> $/m);
  });

  it("Ctrl-D leaves, and the files it wrote stay in the container", async () => {
    await repl();
    session.type(`open("/root/kept.txt", "w").write("written by python\\n")\r`);
    await session.waitFor(/^18$/m);
    session.type(CTRL("d"));
    await session.waitFor(/# $/m);
    session.type("cat /root/kept.txt\r");
    await session.waitFor(/^written by python$/m);
    expect(new TextDecoder().decode(await readPath(fs, "/root/kept.txt"))).toBe(
      "written by python\n",
    );
  });

  it("an uncaught exception prints its traceback and the prompt comes back", async () => {
    await repl();
    session.type("{}['missing']\r");
    await session.waitFor(/^KeyError: 'missing'\n>>> $/m);
  });
});

describe("python3 from the shell", () => {
  it("runs a script by its #!/usr/bin/env python3 line", async () => {
    session.type(
      `printf '#!/usr/bin/env python3\\nimport sys\\nprint("args", sys.argv[1:])\\n' > /root/s.py && chmod +x /root/s.py && /root/s.py a b\r`,
    );
    await session.waitFor(/^args \['a', 'b'\]$/m, 30_000);
  });

  it("runs json.tool in a pipeline", async () => {
    session.type(`echo '{"b": 1, "a": [true]}' | python3 -m json.tool --sort-keys\r`);
    await session.waitFor(/^\{\n {4}"a": \[\n {8}true\n {4}\],\n {4}"b": 1\n\}$/m, 30_000);
  });

  it("pip, threads, a missing program and sockets fail in one clear line, without hanging", async () => {
    session.type("pip install requests; echo status $?\r");
    await session.waitFor(
      /^pip: cannot install packages here: the container has no network\nstatus 1$/m,
    );
    session.type(`python3 -c 'import threading; threading.Thread(target=print).start()'\r`);
    await session.waitFor(/^RuntimeError: can't start new thread$/m, 30_000);
    session.type(`python3 -c 'import subprocess; subprocess.run(["nosuch-program"])'\r`);
    await session.waitFor(
      /^FileNotFoundError: \[Errno 44\] No such file or directory: 'nosuch-program'$/m,
      30_000,
    );
    session.type(`python3 -c 'import socket; socket.create_connection(("example.org", 80))'\r`);
    await session.waitFor(/^socket\.gaierror: .*$/m, 30_000);
  });
});
