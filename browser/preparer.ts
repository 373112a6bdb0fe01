import {
  InThreadPreparer,
  WorkerPreparer,
  type PrepareReply,
  type Preparer,
} from "../core/wasi/preparer.ts";

/**
 * The browser's preparer (core/wasi/preparer.ts): programs built elsewhere
 * are prepared in a Web Worker of their own (browser/prepare-worker.ts),
 * started from the kernel's worker, so that the container's processes and
 * Ctrl-C go on meanwhile. A browser that starts no worker from a worker
 * prepares in the kernel's.
 */
export function browserPreparer(): Preparer {
  if (typeof Worker === "undefined") return new InThreadPreparer();
  return new WorkerPreparer(() => {
    const worker = new Worker(new URL("./prepare-worker.ts", import.meta.url), {
      type: "module",
    });
    return {
      post: (request) => worker.postMessage(request, [request.bytes.buffer]),
      listen: (reply, died) => {
        worker.addEventListener("message", (e: MessageEvent<PrepareReply>) => reply(e.data));
        worker.addEventListener("error", (e) => died(e.message || "it failed to start"));
      },
      end: () => worker.terminate(),
    };
  });
}
