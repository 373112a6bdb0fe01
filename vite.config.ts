import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { transform } from "esbuild";
import { defineConfig, type Plugin } from "vite";

// The set-up (scripts/setup.ts) writes the built images to build/public/images;
// vite serves them at /images/ and copies them into dist/ on `npm run build`.
// The pages: the playground (index.html), the embed for iframes
// (embed.html) and a documentation page embedding two containers
// (docs-demo.html). `base: "./"` keeps every URL relative, so dist/ works
// from any static server, at any path.
export default defineConfig(({ command }) => ({
  base: "./",
  // Whether pages register the service worker (src/offline.ts): only a
  // built site has one.
  define: { __SERVICE_WORKER__: JSON.stringify(command === "build") },
  publicDir: "build/public",
  server: { port: 5173, strictPort: true },
  // `npm start` serves the built site (with its service worker) here;
  // `npm run dev` the sources, with hot reload, on the same port.
  preview: { port: 5173, strictPort: true },
  worker: { format: "es" },
  // Binaryen (core/wasi/prepare.ts) is already an ES module, loaded only
  // when a program built elsewhere is first run: found then by the dev
  // server's optimizer, it would reload the page.
  optimizeDeps: { exclude: ["binaryen"] },
  plugins: [serviceWorker(), contentSecurityPolicy()],
  build: {
    target: "es2022",
    rolldownOptions: {
      input: {
        playground: "index.html",
        embed: "embed.html",
        "docs-demo": "docs-demo.html",
      },
    },
  },
}));

/**
 * What the built pages may load and run, as a Content-Security-Policy
 * (README, "Reliability and security"): their own scripts, workers and
 * files, WebAssembly (the worker compiles BusyBox), inline styles (xterm.js
 * sets them), the embed in a frame of the site; nothing from elsewhere,
 * no inline script, no plugin, no form. A plain static host sends no
 * headers, so it is a <meta> element at the top of each page; the dev
 * server's pages go without (vite injects its own scripts there).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "frame-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
].join("; ");

function contentSecurityPolicy(): Plugin {
  return {
    name: "overbox-content-security-policy",
    apply: "build",
    transformIndexHtml: () => [
      {
        tag: "meta",
        attrs: { "http-equiv": "Content-Security-Policy", content: CONTENT_SECURITY_POLICY },
        injectTo: "head-prepend",
      },
    ],
  };
}

/**
 * Writes dist/sw.js once the site is built: src/sw/service-worker.ts, with
 * the list of the site's files to cache at install, those to cache when
 * first fetched, and a version that changes with their bytes (see that
 * file).
 */
function serviceWorker(): Plugin {
  let root = "";
  let outDir = "";
  return {
    name: "overbox-service-worker",
    apply: "build",
    configResolved(config) {
      root = config.root;
      outDir = resolve(config.root, config.build.outDir);
    },
    async closeBundle() {
      const files = filesBelow(outDir).filter((f) => f !== "sw.js");
      const hash = createHash("sha256");
      for (const f of files) hash.update(f).update(readFileSync(join(outDir, f)));
      const source = readFileSync(join(root, "src", "sw", "service-worker.ts"), "utf8");
      const { code } = await transform(source, { loader: "ts", target: "es2022" });
      // Binaryen's 13 MB, which only a program built elsewhere needs
      // (core/wasi/prepare.ts), and the images other than the base one
      // (their manifests and the blobs the base image does not share):
      // cached when first fetched, not at install.
      const base = baseImageFiles(outDir);
      const onDemand = files.filter(
        (f) => /^assets\/binaryen-[\w-]+\.js$/.test(f) || (f.startsWith("images/") && !base.has(f)),
      );
      const header = [
        `const PRECACHE = ${JSON.stringify(["./", ...files.filter((f) => !onDemand.includes(f))])};`,
        `const ON_DEMAND = ${JSON.stringify(onDemand)};`,
        `const VERSION = ${JSON.stringify(hash.digest("hex").slice(0, 16))};`,
      ].join("\n");
      writeFileSync(join(outDir, "sw.js"), `${header}\n${code}`);
    },
  };
}

/** The files of the base image `busybox` in a built site: its manifest, and each layer's index and data. */
function baseImageFiles(outDir: string): Set<string> {
  const manifest = JSON.parse(readFileSync(join(outDir, "images", "busybox.json"), "utf8")) as {
    layers: Array<{ digest: string }>;
  };
  const blob = (digest: string) => `images/blobs/sha256/${digest.replace(/^sha256:/, "")}`;
  const files = new Set(["images/busybox.json"]);
  for (const { digest } of manifest.layers) {
    files.add(blob(digest));
    const index = JSON.parse(readFileSync(join(outDir, blob(digest)), "utf8")) as {
      data: { digest: string };
      chunks?: Array<{ digest: string }>;
    };
    for (const d of index.chunks?.map((c) => c.digest) ?? [index.data.digest]) files.add(blob(d));
  }
  return files;
}

function filesBelow(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      if (name.startsWith(".")) continue;
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(relative(dir, path).split("\\").join("/"));
    }
  };
  walk(dir);
  return out;
}
