/// <reference lib="webworker" />
/**
 * The worker's entry point in the browser: exposes a SandboxService
 * (browser/sandbox.ts) to the page over comlink. One worker holds one
 * container; the page starts a worker per container it opens.
 */
import { expose } from "comlink";
import { SandboxService } from "./sandbox.ts";

expose(new SandboxService());
