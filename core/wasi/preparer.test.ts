/**
 * WorkerPreparer (preparer.ts): programs built elsewhere prepared in a
 * worker of their own, here a stand-in that answers in this thread as
 * node/prepare-worker.ts and browser/prepare-worker.ts do.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { isPausable, Unrunnable } from "./prepare.ts";
import {
  answer,
  WorkerPreparer,
  type PrepareReply,
  type PrepareRequest,
  type PreparingWorker,
} from "./preparer.ts";

const BUILT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "build", "wasi-programs");

/** Stand-in workers: each answers with answer(), or dies when told to. */
function workers() {
  const started: Array<{ ended: boolean; die: (why: string) => void }> = [];
  const start = (): PreparingWorker => {
    let reply: (r: PrepareReply) => void = () => {};
    let died: (why: string) => void = () => {};
    const w = { ended: false, die: (why: string) => died(why) };
    started.push(w);
    return {
      post: (request: PrepareRequest) => void answer(request).then((r) => reply(r)),
      listen: (r, d) => {
        reply = r;
        died = d;
      },
      end: () => {
        w.ended = true;
      },
    };
  };
  return { started, start };
}

describe("a preparer with a worker of its own", () => {
  it("answers the prepared module, and the caller keeps its bytes", async () => {
    const { started, start } = workers();
    const preparer = new WorkerPreparer(start);
    const bytes = new Uint8Array(readFileSync(join(BUILT, "args.wasm")));
    const copy = bytes.slice();
    const done = await preparer.prepare(bytes);
    expect(isPausable(await WebAssembly.compile(done))).toBe(true);
    expect(bytes).toEqual(copy);
    expect(started).toHaveLength(1);
  });

  it("says why a module cannot be prepared as Unrunnable, one line", async () => {
    const preparer = new WorkerPreparer(workers().start);
    const garbage = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0xff, 0xff]);
    const e = await preparer.prepare(garbage).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(Unrunnable);
    expect((e as Error).message).toMatch(/^Binaryen cannot read it/);
    expect((e as Error).message).not.toContain("\n");
  });

  it("fails what was waiting when its worker dies, and starts another for the next", async () => {
    const { started, start } = workers();
    const never: PreparingWorker = { post: () => {}, listen: () => {}, end: () => {} };
    let first = true;
    const preparer = new WorkerPreparer(() => {
      if (!first) return start();
      first = false;
      const w = start();
      return { ...w, post: never.post };
    });
    const waiting = preparer.prepare(new Uint8Array(8));
    started[0]!.die("out of memory");
    await expect(waiting).rejects.toThrow("the preparing worker ended: out of memory");
    const bytes = new Uint8Array(readFileSync(join(BUILT, "args.wasm")));
    await expect(preparer.prepare(bytes)).resolves.toBeInstanceOf(Uint8Array);
    expect(started).toHaveLength(2);
  });

  it("ends its worker once idle, and starts one again when asked", async () => {
    const { started, start } = workers();
    const preparer = new WorkerPreparer(start, 10);
    const bytes = new Uint8Array(readFileSync(join(BUILT, "args.wasm")));
    await preparer.prepare(bytes);
    await new Promise((r) => setTimeout(r, 50));
    expect(started.map((w) => w.ended)).toEqual([true]);
    await preparer.prepare(bytes);
    expect(started.map((w) => w.ended)).toEqual([true, false]);
  });
});
