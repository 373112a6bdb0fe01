/**
 * Programs built elsewhere (core/wasi/programs, built at set-up with
 * clang-19 and wasi-libc, and with Debian's rustc; none with Asyncify) run
 * in a container as BusyBox does: prepared when first run (prepare.ts),
 * paused at their system calls, in pipelines with BusyBox's applets, at
 * the terminal, within the kernel's limits.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { constants, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { builtImage } from "../../rootfs/testing.ts";
import { TerminalSession } from "../../rootfs/terminal.ts";
import { Container } from "../container/container.ts";
import { loadImage } from "../image/image.ts";
import { DEFAULT_LIMITS, Kernel, type Limits } from "../kernel/kernel.ts";
import { MemoryStore } from "../store/memory.ts";
import { writePath } from "../vfs/paths.ts";
import { WasmLoader } from "./loader.ts";
import { MemoryPrepared, type PreparedModules } from "./prepared.ts";
import { InThreadPreparer, type Preparer } from "./preparer.ts";

const BUILT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "build", "wasi-programs");
const PROGRAMS = [
  "args",
  "files",
  "ask",
  "gen",
  "count",
  "nap",
  "spin",
  "hog",
  "big",
  "calls",
  "traps",
  "upper",
  "facts",
];
const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** Prepared modules kept across the tests, as the CLI and the browser keep them: each program is prepared once. */
class CountingPrepared implements PreparedModules {
  private readonly kept = new MemoryPrepared();
  puts = 0;
  get(key: string) {
    return this.kept.get(key);
  }
  put(key: string, bytes: Uint8Array<ArrayBuffer>) {
    this.puts++;
    return this.kept.put(key, bytes);
  }
}
const prepared = new CountingPrepared();

/** A container of the base image with the programs in /opt/w (executable), and a kernel on it. */
async function container(
  store = new MemoryStore(),
  limits: Partial<Limits> = {},
  loader = new WasmLoader(prepared),
) {
  const { manifest, source } = builtImage();
  const c = await Container.open(store, await loadImage(source, manifest), source);
  const kernel = new Kernel(c.fs, loader, { ...DEFAULT_LIMITS, ...limits });
  const sh = async (script: string, stdin?: string) => {
    const r = await kernel.run({
      args: ["sh", "-c", script],
      env: ["PATH=/opt/w:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root"],
      cwd: "/root",
      ...(stdin === undefined ? {} : { stdin }),
    });
    return { status: r.status, stdout: text(r.stdout), stderr: text(r.stderr) };
  };
  return { container: c, kernel, sh };
}

async function withPrograms(
  store = new MemoryStore(),
  limits: Partial<Limits> = {},
  loader?: WasmLoader,
) {
  const box = await container(store, limits, loader);
  expect((await box.sh("mkdir -p /opt/w")).status).toBe(0);
  for (const name of PROGRAMS) {
    const bytes = new Uint8Array(readFileSync(join(BUILT, `${name}.wasm`)));
    await writePath(box.container.fs, `/opt/w/${name}.wasm`, bytes);
  }
  expect((await box.sh("chmod 755 /opt/w/*.wasm")).status).toBe(0);
  return box;
}

beforeAll(() => {
  if (!existsSync(join(BUILT, "args.wasm")))
    throw new Error(`${BUILT} is missing: npm test's set-up builds it (scripts/setup.ts)`);
});

describe("a WASI program built elsewhere", () => {
  it("gets its arguments and environment, and exits with its status; a file without the execute bit is EACCES", async () => {
    const { sh, container: c } = await withPrograms();
    expect(await sh("GREETING='hi there' EXIT=7 args.wasm one 'two words'")).toEqual({
      status: 7,
      stdout: "argv[0]=args.wasm\nargv[1]=one\nargv[2]=two words\nGREETING=hi there\n",
      stderr: "",
    });
    expect((await sh("/opt/w/args.wasm; echo $?")).stdout).toMatch(/GREETING=\(unset\)\n0\n$/);
    await writePath(c.fs, "/root/plain.wasm", readFileSync(join(BUILT, "args.wasm")));
    expect(await sh("./plain.wasm")).toMatchObject({
      status: 126,
      stderr: "sh: ./plain.wasm: Permission denied\n",
    });
  });

  it("does file operations with Linux's errors: the same lines as the program built natively", async () => {
    const { sh } = await withPrograms();
    const dir = mkdtempSync(join(tmpdir(), "overbox-files-"));
    try {
      const native = execFileSync(join(BUILT, "native", "files"), { cwd: dir, encoding: "utf8" });
      expect(await sh("mkdir /tmp/f && cd /tmp/f && files.wasm")).toEqual({
        status: 0,
        stdout: native,
        stderr: "",
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("answers WASI's own calls as WASI says: rights, preopens, flags, times, absolute paths, .. above a directory fd", async () => {
    const { sh } = await withPrograms();
    expect(await sh("calls.wasm")).toEqual({
      status: 0,
      stdout: [
        "fdstat of the preopen: ok",
        "preopen rights: open 1, readdir 1, fd_write 0, inherits fd_write 1",
        "open . with the preopen's rights: ok",
        "open . with no rights: ok",
        "open . as a directory to read and write: ISDIR",
        "open /tmp, an absolute path: PERM",
        "preopen name into no bytes: NAMETOOLONG",
        "make calls.d: ok",
        "open calls.d: ok",
        "seek in a directory: ISDIR",
        "tell in a directory: ISDIR",
        "allocate in a directory: ISDIR",
        "make calls.d/sub: ok",
        "stat sub/.. from calls.d: ok",
        "stat sub/../.. from calls.d, above it: NOTCAPABLE",
        "link up to ../ in calls.d: ok",
        "stat up/calls.d from calls.d, above it: NOTCAPABLE",
        "stat tmp/../.. from the preopen, the root: ok",
        "unlink up: ok",
        "remove sub: ok",
        "create f with SYNC: ok",
        "fdstat of f: ok",
        "f's flags have SYNC: 1, rights read 1 write 1",
        "write f: ok",
        "write nothing to fd 99: BADF",
        "drop f's write right: ok",
        "write f without the right: BADF",
        "take the right back: NOTCAPABLE",
        "set f's atime and atime-now: INVAL",
        "close f: ok",
        "open f read-only: ok",
        "write f read-only: BADF",
        "close f: ok",
        "fdstat of calls.d: ok",
        "drop calls.d's truncate right: ok",
        "truncate f through calls.d: NOTCAPABLE",
        "unlink f: ok",
        "remove calls.d: ok",
        "",
      ].join("\n"),
      stderr: "",
    });
  });

  it("runs Rust's std: arguments, environment, files and their errors, the clock, the exit status", async () => {
    const { sh } = await withPrograms();
    expect(await sh("cd /tmp && GREETING=hey facts.wasm a b")).toEqual({
      status: 3,
      stdout: [
        'args ["a", "b"]',
        'GREETING Some("hey")',
        "read back: written by rust",
        "missing: true",
        "exists: true",
        'entries ["note"]',
        "removed: true",
        "slept: true",
        "",
      ].join("\n"),
      stderr: "",
    });
  });

  it("streams through pipelines with BusyBox's applets, in both directions", async () => {
    const { sh } = await withPrograms();
    // 100,000 lines (1.2 MB): every pipe fills and drains many times.
    expect(await sh("gen.wasm 100000 | sort | count.wasm")).toEqual({
      status: 0,
      stdout: '100000 lines, 1200000 bytes, first "line 000001", last "line 100000"\n',
      stderr: "",
    });
    expect(await sh("seq 3 | upper.wasm | sed s/^/x/")).toEqual({
      status: 0,
      stdout: "x1\nx2\nx3\n",
      stderr: "",
    });
    expect(await sh("printf 'a\\nb\\n' | upper.wasm")).toEqual({
      status: 2,
      stdout: "A\nB\n",
      stderr: "",
    });
    expect((await sh("gen.wasm 3 | upper.wasm | tr A-Z a-z | count.wasm")).stdout).toBe(
      '3 lines, 36 bytes, first "line 000003", last "line 000001"\n',
    );
  });

  it("sleeps, and a write to a pipe nobody reads ends it with SIGPIPE", async () => {
    const { sh } = await withPrograms();
    expect(await sh("nap.wasm 300")).toEqual({
      status: 0,
      stdout: "slept long enough\n",
      stderr: "",
    });
    // head exits after one line: gen's next write raises SIGPIPE (128 + 13).
    expect(await sh("gen.wasm 1000000 | head -1; echo ${?}")).toMatchObject({
      stdout: "line 1000000\n0\n",
    });
    expect((await sh("set -o pipefail; gen.wasm 1000000 | head -1; echo $?")).stdout).toBe(
      "line 1000000\n141\n",
    );
  });

  it("is ended by kill in a busy loop with no system calls, and killed at the memory limit with the kernel's message", async () => {
    const { sh } = await withPrograms(new MemoryStore(), { memory: 64 * 1024 * 1024 });
    // Killed once it spins (its first run includes preparing it).
    const spin = "spin.wasm > /tmp/out & until grep -q spinning /tmp/out; do sleep 0.05; done";
    expect(await sh(`${spin}; kill $!; wait $!; echo $?`)).toMatchObject({
      status: 0,
      stdout: "143\n",
    });
    const hog = await sh("hog.wasm");
    expect(hog.status).toBe(137);
    expect(hog.stderr).toMatch(
      /^overbox: out of memory: killed process \d+ \(hog.wasm\): it asked for \d+ MiB, the limit is 64 MiB\n/,
    );
  });

  it("dies of the signal Linux kills it with for its fault, as the program built natively does: abort, a division by zero, a wild read, the stack exhausted", async () => {
    const { sh } = await withPrograms();
    for (const how of ["abort", "divide", "wild", "deep"]) {
      const native = spawnSync(join(BUILT, "native", "traps"), [how]);
      expect(native.signal).not.toBeNull();
      const status = 128 + constants.signals[native.signal!];
      // The shell says how it died, in BusyBox ash's words (strsignal).
      const words = { abort: "Aborted", divide: "Arithmetic exception" }[how];
      expect(await sh(`traps.wasm ${how}; echo status $?`)).toEqual({
        status: 0,
        stdout: `status ${status}\n`,
        stderr: `about to ${how}\n${words ?? "Segmentation fault"}\n`,
      });
    }
  });

  it("writes a large file to the container, which it reads back after the container is reopened", async () => {
    const store = new MemoryStore();
    const first = await withPrograms(store);
    expect(await first.sh("big.wasm write /root/big 32")).toEqual({
      status: 0,
      stdout: "wrote 32 MiB: ok\n",
      stderr: "",
    });
    await first.container.close();
    const again = await container(store.reopen());
    expect(await again.sh("/opt/w/big.wasm check /root/big 32")).toEqual({
      status: 0,
      stdout: "checked 32 MiB: ok\n",
      stderr: "",
    });
    await again.container.close();
  });

  it("is prepared once: another kernel finds it prepared by its content", async () => {
    const before = prepared.puts;
    const a = await withPrograms();
    await a.sh("args.wasm; cp /opt/w/args.wasm /root/copy.wasm; /root/copy.wasm");
    const b = await withPrograms();
    await b.sh("args.wasm");
    expect(prepared.puts - before).toBeLessThanOrEqual(1);
  });

  it("waits to be prepared without stopping the container: other processes run meanwhile, and kill ends the waiting one", async () => {
    const held: Array<() => void> = [];
    const hold: Preparer = {
      prepare: async (bytes) => {
        await new Promise<void>((r) => held.push(r));
        return new InThreadPreparer().prepare(bytes);
      },
    };
    const { sh } = await withPrograms(undefined, {}, new WasmLoader(new MemoryPrepared(), hold));
    const first = sh("args.wasm one; echo status $?");
    await until(() => held.length === 1);
    expect(await sh("echo meanwhile; ls /opt/w | wc -l")).toMatchObject({
      status: 0,
      stdout: `meanwhile\n${PROGRAMS.length}\n`,
    });
    const second = sh("spin.wasm & pid=$!; sleep 0.1; kill $pid; wait $pid; echo killed $?");
    await until(() => held.length === 2);
    held.shift()!();
    expect((await first).stdout).toBe(
      "argv[0]=args.wasm\nargv[1]=one\nGREETING=(unset)\nstatus 0\n",
    );
    expect((await second).stdout).toBe("killed 143\n");
    held.shift()?.();
  });
});

/** Resolves once `condition` holds, looking every few milliseconds. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 5));
}

describe("a WASI program at the terminal", () => {
  it("reads a line typed at its prompt, and Ctrl-C stops its busy loop", async () => {
    const { kernel } = await withPrograms();
    const session = new TerminalSession(kernel);
    await session.login(["PATH=/opt/w:/usr/bin:/bin", "HOME=/root"]);
    session.type("/opt/w/ask.wasm\r");
    await session.waitFor(/name\? $/m);
    session.type("Ada\r");
    await session.waitFor(/^hello, Ada$/m);
    session.type("/opt/w/spin.wasm\r");
    await session.waitFor(/^spinning$/m);
    session.type("\x03");
    await session.command("echo status $?");
    await session.waitFor(/^status 130$/m);
  });
});

describe("a module overbox cannot run", () => {
  // Hand-made modules: one that imports env.foo, and a reactor.
  const IMPORTS_FOO = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x02, 0x0b,
    0x01, 0x03, 0x65, 0x6e, 0x76, 0x03, 0x66, 0x6f, 0x6f, 0x00, 0x00,
  ];
  const REACTOR = [
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    0x01,
    0x04,
    0x01,
    0x60,
    0x00,
    0x00,
    0x03,
    0x02,
    0x01,
    0x00,
    0x07,
    0x0f,
    0x01,
    0x0b,
    ...new TextEncoder().encode("_initialize"),
    0x00,
    0x00,
    0x0a,
    0x04,
    0x01,
    0x02,
    0x00,
    0x0b,
  ];

  it("says in one line which import it lacks, or that it is a reactor, and exits 127", async () => {
    const { sh, container: c } = await container();
    await writePath(c.fs, "/root/foo.wasm", new Uint8Array(IMPORTS_FOO));
    await writePath(c.fs, "/root/lib.wasm", new Uint8Array(REACTOR));
    await writePath(c.fs, "/root/junk.wasm", new Uint8Array([0x00, 0x61, 0x73, 0x6d, 9, 9]));
    await sh("chmod +x /root/*.wasm");
    expect(await sh("./foo.wasm")).toEqual({
      status: 127,
      stdout: "",
      stderr:
        "overbox: ./foo.wasm: cannot run: it imports env.foo (function), and overbox gives only WASI preview 1 (wasi_snapshot_preview1)\n",
    });
    expect(await sh("./lib.wasm")).toEqual({
      status: 127,
      stdout: "",
      stderr:
        "overbox: ./lib.wasm: cannot run: it is a WASI reactor (it exports _initialize, not _start): only commands run\n",
    });
    const junk = await sh("./junk.wasm");
    expect(junk.status).toBe(127);
    expect(junk.stderr).toMatch(
      /^overbox: \.\/junk\.wasm: cannot run: it is not a WebAssembly module this engine runs \(CompileError: .*\)\n$/,
    );
  });
});
