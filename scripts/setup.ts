/**
 * Fresh-machine set-up, run by `npm start`, `npm test` and `npm run build`
 * through scripts/bootstrap.mjs. Each step is skipped when its output is
 * already there for the same inputs:
 *
 *  1. Debian packages: the wasm toolchain (and, with --with-browser,
 *     Chromium, the native busybox the tests compare against, and attr for
 *     the overlayfs comparison).
 *  2. A deb-src entry for bookworm main, and BusyBox's Debian source package.
 *  3. BusyBox compiled to wasm (rootfs/busybox/build.sh), cached in
 *     build/busybox/HASH, HASH covering the source version, everything in
 *     rootfs/busybox/ and the toolchain's versions (the Debian packages and
 *     the npm package binaryen, whose wasm-opt runs Asyncify).
 *  4. The base image `busybox` in build/images, cached on a hash of the
 *     module and of the image's own inputs.
 *  5. The tool layers (rootfs/lua, sqlite, jq, make, python), each built from
 *     Debian's source package by rootfs/NAME/build.sh and cached outside
 *     the clone (~/.cache/overbox/NAME/HASH), and the images `tools` and
 *     `python` stacked from the base image's layer and theirs.
 *  6. For the tests: the WASI programs of core/wasi/programs (C and Rust,
 *     built elsewhere than BusyBox: no Asyncify), in build/wasi-programs,
 *     cached on a hash of that folder and the toolchain's versions; and
 *     the socket programs of rootfs/socket-programs (C, for overbox with
 *     the layers' toolchain and natively with gcc), in
 *     build/socket-programs, cached on a hash of that folder, the compat
 *     layer, toolchain.sh and the toolchain's versions.
 *
 * Every run then writes build/busybox-build.json (`BuildRecord`): where the
 * source tree and the build's outputs are, for the tests that need them
 * (rootfs/testsuite.test.ts runs the source's testsuite/ against the build's
 * .config).
 *
 * Off Debian, or without root when a package is missing, it stops with one
 * message naming what to install by hand.
 */
import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { homedir } from "node:os";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { BuildRecord } from "../rootfs/build-record.ts";
import { dataDigests, type ImageManifest } from "../core/image/image.ts";
import { parseLayerIndex } from "../core/image/layer.ts";
import { packDirectory } from "../node/pack.ts";
import {
  readStartFiles,
  toolLayerEntries,
  writeBaseImage,
  writeStackedImage,
  type ToolLayerEntries,
} from "../rootfs/image.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const BUILD = join(ROOT, "build");
/** Served as /images/ by vite (publicDir build/public) and copied into dist/. */
const IMAGES = join(BUILD, "public", "images");

const TOOLCHAIN = [
  "clang-19",
  "lld-19",
  "llvm-19",
  "libclang-rt-19-dev-wasm32",
  "wasi-libc",
  "make",
  "gcc",
  "libc6-dev",
  "dpkg-dev",
  // CPython's build runs a Python of its own version (rootfs/python).
  "python3.11",
  // tclsh: SQLite's build makes its amalgamation with it (rootfs/sqlite).
  "tcl",
  // make-dfsg ships no configure: its build runs autoreconf, as Debian's
  // does (rootfs/make).
  "autoconf",
  "automake",
  "autopoint",
];
/**
 * For the tests: the browsers (e2e/browser.ts; for WebKit, e2e/webkit.ts:
 * WebKitGTK's WebDriver, the GObject bindings our browser window
 * e2e/webkit-browser.py is written with, and Xvfb for it), Debian's native
 * busybox to compare against, and attr, whose setfattr marks opaque
 * directories in the lower layers that core/overlay/linux.test.ts mounts
 * with Linux overlayfs. Debian's rustc and its wasm32 standard library
 * build the Rust test programs of core/wasi/programs. lua5.4, sqlite3 and
 * jq are the native tools the tools image's are compared with
 * (rootfs/NAME/snippets.test.ts), as make and python3.11 (in TOOLCHAIN)
 * are for make's and the python image's.
 */
const TEST_PACKAGES = [
  "chromium",
  "firefox-esr",
  "webkit2gtk-driver",
  "python3-gi",
  "gir1.2-webkit2-4.1",
  "xvfb",
  "busybox",
  "attr",
  "rustc",
  "libstd-rust-dev-wasm32",
  // rust-lld, the linker Debian's rustc uses for wasm32 (a recommendation of
  // libstd-rust-dev-wasm32, which --no-install-recommends leaves out).
  "lld-14",
  "lua5.4",
  "sqlite3",
  "jq",
  // The network's tests: a test CA for the gateway's https, the host's curl on a published port.
  "openssl",
  "curl",
];
/** The compiler, flags, compat layer and Asyncify every layer's programs are built with. */
const TOOLCHAIN_SCRIPT = join(ROOT, "rootfs", "toolchain.sh");
const SOURCES_FILE = "/etc/apt/sources.list.d/overbox-deb-src.sources";

class SetupError extends Error {}

function log(message: string): void {
  console.log(`overbox set-up: ${message}`);
}

function sh(command: string, args: string[], options: SpawnSyncOptions = {}): string {
  const r = spawnSync(command, args, { encoding: "utf8", ...options });
  if (r.error) throw new SetupError(`cannot run ${command}: ${r.error.message}`);
  if (r.status !== 0) {
    const output = `${r.stdout ?? ""}${r.stderr ?? ""}`.trim().split("\n").slice(-20).join("\n");
    throw new SetupError(`${command} ${args.join(" ")} failed (exit ${r.status})\n${output}`);
  }
  return String(r.stdout ?? "");
}

function missingPackages(packages: string[]): string[] {
  return packages.filter((p) => {
    const r = spawnSync("dpkg-query", ["-W", "-f=${Status}", p], { encoding: "utf8" });
    return r.status !== 0 || !r.stdout.includes("install ok installed");
  });
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

function ensurePackages(packages: string[]): void {
  const isDebian = existsSync("/etc/debian_version") && existsSync("/usr/bin/dpkg-query");
  if (!isDebian) {
    throw new SetupError(
      "the set-up needs Debian bookworm (it uses apt and dpkg); elsewhere, build by hand with " +
        `the Debian-named packages ${[...TOOLCHAIN, ...TEST_PACKAGES].join(" ")}, busybox 1.35's source ` +
        "and rootfs/busybox/build.sh SRC OUT",
    );
  }
  const missing = missingPackages(packages);
  if (missing.length === 0) return;
  if (!isRoot()) {
    throw new SetupError(
      `missing Debian packages; as root run: apt-get install ${missing.join(" ")}`,
    );
  }
  log(`installing ${missing.join(" ")}`);
  sh("apt-get", ["update"], { stdio: "ignore" });
  sh("apt-get", ["install", "-y", "--no-install-recommends", ...missing], {
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
}

function hasDebSrc(): boolean {
  const files = ["/etc/apt/sources.list"];
  const dir = "/etc/apt/sources.list.d";
  if (existsSync(dir)) files.push(...readdirSync(dir).map((f) => join(dir, f)));
  return files.some((f) => {
    if (!existsSync(f) || !/(\.list|\.sources)$/.test(f)) return false;
    const text = readFileSync(f, "utf8");
    return /^\s*deb-src\s/m.test(text) || /^\s*Types:.*\bdeb-src\b/m.test(text);
  });
}

/** Makes sure apt knows Debian's source packages (a deb-src entry for bookworm main). */
function ensureDebSrc(): void {
  if (hasDebSrc()) return;
  if (!isRoot()) {
    throw new SetupError(
      `no deb-src entry in apt's sources; as root add one for bookworm main (see ${SOURCES_FILE} in scripts/setup.ts)`,
    );
  }
  log(`adding a deb-src entry for bookworm main (${SOURCES_FILE})`);
  writeFileSync(
    SOURCES_FILE,
    "Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\n" +
      "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n",
  );
  sh("apt-get", ["update"], { stdio: "ignore" });
}

/**
 * Unpacks Debian's source package `pkg` (its patches applied) once per
 * version, in build/PKG-src/VERSION; returns its tree, whose name starts
 * with `tree` (the upstream name: busybox-1.35.0, lua5.4-5.4.4).
 */
function ensureSource(pkg: string, tree = `${pkg}-`): { dir: string; version: string } {
  ensureDebSrc();
  let info = sh("apt-cache", ["showsrc", pkg]);
  if (!/^Version:/m.test(info) && isRoot()) {
    sh("apt-get", ["update"], { stdio: "ignore" });
    info = sh("apt-cache", ["showsrc", pkg]);
  }
  const versions = [...info.matchAll(/^Version: (\S+)$/gm)].map((m) => m[1]!);
  if (versions.length === 0)
    throw new SetupError(`apt knows no ${pkg} source package (apt-get update?)`);
  const version = versions.sort((a, b) => debCompare(b, a))[0]!;
  const base = join(BUILD, `${pkg}-src`, version.replace(/[^A-Za-z0-9.+~-]/g, "_"));
  const stamp = join(base, ".complete");
  if (!existsSync(stamp)) {
    log(`fetching Debian's ${pkg} ${version} source`);
    rmSync(base, { recursive: true, force: true });
    mkdirSync(base, { recursive: true });
    sh("apt-get", ["source", "--only-source", `${pkg}=${version}`], { cwd: base });
    writeFileSync(stamp, version);
  }
  const dir = readdirSync(base).find(
    (f) => f.startsWith(tree) && statSync(join(base, f)).isDirectory(),
  );
  if (!dir) throw new SetupError(`no unpacked source tree in ${base}`);
  return { dir: join(base, dir), version };
}

function debCompare(a: string, b: string): number {
  const r = spawnSync("dpkg", ["--compare-versions", a, "gt", b]);
  return r.status === 0 ? 1 : a === b ? 0 : -1;
}

/**
 * sha256 over files (paths and bytes) and extra strings; in folders, files
 * for which `skip` is true (a layer's tests and README) are left out.
 */
function hashInputs(paths: string[], extra: string[], skip = (_file: string) => false): string {
  const h = createHash("sha256");
  for (const s of extra) h.update(`${s}\0`);
  const files: string[] = [];
  const walk = (p: string) => {
    if (statSync(p).isDirectory()) {
      for (const f of readdirSync(p).sort()) if (!skip(f)) walk(join(p, f));
    } else files.push(p);
  };
  for (const p of paths) walk(p);
  for (const f of files) {
    h.update(`${relative(ROOT, f)}\0`);
    h.update(readFileSync(f));
  }
  return h.digest("hex").slice(0, 16);
}

/** The installed version of the npm package binaryen (build.sh's wasm-opt). */
function binaryenVersion(): string {
  const file = join(ROOT, "node_modules", "binaryen", "package.json");
  if (!existsSync(file))
    throw new SetupError("the npm package binaryen is missing; run npm install");
  const { version } = JSON.parse(readFileSync(file, "utf8")) as { version: string };
  return `binaryen ${version}`;
}

/** BusyBox compiled to wasm, cached on its inputs; returns the output directory. */
function ensureBusybox(source: { dir: string; version: string }): string {
  const toolchain = ["clang-19", "wasi-libc", "lld-19"].map((p) =>
    sh("dpkg-query", ["-W", "-f=${Package} ${Version}", p]),
  );
  toolchain.push(binaryenVersion());
  const key = hashInputs(
    [join(ROOT, "rootfs", "busybox"), join(ROOT, "rootfs", "compat"), TOOLCHAIN_SCRIPT],
    [source.version, ...toolchain],
  );
  const out = join(BUILD, "busybox", key);
  if (existsSync(join(out, "busybox.wasm"))) return out;
  log(`building BusyBox ${source.version} for wasm32-wasi (cache key ${key})`);
  const tmp = join(BUILD, "busybox-building");
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const started = Date.now();
  const r = spawnSync("bash", [join(ROOT, "rootfs", "busybox", "build.sh"), source.dir, tmp], {
    encoding: "utf8",
    env: { ...process.env, SOURCE_DATE_EPOCH: String(sourceEpoch(source.dir)) },
  });
  if (r.status !== 0) {
    const output = `${r.stdout}${r.stderr}`.trim().split("\n").slice(-30).join("\n");
    throw new SetupError(`the BusyBox build failed (log: ${join(tmp, "build.log")})\n${output}`);
  }
  // Only the outputs are kept (not the build tree), and only for one key.
  rmSync(join(tmp, "work"), { recursive: true, force: true });
  rmSync(join(BUILD, "busybox"), { recursive: true, force: true });
  mkdirSync(join(BUILD, "busybox"), { recursive: true });
  renameSync(tmp, out);
  log(`BusyBox built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return out;
}

/** The date of the source package's last changelog entry: reproducible mtimes. */
function sourceEpoch(sourceDir: string): number {
  const out = sh("dpkg-parsechangelog", [
    "-l",
    join(sourceDir, "debian", "changelog"),
    "-S",
    "Timestamp",
  ]);
  return Number(out.trim());
}

/**
 * The record of the inputs image `name` was last packed from:
 * build/image-NAME.inputs, outside IMAGES (not served). Fresh when it
 * holds `key` and the image's manifest is there.
 */
function imageStamp(name: string): { fresh(key: string): boolean; save(key: string): void } {
  const file = join(BUILD, `image-${name}.inputs`);
  return {
    fresh: (key) =>
      existsSync(file) &&
      readFileSync(file, "utf8") === key &&
      existsSync(join(IMAGES, `${name}.json`)),
    save: (key) => writeFileSync(file, key),
  };
}

async function ensureImage(busybox: string, source: { dir: string }): Promise<void> {
  const key = hashInputs(
    [
      join(busybox, "busybox.wasm"),
      join(busybox, "busybox.links"),
      join(ROOT, "rootfs", "files"),
      join(ROOT, "rootfs", "image.ts"),
      join(ROOT, "node", "pack.ts"),
      join(ROOT, "core", "image"),
      join(ROOT, "core", "kernel", "devices.ts"), // the image's /dev nodes
    ],
    [],
  );
  const stamp = imageStamp("busybox");
  if (stamp.fresh(key)) return;
  log("packing the base image busybox");
  const { layer } = await writeBaseImage(
    {
      wasm: join(busybox, "busybox.wasm"),
      links: join(busybox, "busybox.links"),
      files: join(ROOT, "rootfs", "files"),
      mtime: sourceEpoch(source.dir),
    },
    IMAGES,
  );
  stamp.save(key);
  log(
    `image busybox: layer ${layer.digest.slice(0, 19)}…, ${layer.index.entries.length} entries, ${layer.data.length} bytes of data`,
  );
}

/**
 * Where the tool layers' builds are kept, outside the clone (a new clone
 * on this machine finds them), each under its cache key:
 * $OVERBOX_CACHE, else ~/.cache/overbox.
 */
function cacheRoot(): string {
  return process.env.OVERBOX_CACHE ?? join(homedir(), ".cache", "overbox");
}

/** The versions of the Debian packages `packages`, and binaryen's: part of a build's cache key. */
function toolchainVersions(packages: string[]): string[] {
  return [
    ...packages.map((p) => sh("dpkg-query", ["-W", "-f=${Package} ${Version}", p])),
    binaryenVersion(),
  ];
}

/**
 * A tool layer's program built by rootfs/NAME/build.sh from Debian's source
 * package (and `more` source trees it takes after its output folder), cached in cacheRoot()/NAME/KEY on a hash of its recipe, the
 * compat layer, the toolchain, the source's version and those of the
 * Debian `packages` it also builds with; returns that folder.
 */
function ensureTool(
  name: string,
  source: { dir: string; version: string },
  more: Array<{ dir: string; version: string }> = [],
  packages: string[] = [],
): string {
  const key = hashInputs(
    [join(ROOT, "rootfs", name), join(ROOT, "rootfs", "compat"), TOOLCHAIN_SCRIPT],
    [
      source.version,
      ...more.map((m) => m.version),
      ...toolchainVersions(["clang-19", "wasi-libc", "lld-19", ...packages]),
    ],
    // What the build does not read: editing a test does not rebuild CPython.
    (file) => file.endsWith(".test.ts") || file.endsWith(".md"),
  );
  const out = join(cacheRoot(), name, key);
  if (existsSync(join(out, ".complete"))) return out;
  log(`building ${name} ${source.version} for wasm32-wasi (cache key ${key}, in ${out})`);
  const tmp = join(cacheRoot(), `${name}.building-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  const started = Date.now();
  const args = [join(ROOT, "rootfs", name, "build.sh"), source.dir, tmp, ...more.map((m) => m.dir)];
  const r = spawnSync("bash", args, {
    encoding: "utf8",
    env: { ...process.env, SOURCE_DATE_EPOCH: String(sourceEpoch(source.dir)) },
  });
  if (r.status !== 0) {
    const output = `${r.stdout}${r.stderr}`.trim().split("\n").slice(-30).join("\n");
    throw new SetupError(`the ${name} build failed (log: ${join(tmp, "build.log")})\n${output}`);
  }
  writeFileSync(join(tmp, ".complete"), key);
  // Only one key is kept per tool.
  rmSync(join(cacheRoot(), name), { recursive: true, force: true });
  mkdirSync(join(cacheRoot(), name), { recursive: true });
  renameSync(tmp, out);
  log(`${name} built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return out;
}

/** A tool layer's files: its build folder's outputs, as they go in the image. */
interface ToolLayer {
  /** The build's output folder (ensureTool). */
  out: string;
  /** Its source tree: the layer's entries are dated by its changelog. */
  source: { dir: string };
  /** [path in the image, file in `out`] or [path, symlink target]. */
  files?: Array<{ path: string; from?: string; target?: string }>;
  /** Or a folder of `out` holding the layer's tree as it is, modes included. */
  tree?: string;
  /**
   * A file of the repository listing the files a program of the layer
   * reads as it starts (rootfs/python/start-files.txt): their bytes go
   * first, and a page fetches them at once (rootfs/README.md).
   */
  start?: string;
}

/**
 * An image stacked from the base image's layer and a layer for each tool
 * (rootfs/README.md, "Layers and images"): `tools`, `python`.
 */
async function ensureStackedImage(name: string, tools: ToolLayer[]): Promise<void> {
  const key = hashInputs(
    [
      join(IMAGES, "busybox.json"),
      ...tools.flatMap((t) => [
        ...(t.files ?? []).filter((f) => f.from).map((f) => join(t.out, f.from!)),
        ...(t.tree ? [join(t.out, t.tree)] : []),
        ...(t.start ? [t.start] : []),
      ]),
      join(ROOT, "rootfs", "image.ts"),
      join(ROOT, "node", "pack.ts"),
      join(ROOT, "core", "image"),
    ],
    [JSON.stringify(tools.map((t) => t.files ?? t.tree))],
  );
  const stamp = imageStamp(name);
  if (stamp.fresh(key)) return;
  log(`packing the image ${name}`);
  const base = JSON.parse(readFileSync(join(IMAGES, "busybox.json"), "utf8")) as ImageManifest;
  const layers: ToolLayerEntries[] = [];
  for (const t of tools) {
    const mtime = sourceEpoch(t.source.dir);
    const start = t.start ? readStartFiles(readFileSync(t.start, "utf8")) : undefined;
    if (t.tree) {
      const owner = { uid: 0, gid: 0 };
      layers.push({ entries: await packDirectory(join(t.out, t.tree), { owner, mtime }), start });
    } else {
      const files = (t.files ?? []).map((f) =>
        f.from ? { path: f.path, data: readFileSync(join(t.out, f.from)) } : f,
      );
      layers.push({ entries: toolLayerEntries(files, mtime), start });
    }
  }
  const manifest = await writeStackedImage(IMAGES, name, base, layers);
  stamp.save(key);
  log(`image ${name}: ${manifest.layers.length} layers`);
}

/**
 * images/index.json: the images the set-up built, which the CLI brings in
 * (cli/state.ts) and a page offers (browser/sandbox.ts), base image first.
 */
function writeBuiltList(names: string[]): void {
  const text = JSON.stringify({ images: names }, null, 2) + "\n";
  const file = join(IMAGES, "index.json");
  if (existsSync(file) && readFileSync(file, "utf8") === text) return;
  writeFileSync(file, text);
}

/**
 * Deletes the blobs no built image uses (earlier builds' layers), so that
 * the site, and its service worker's list, carry only what is used.
 */
function pruneBlobs(names: string[]): void {
  const dir = join(IMAGES, "blobs", "sha256");
  const used = new Set<string>();
  for (const name of names) {
    const manifest = JSON.parse(
      readFileSync(join(IMAGES, `${name}.json`), "utf8"),
    ) as ImageManifest;
    for (const { digest } of manifest.layers) {
      const hex = (d: string) => d.slice("sha256:".length);
      used.add(hex(digest));
      const index = parseLayerIndex(readFileSync(join(dir, hex(digest))));
      for (const d of dataDigests(index)) used.add(hex(d));
    }
  }
  const unused = readdirSync(dir).filter((f) => !used.has(f));
  for (const f of unused) rmSync(join(dir, f));
  if (unused.length > 0) log(`deleted ${unused.length} blobs no image uses`);
}

/** The test programs of core/wasi/programs, built by its build.sh into build/wasi-programs. */
function ensurePrograms(): void {
  const toolchain = ["clang-19", "wasi-libc", "lld-19", "rustc", "libstd-rust-dev-wasm32"].map(
    (p) => sh("dpkg-query", ["-W", "-f=${Package} ${Version}", p]),
  );
  const key = hashInputs([join(ROOT, "core", "wasi", "programs")], toolchain);
  const out = join(BUILD, "wasi-programs");
  const stamp = join(BUILD, "wasi-programs.inputs");
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === key) return;
  log("building the WASI test programs (core/wasi/programs)");
  rmSync(out, { recursive: true, force: true });
  const r = spawnSync("bash", [join(ROOT, "core", "wasi", "programs", "build.sh"), out], {
    encoding: "utf8",
  });
  if (r.status !== 0) {
    throw new SetupError(`the WASI test programs failed to build\n${r.stdout}${r.stderr}`);
  }
  writeFileSync(stamp, key);
}

/** The socket test programs of rootfs/socket-programs, built by its build.sh into build/socket-programs. */
function ensureSocketPrograms(): void {
  const rootfs = join(ROOT, "rootfs");
  const key = hashInputs(
    [join(rootfs, "socket-programs"), join(rootfs, "compat"), join(rootfs, "toolchain.sh")],
    toolchainVersions(["clang-19", "wasi-libc", "lld-19", "gcc"]),
    (f) => f.endsWith(".md") || f.endsWith(".test.ts"),
  );
  const out = join(BUILD, "socket-programs");
  const stamp = join(BUILD, "socket-programs.inputs");
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === key) return;
  log("building the socket test programs (rootfs/socket-programs)");
  rmSync(out, { recursive: true, force: true });
  const r = spawnSync("bash", [join(rootfs, "socket-programs", "build.sh"), out], {
    encoding: "utf8",
  });
  if (r.status !== 0) {
    const logFile = join(out, "build.log");
    const tail = existsSync(logFile)
      ? readFileSync(logFile, "utf8").split("\n").slice(-30).join("\n")
      : "";
    throw new SetupError(`the socket test programs failed to build\n${r.stdout}${r.stderr}${tail}`);
  }
  writeFileSync(stamp, key);
}

async function main(): Promise<void> {
  const withBrowser = process.argv.includes("--with-browser");
  ensurePackages(withBrowser ? [...TOOLCHAIN, ...TEST_PACKAGES] : TOOLCHAIN);
  const source = ensureSource("busybox");
  const busybox = ensureBusybox(source);
  await ensureImage(busybox, source);
  const lua = ensureSource("lua5.4");
  const sqlite = ensureSource("sqlite3");
  const jq = ensureSource("jq");
  const make = ensureSource("make-dfsg");
  await ensureStackedImage("tools", [
    {
      out: ensureTool("lua", lua),
      source: lua,
      files: [
        { path: "usr/bin/lua5.4", from: "lua5.4.wasm" },
        { path: "usr/bin/lua", target: "lua5.4" },
      ],
    },
    {
      out: ensureTool("sqlite", sqlite),
      source: sqlite,
      files: [{ path: "usr/bin/sqlite3", from: "sqlite3.wasm" }],
    },
    {
      out: ensureTool("jq", jq, [ensureSource("libonig")]),
      source: jq,
      files: [{ path: "usr/bin/jq", from: "jq.wasm" }],
    },
    {
      out: ensureTool("make", make, [], ["autoconf", "automake", "autopoint"]),
      source: make,
      files: [{ path: "usr/bin/make", from: "make.wasm" }],
    },
  ]);
  // CPython links the SQLite of the sqlite layer's build (its amalgamation),
  // and compiles its standard library with the host's python3.11.
  const python = ensureSource("python3.11");
  const sqliteOut = ensureTool("sqlite", sqlite);
  await ensureStackedImage("python", [
    {
      out: ensureTool(
        "python",
        python,
        [ensureSource("zlib"), { dir: sqliteOut, version: basename(sqliteOut) }],
        ["python3.11"],
      ),
      source: python,
      tree: "root",
      start: join(ROOT, "rootfs", "python", "start-files.txt"),
    },
  ]);
  writeBuiltList(["busybox", "tools", "python"]);
  pruneBlobs(["busybox", "tools", "python"]);
  if (withBrowser) {
    ensurePrograms();
    ensureSocketPrograms();
  }
  const record: BuildRecord = {
    version: source.version,
    source: relative(ROOT, source.dir),
    out: relative(ROOT, busybox),
  };
  writeFileSync(join(BUILD, "busybox-build.json"), JSON.stringify(record, null, 2) + "\n");
}

main().catch((e: unknown) => {
  if (e instanceof SetupError) {
    console.error(`overbox set-up: ${e.message}`);
    process.exit(1);
  }
  throw e;
});
