/**
 * The CLI's preparing worker (node/preparer.ts): a worker_threads worker
 * that prepares programs built elsewhere with Binaryen
 * (core/wasi/prepare.ts), one request after another.
 */
import { parentPort } from "node:worker_threads";
import { answer, type PrepareRequest } from "../core/wasi/preparer.ts";

const port = parentPort!;
let queue = Promise.resolve();
port.on("message", (request: PrepareRequest) => {
  queue = queue
    .then(() => answer(request))
    .then((reply) => port.postMessage(reply, "bytes" in reply ? [reply.bytes.buffer] : []));
});
