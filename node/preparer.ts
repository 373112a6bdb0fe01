import { Worker } from "node:worker_threads";
import { WorkerPreparer, type PrepareReply } from "../core/wasi/preparer.ts";

/**
 * The CLI's preparer (core/wasi/preparer.ts): programs built elsewhere are
 * prepared in a worker thread of their own running `file`
 * (node/prepare-worker.ts, bundled as prepare-worker.js), so that the
 * kernel's thread goes on meanwhile and a SIGTERM is not kept waiting.
 */
export function nodePreparer(file: URL): WorkerPreparer {
  return new WorkerPreparer(() => {
    const worker = new Worker(file);
    let asked = 0;
    // The process waits for the worker only while something is asked of it.
    worker.unref();
    return {
      post: (request) => {
        if (asked++ === 0) worker.ref();
        worker.postMessage(request, [request.bytes.buffer]);
      },
      listen: (reply, died) => {
        worker.on("message", (r: PrepareReply) => {
          if (--asked === 0) worker.unref();
          reply(r);
        });
        worker.on("error", (e) => died(e.message));
        worker.on("exit", (code) => died(`exit ${code}`));
      },
      end: () => void worker.terminate(),
    };
  });
}
