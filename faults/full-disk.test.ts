/**
 * A full disk, with a store that refuses on demand: the base image's
 * busybox writes into a container kept in a MemoryStore with a quota, as
 * IndexedDB or the CLI's file refuse a write when the disk is full.
 * (faults/full-disk.e2e.ts fills a real disk under Chromium.)
 */
import { describe, expect, it } from "vitest";
import { builtImage } from "../rootfs/testing.ts";
import { Container } from "../core/container/container.ts";
import { loadImage } from "../core/image/image.ts";
import { Kernel } from "../core/kernel/kernel.ts";
import { WasmLoader } from "../core/wasi/loader.ts";
import { MemoryStore } from "../core/store/memory.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);

async function opened(store: MemoryStore) {
  const { manifest, source } = builtImage();
  const container = await Container.open(store, await loadImage(source, manifest), source);
  const kernel = new Kernel(container.fs, new WasmLoader());
  const sh = async (script: string) => {
    const r = await kernel.run({
      args: ["sh", "-c", script],
      env: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"],
      cwd: "/",
    });
    return { status: r.status, stdout: text(r.stdout), stderr: text(r.stderr) };
  };
  return { container, sh };
}

describe("a full disk", () => {
  it("gives the program ENOSPC, keeps everything stored before, and saves again once files are deleted", async () => {
    const store = new MemoryStore(3_000_000);
    const { container, sh } = await opened(store);
    expect((await sh("echo older > /root/older; sync")).status).toBe(0);

    const filled = await sh("dd if=/dev/urandom of=/root/big bs=64k count=80 conv=fsync");
    expect(filled.stderr).toContain("No space left on device");
    expect(filled.status).toBe(1);
    expect(container.fs.upper.saveError?.errno).toBe("ENOSPC");
    // Until something is stored again, new data is refused too; what is there reads.
    const more = await sh("echo more >> /root/older; cat /root/older");
    expect(more.stderr).toContain("No space left on device");
    expect(more.stdout).toBe("older\n");

    expect((await sh("rm /root/big; sync")).status).toBe(0);
    expect(container.fs.upper.saveError).toBeNull();
    expect((await sh("echo after > /root/after; sync")).status).toBe(0);
    expect((await container.check()).problems).toEqual([]);
    await container.close();

    const again = await opened(store.reopen());
    expect(await again.sh("cat /root/older /root/after; ls /root")).toMatchObject({
      stdout: "older\nafter\nafter\nolder\n",
    });
    expect((await again.container.check()).problems).toEqual([]);
    await again.container.close();
  });
});
