/**
 * The browser's preparing worker (core/wasi/preparer.ts): a Web Worker,
 * started by the kernel's worker (browser/sandbox.ts), that prepares
 * programs built elsewhere with Binaryen (core/wasi/prepare.ts), one
 * request after another, so that the container's processes go on
 * meanwhile.
 */
import { answer, type PrepareRequest } from "../core/wasi/preparer.ts";

declare const self: DedicatedWorkerGlobalScope;

let queue = Promise.resolve();
self.addEventListener("message", (event: MessageEvent<PrepareRequest>) => {
  const request = event.data;
  queue = queue
    .then(() => answer(request))
    .then((reply) => self.postMessage(reply, "bytes" in reply ? [reply.bytes.buffer] : []));
});
