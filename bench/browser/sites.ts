/**
 * The two sites the browser suite loads, built with vite and served from
 * e2e/static-server.ts: the product's (the main vite.config.ts, service
 * worker included: what a visitor gets) and the bench pages'
 * (bench/vite.config.ts: bench/page/*.html, which time the library from
 * inside the page).
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { build } from "vite";
import { serveStatic } from "../../e2e/static-server.ts";
import type { BenchContext } from "../suite.ts";

export interface Site {
  /** The site's root, ending in "/". */
  url: string;
  dir: string;
  close(): Promise<void>;
}

/** One response the server finished: when (epoch ms), its bytes on the wire, its path. */
export interface Sent {
  at: number;
  bytes: number;
  path: string;
  /** Asked for by the service worker (its precache): the request's Referer is sw.js. */
  serviceWorker: boolean;
}

/** A site whose server gzips and keeps a log of what it sent. */
export interface MeteredSite extends Site {
  /** Responses since the last `clear()`. */
  sent: Sent[];
  clear(): void;
}

/** `npx vite build --outDir build/bench/site`: the product's site, as `npm run build` makes it. */
export async function buildProductSite(context: BenchContext): Promise<string> {
  const outDir = join(context.scratch, "site");
  await build({
    root: context.root,
    configFile: join(context.root, "vite.config.ts"),
    logLevel: "warn",
    build: { outDir, emptyOutDir: true },
  });
  return outDir;
}

/** The bench pages (bench/vite.config.ts), in build/bench/page-site. */
export async function buildPageSite(context: BenchContext): Promise<string> {
  const outDir = join(context.scratch, "page-site");
  await build({
    configFile: join(context.root, "bench", "vite.config.ts"),
    logLevel: "warn",
    build: { outDir, emptyOutDir: true },
  });
  return outDir;
}

/** The bench pages' site, from the plain server. */
export async function servePlain(dir: string): Promise<Site> {
  const server = await serveStatic(dir);
  return { ...server, dir };
}

/**
 * The product's site from a server that gzips what compresses, as a static
 * host does, and logs each response's bytes. Every file is fetched once
 * first, so that gzip's work is cached as a host's would be and no visit
 * waits for it; the log starts empty.
 */
export async function serveMetered(dir: string): Promise<MeteredSite> {
  const sent: Sent[] = [];
  const server = await serveStatic(dir, {
    gzip: true,
    onBytes: (bytes, request) =>
      sent.push({
        at: performance.timeOrigin + performance.now(),
        bytes,
        path: new URL(request.url ?? "/", "http://x").pathname,
        serviceWorker: /\/sw\.js$/.test(request.headers.referer ?? ""),
      }),
  });
  const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((f) =>
    f.isFile(),
  );
  for (const f of files) {
    const path = join(f.parentPath, f.name)
      .slice(dir.length + 1)
      .split("\\")
      .join("/");
    const response = await fetch(new URL(path, server.url), {
      headers: { "Accept-Encoding": "gzip" },
    });
    await response.arrayBuffer();
  }
  sent.length = 0;
  return { ...server, dir, sent, clear: () => void (sent.length = 0) };
}
