/**
 * Sockets over the built image where Debian's busybox cannot be the
 * reference (its nc is the small one, without UDP), and what one
 * container's network keeps from another. The cases native busybox can
 * check are in shell-snippets.ts ("sockets over loopback").
 */
import { beforeAll, describe, expect, it } from "vitest";
import { Kernel } from "../core/kernel/kernel.ts";
import { WasmLoader } from "../core/wasi/loader.ts";
import type { MemoryFilesystem } from "../core/vfs/memory.ts";
import { loadBaseImage } from "./testing.ts";

let fs: MemoryFilesystem;

beforeAll(async () => {
  ({ fs } = await loadBaseImage());
});

const text = (b: Uint8Array) => new TextDecoder().decode(b);

async function sh(script: string, kernel = new Kernel(fs, new WasmLoader())) {
  const r = await kernel.run({ args: ["sh", "-c", script], cwd: "/tmp" });
  return { status: r.status, stdout: text(r.stdout), stderr: text(r.stderr) };
}

describe("sockets in a container", () => {
  it("carry a UDP datagram to a listener and its echo back (nc -u)", async () => {
    // The server echoes what it gets (cat on the socket); the client waits
    // a second for the answer (-w1) and says "punt!" when that is over.
    const r = await sh(
      [
        "nc -u -l -p 5300 -e cat &",
        'until [ "$(echo ping | nc -u -w1 127.0.0.1 5300 2>/dev/null)" = ping ]; do :; done',
        "echo answered",
        "kill %1",
      ].join("\n"),
    );
    expect(r).toMatchObject({ status: 0, stdout: "answered\n" });
  });

  it("is one container's: a server in one kernel is not reachable from another", async () => {
    const first = new Kernel(fs, new WasmLoader());
    const second = new Kernel(fs, new WasmLoader());
    await sh("mkdir -p /tmp/www && echo inside > /tmp/www/f && httpd -p 8080 -h /tmp/www", first);
    expect(await sh("wget -qO- http://127.0.0.1:8080/f", first)).toMatchObject({
      status: 0,
      stdout: "inside\n",
    });
    expect(await sh("wget -qO- http://127.0.0.1:8080/f", second)).toMatchObject({
      status: 1,
      stderr: "wget: can't connect to remote host (127.0.0.1): Connection refused\n",
    });
    await sh("kill $(pidof httpd)", first);
  });

  it("says ENETUNREACH for an address outside the container", async () => {
    expect(await sh("wget -q http://10.1.2.3/")).toMatchObject({
      status: 1,
      stderr: "wget: can't connect to remote host (10.1.2.3): Network unreachable\n",
    });
  });
});
