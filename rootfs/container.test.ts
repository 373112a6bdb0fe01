/**
 * BusyBox applets working on a container: the base image under an upper
 * layer in a store, changed by real programs, then diffed, committed and
 * reopened.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Container } from "../core/container/container.ts";
import { loadImage, StoreBlobs, type Image } from "../core/image/image.ts";
import { contentOf } from "../core/testing/layers.ts";
import { MemoryStore } from "../core/store/memory.ts";
import { Kernel } from "../core/kernel/kernel.ts";
import { WasmLoader } from "../core/wasi/loader.ts";
import { builtImage } from "./testing.ts";

async function baseImage(): Promise<Image> {
  const { manifest, source } = builtImage();
  return loadImage(source, manifest);
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe("BusyBox in a container", () => {
  it("changes the container, not the image, and the changes survive commit and reopening", async () => {
    const image = await baseImage();
    const store = new MemoryStore();
    const blobs = new StoreBlobs(new MemoryStore());
    const container = await Container.open(store, image, blobs);
    const runner = new Kernel(container.fs, new WasmLoader());
    const run = async (...args: string[]) => {
      const r = await runner.run({ args });
      expect(text(r.stderr), args.join(" ")).toBe("");
      expect(r.status, args.join(" ")).toBe(0);
      return text(r.stdout);
    };
    await run("mkdir", "-p", "/srv/www");
    await run("cp", "/etc/passwd", "/srv/www/passwd");
    await run("rm", "/etc/shells");
    await run("mv", "/etc/profile", "/etc/profile.old");
    await run("chmod", "600", "/etc/hostname");
    await run("ln", "-s", "/srv/www", "/www");
    await run("mv", "/home", "/homes"); // a lower directory, renamed
    expect(await run("cat", "/www/passwd")).toBe(await run("cat", "/etc/passwd"));
    expect(await run("ls", "/etc")).not.toContain("shells");

    const changes = container.diff().map((c) => `${c.kind} ${c.path}`);
    expect(changes).toEqual([
      "C /etc",
      "C /etc/hostname",
      "D /etc/profile",
      "A /etc/profile.old",
      "D /etc/shells",
      "D /home",
      "A /homes",
      "A /srv",
      "A /srv/www",
      "A /srv/www/passwd",
      "A /www",
    ]);
    const tree = await contentOf(container.fs);
    await container.commit(blobs, "busybox-changed");
    expect(container.diff()).toEqual([]);
    await container.close();
    const again = await Container.open(store.reopen(), image, blobs);
    expect(again.image.manifest.name).toBe("busybox-changed");
    expect(await contentOf(again.fs)).toEqual(tree);
    const ls = await new Kernel(again.fs, new WasmLoader()).run({ args: ["ls", "/srv/www"] });
    expect(text(ls.stdout)).toBe("passwd\n");
  });

  it("pauses a program while the file data it reads is loaded from the store", async () => {
    const image = await baseImage();
    const store = new MemoryStore();
    const blobs = new StoreBlobs(new MemoryStore());
    const options = { chunkSize: 4096, cacheBytes: 16384, writeBack: 60_000 };
    const container = await Container.open(store, image, blobs, options);
    const big = "0123456789abcdef".repeat(8192); // 128 KiB: 32 chunks, twice the cache
    const runner = new Kernel(container.fs, new WasmLoader());
    const write = await runner.run({ args: ["dd", "of=/root/big", "bs=4096"], stdin: big });
    expect(write.status).toBe(0);
    expect((await store.keys("c/")).length).toBe(0); // written back later, not yet
    expect((await runner.run({ args: ["sync"] })).status).toBe(0);
    expect((await store.keys("c/")).length).toBe(32); // sync returned: committed
    await container.close();

    const again = await Container.open(store.reopen(), image, blobs, options);
    const reader = new Kernel(again.fs, new WasmLoader());
    const sum = await reader.run({ args: ["md5sum", "/root/big"] });
    expect(text(sum.stdout)).toBe(`${createHash("md5").update(big).digest("hex")}  /root/big\n`);
    expect(reader.pauses).toBeGreaterThan(0);
  });
});
