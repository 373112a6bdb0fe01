import { readdirSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

// The benchmarks' pages (bench/page/*.html, each a script that drives the
// library and times it in the page), built as a static site the suite
// serves: `vite build --config bench/vite.config.ts`. The root is the
// repository's, so the pages import src/ and bench/ as they are and the
// images come from build/public; a page lands at bench/page/NAME.html of
// the site, and the images at images/ (two levels up from it).
const root = fileURLToPath(new URL("..", import.meta.url));
const pages = join(root, "bench", "page");

export default defineConfig({
  root,
  base: "./",
  publicDir: "build/public",
  // The pages register no service worker (src/offline.ts is the product's).
  define: { __SERVICE_WORKER__: "false" },
  worker: { format: "es" },
  build: {
    outDir: "build/bench/page-site",
    emptyOutDir: true,
    target: "es2022",
    rolldownOptions: {
      input: Object.fromEntries(
        readdirSync(pages)
          .filter((name) => name.endsWith(".html"))
          .map((name) => [basename(name, ".html"), join(pages, name)]),
      ),
    },
  },
});
