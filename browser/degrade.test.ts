/**
 * A browser that only half supports the origin private file system, as
 * WebKit with Safari's storage features does: OPFS is there, but a
 * worker's synchronous access handles throw NotSupportedError and files
 * have no createWritable. The container must go on without its replicas,
 * say so, and leave nothing half-written behind. (The same in WebKit
 * itself is the browser suite's.)
 */
import "fake-indexeddb/auto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { serveStatic } from "../e2e/static-server.ts";
import { IMAGES } from "../rootfs/testing.ts";
import { newBatch } from "../core/store/store.ts";
import { MemoryStore } from "../core/store/memory.ts";
import { recordSupport, RecordReplicatedStore } from "./record-replica.ts";
import { replicas, replicasMissing } from "./replica.ts";
import { SandboxService } from "./sandbox.ts";

/** A directory of OPFS as WebKit gives it with Safari's features: files that a worker cannot open for sync access. */
class HalfDirectory {
  readonly files = new Map<string, Uint8Array>();
  readonly dirs = new Map<string, HalfDirectory>();

  async getDirectoryHandle(name: string, options?: { create?: boolean }) {
    let dir = this.dirs.get(name);
    if (!dir) {
      if (!options?.create)
        throw Object.assign(new Error("no such folder"), { name: "NotFoundError" });
      dir = new HalfDirectory();
      this.dirs.set(name, dir);
    }
    return dir;
  }

  async getFileHandle(name: string, options?: { create?: boolean }) {
    if (!this.files.has(name)) {
      if (!options?.create)
        throw Object.assign(new Error("no such file"), { name: "NotFoundError" });
      this.files.set(name, new Uint8Array(0));
    }
    return {
      getFile: async () => new Blob([this.files.get(name)! as Uint8Array<ArrayBuffer>]),
      createSyncAccessHandle: async () => {
        throw Object.assign(new Error("Backend does not support this operation"), {
          name: "NotSupportedError",
        });
      },
    };
  }

  async removeEntry(name: string) {
    if (!this.files.delete(name) && !this.dirs.delete(name)) {
      throw Object.assign(new Error("no such entry"), { name: "NotFoundError" });
    }
  }

  async *keys() {
    yield* this.files.keys();
    yield* this.dirs.keys();
  }

  /** Every file below, by path. */
  all(prefix = ""): string[] {
    return [
      ...[...this.files.keys()].map((f) => prefix + f),
      ...[...this.dirs].flatMap(([n, d]) => d.all(`${prefix}${n}/`)),
    ];
  }
}

const root = new HalfDirectory();
let server: { url: string; close: () => Promise<void> };

/** Web Locks, as WebKit has them: each request granted at once (one tab here). */
const locks = {
  request: (_name: string, ...rest: unknown[]) =>
    (rest.at(-1) as (lock: unknown) => Promise<unknown>)({ name: _name }),
};

beforeAll(async () => {
  vi.stubGlobal("navigator", { storage: { getDirectory: async () => root }, locks });
  // File handles without createWritable (WebKit's; Safari's before 26).
  vi.stubGlobal("FileSystemFileHandle", class {});
  server = await serveStatic(IMAGES);
});

afterAll(async () => {
  vi.unstubAllGlobals();
  await server?.close();
});

describe("a browser whose origin private file system is only half there", () => {
  it("keeps no container replicas, says why in one line, and leaves no file behind", async () => {
    expect(await replicas()).toBeNull();
    const missing = await replicasMissing();
    expect(missing).toMatch(/^no replica: .*NotSupportedError: Backend does not support/);
    expect(missing).toMatch(/lost if the browser drops this site's storage$/);
    expect(missing).not.toMatch(/\n/);
    expect(root.all()).toEqual([]);
  });

  it("keeps no replica of the images' store, says why, and a commit makes no file", async () => {
    const support = await recordSupport("overbox.images");
    expect(support.folder).toBeNull();
    expect(support.missing).toMatch(
      /^images made here have no replica: .*no createWritable.*lost if the browser drops/,
    );
    const store = new RecordReplicatedStore(new MemoryStore(), Promise.resolve(support.folder));
    const batch = newBatch();
    batch.puts.set("blobs/sha256/abc", new Uint8Array([1, 2, 3]));
    await store.commit(batch);
    expect(await store.get("blobs/sha256/abc")).toEqual(new Uint8Array([1, 2, 3]));
    expect(root.all()).toEqual([]);
  });

  it("a named container opens without them, says so, and keeps its files in IndexedDB", async () => {
    const open = async () => {
      const box = new SandboxService();
      const info = await box.open({ container: "half", imagesUrl: server.url.replace(/\/$/, "") });
      return { box, info };
    };
    const first = await open();
    expect(first.info.readOnly).toBe(false);
    expect(first.info.unavailable).toEqual([
      expect.stringMatching(/^no replica: .*NotSupportedError/),
      expect.stringMatching(/^images made here have no replica: .*no createWritable/),
    ]);
    await first.box.writeFile("/root/kept.txt", new TextEncoder().encode("kept\n"));
    await first.box.close();
    const again = await open();
    expect(new TextDecoder().decode(await again.box.readFile("/root/kept.txt"))).toBe("kept\n");
    await again.box.close();
    expect(root.all()).toEqual([]);
  });
});

describe("a browser without Web Locks (Safari before 15.4)", () => {
  it("opens a kept container and says in one line that another tab could write it at once; an ephemeral one says nothing of it", async () => {
    vi.stubGlobal("navigator", { storage: { getDirectory: async () => root } });
    try {
      const imagesUrl = server.url.replace(/\/$/, "");
      const kept = new SandboxService();
      const info = await kept.open({ container: "unlocked", imagesUrl });
      expect(info.readOnly).toBe(false);
      expect(info.unavailable).toContain(
        "no Web Locks: this browser cannot tell whether another tab has this container open, so two tabs may write it at once and damage it",
      );
      await kept.close();
      const ephemeral = new SandboxService();
      const other = await ephemeral.open({ container: "ephemeral", imagesUrl });
      expect(other.unavailable ?? []).not.toContainEqual(expect.stringMatching(/Web Locks/));
      await ephemeral.close();
    } finally {
      vi.stubGlobal("navigator", { storage: { getDirectory: async () => root }, locks });
    }
  });
});
