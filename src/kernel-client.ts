import type { RunReply, RunRequest } from "../worker/protocol.ts";

export type RunResult = Omit<RunReply, "id">;

/** The page's handle on the kernel worker: runs programs in the container. */
export class KernelClient {
  private readonly worker = new Worker(new URL("../worker/entry.ts", import.meta.url), {
    type: "module",
  });
  private nextId = 0;
  private readonly waiting = new Map<number, (reply: RunReply) => void>();

  constructor() {
    this.worker.onmessage = (e: MessageEvent<RunReply>) => {
      this.waiting.get(e.data.id)?.(e.data);
      this.waiting.delete(e.data.id);
    };
  }

  run(args: string[], options: { stdin?: string; cwd?: string } = {}): Promise<RunResult> {
    const id = this.nextId++;
    const request: RunRequest = { id, args, ...options };
    return new Promise((resolve) => {
      this.waiting.set(id, ({ id: _, ...result }) => resolve(result));
      this.worker.postMessage(request);
    });
  }
}
