import type { TestProject } from "vitest/node";
import { createServer, type ViteDevServer } from "vite";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
  }
}

let server: ViteDevServer;

/** Serves the project with vite's dev server (as `npm run dev` does) on a free port. */
export async function setup(project: TestProject) {
  server = await createServer({ server: { port: 0, strictPort: false }, logLevel: "warn" });
  await server.listen();
  const address = server.httpServer!.address();
  if (!address || typeof address === "string") throw new Error("vite did not listen on a port");
  project.provide("baseUrl", `http://localhost:${address.port}`);
}

export async function teardown() {
  await server?.close();
}
