/**
 * Several containers in one worker (HostService), in Node: each a
 * SandboxService of its own over one WorkerShared. What one does (files,
 * fds, processes, signals) reaches no other; what they can share (an
 * image's compiled programs) is made once.
 */
import "fake-indexeddb/auto";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { serveStatic } from "../e2e/static-server.ts";
import { IMAGES } from "../rootfs/testing.ts";
import { SandboxService } from "./sandbox.ts";
import { WorkerShared } from "./worker-shared.ts";

let server: { url: string; close: () => Promise<void> };

beforeAll(async () => {
  server = await serveStatic(IMAGES);
  // Node's fetch compiles a module of its own on its first use: not counted below.
  await (await fetch(server.url)).arrayBuffer();
});

afterAll(async () => {
  await server?.close();
});

afterEach(() => vi.restoreAllMocks());

/** Two containers of one worker (what HostService.sandbox gives the page, without comlink). */
async function twoOf(shared: WorkerShared, names: [string, string]): Promise<SandboxService[]> {
  const boxes = names.map(() => new SandboxService(shared));
  for (const [i, box] of boxes.entries()) {
    await box.open({ container: names[i], imagesUrl: server.url.replace(/\/$/, "") });
  }
  return boxes;
}

describe("containers sharing a worker", () => {
  it("compile the image's shell once between them", async () => {
    const compile = vi.spyOn(WebAssembly, "compile");
    const [a, b] = await twoOf(new WorkerShared(), ["ephemeral", "ephemeral"]);
    expect((await a!.exec("echo a")).stdout).toBe("a\n");
    expect((await b!.exec("echo b")).stdout).toBe("b\n");
    expect(compile).toHaveBeenCalledTimes(1);
    await Promise.all([a!.close(), b!.close()]);
  });

  it("load an image's layers once between them", async () => {
    const shared = new WorkerShared();
    const fetched = vi.spyOn(globalThis, "fetch");
    const blobs = () =>
      fetched.mock.calls.filter(([url]) =>
        String(url instanceof Request ? url.url : url).includes("/blobs/"),
      ).length;
    const open = async () => {
      const box = new SandboxService(shared);
      await box.open({
        container: "ephemeral",
        image: "tools",
        imagesUrl: server.url.replace(/\/$/, ""),
      });
      return box;
    };
    const a = await open();
    expect((await a.exec(["lua", "-e", "print(1+1)"])).stdout).toBe("2\n");
    const first = blobs();
    expect(first).toBeGreaterThan(0);
    const b = await open();
    expect((await b.exec(["lua", "-e", "print(2+2)"])).stdout).toBe("4\n");
    expect(blobs()).toBe(first);
    await Promise.all([a.close(), b.close()]);
  });

  it("see none of each other's files, fds, processes or signals", async () => {
    const [a, b] = await twoOf(new WorkerShared(), ["host-a", "host-b"]);
    await a!.writeFile("/root/mine", "a's\n");
    expect((await b!.exec("cat /root/mine")).exitCode).not.toBe(0);
    // A program of each, with the same pid in both and an fd open on a file of its own.
    const pipes = async (box: SandboxService, file: string) => {
      let status = -1;
      const exited = new Promise<void>((done) => {
        void box.spawn(
          ["sh", "-c", `exec 7>${file}; echo open >&7; sleep 60`],
          {},
          () => undefined,
          () => undefined,
          (s) => {
            status = s;
            done();
          },
        );
      });
      return { exited, status: () => status };
    };
    const inA = await pipes(a!, "/tmp/fd-a");
    const inB = await pipes(b!, "/tmp/fd-b");
    await vi.waitFor(async () => expect((await a!.exec("cat /tmp/fd-a")).stdout).toBe("open\n"));
    await vi.waitFor(async () => expect((await b!.exec("cat /tmp/fd-b")).stdout).toBe("open\n"));
    const psOf = async (box: SandboxService) => (await box.exec("ps -o pid,args")).stdout;
    // Each sees its own sleep and not the other's file.
    expect(await psOf(a!)).toContain("sleep 60");
    expect((await a!.exec("ls /tmp")).stdout).not.toContain("fd-b");
    expect((await b!.exec("ls /tmp")).stdout).not.toContain("fd-a");
    expect((await a!.exec("ls -l /proc/*/fd/7")).stdout).toContain("/tmp/fd-a");
    expect((await a!.exec("ls -l /proc/*/fd/7")).stdout).not.toContain("/tmp/fd-b");
    // Killing every sleep in a leaves b's running.
    expect((await a!.exec("killall sleep")).exitCode).toBe(0);
    await inA.exited;
    expect(inA.status()).not.toBe(0);
    expect(inB.status()).toBe(-1);
    expect(await psOf(b!)).toContain("sleep 60");
    expect((await b!.exec("killall sleep")).exitCode).toBe(0);
    await inB.exited;
    await Promise.all([a!.close(), b!.close()]);
  });

  it("each close and open again on their own", async () => {
    const shared = new WorkerShared();
    const [a, b] = await twoOf(shared, ["again-a", "again-b"]);
    await a!.writeFile("/root/kept", "kept\n");
    await a!.close();
    // b goes on, and a opens again (a new SandboxService, as the page makes) with its file.
    expect((await b!.exec("echo still")).stdout).toBe("still\n");
    const again = new SandboxService(shared);
    await again.open({ container: "again-a", imagesUrl: server.url.replace(/\/$/, "") });
    expect((await again.exec("cat /root/kept")).stdout).toBe("kept\n");
    await Promise.all([again.close(), b!.close()]);
  });
});
