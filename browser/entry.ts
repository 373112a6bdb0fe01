/// <reference lib="webworker" />
/**
 * The worker's entry point in the browser: exposes a HostService
 * (browser/host.ts) to the page over comlink. One worker holds every
 * container the page opens (src/index.ts starts it with the first).
 */
import { expose } from "comlink";
import { HostService } from "./host.ts";

expose(new HostService());
