import type { TestProject } from "vitest/node";
import { createServer, type Plugin, type ViteDevServer } from "vite";
import { hostPage } from "./host-page.ts";
import { startXvfb } from "./webkit.ts";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
  }
}

let server: ViteDevServer;
let xvfb: { stop: () => void } | undefined;

/** The embed tests' host page at /__host.html (e2e/host-page.ts), on the site's own origin. */
const hostPages: Plugin = {
  name: "overbox-test-host-page",
  configureServer(vite) {
    vite.middlewares.use((req, res, next) => {
      if (!req.url?.startsWith("/__host.html")) return next();
      const origin = `http://${req.headers.host}`;
      res.setHeader("content-type", "text/html");
      res.end(hostPage(new URL(req.url, origin), origin));
    });
  },
};

/**
 * Serves the project with vite's dev server (as `npm run dev` does) on a
 * free port, and the embed tests' host page; starts WebKit's display.
 */
export async function setup(project: TestProject) {
  // WebKitGTK needs a display: one Xvfb for every test file, when there is none.
  if (process.env.OVERBOX_BROWSER?.startsWith("webkit") && !process.env.DISPLAY) {
    const started = await startXvfb();
    xvfb = started;
    process.env.DISPLAY = started.name;
  }
  server = await createServer({
    server: { port: 0, strictPort: false },
    logLevel: "warn",
    plugins: [hostPages],
  });
  await server.listen();
  const address = server.httpServer!.address();
  if (!address || typeof address === "string") throw new Error("vite did not listen on a port");
  project.provide("baseUrl", `http://localhost:${address.port}`);
}

export async function teardown() {
  await server?.close();
  xvfb?.stop();
}
