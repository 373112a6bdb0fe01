import { describe, expect, it } from "vitest";
import { HEADER } from "../core/store/log-record.ts";
import { MemoryStore } from "../core/store/memory.ts";
import { REPLICA_KEY, ReplicatedStore, type ReplicaFile, type ReplicaFolder } from "./replica.ts";
import { newBatch, type Batch, type Store } from "../core/store/store.ts";

/** Replica files in memory; `copy()` is what a crash would leave (writes are synchronous). */
class MemoryFolder implements ReplicaFolder {
  readonly files = new Map<string, Uint8Array>();
  /**
   * Bytes a file may hold: past them a write takes what fits, as Firefox's
   * sync access handle does at a full quota (a short write, no error).
   */
  quota = Infinity;
  readonly opened = new Set<string>();
  flushes = 0;
  bytesRead = 0;

  async open(name: string): Promise<ReplicaFile> {
    if (this.opened.has(name)) throw new Error(`${name} is open already`);
    if (!this.files.has(name)) this.files.set(name, new Uint8Array());
    this.opened.add(name);
    const files = this.files;
    const bytes = () => files.get(name)!;
    return {
      read: (buffer, { at }) => {
        const part = bytes().subarray(at, at + buffer.length);
        buffer.set(part);
        this.bytesRead += part.length;
        return part.length;
      },
      write: (whole, { at }) => {
        const buffer = whole.subarray(0, Math.max(0, this.quota - at));
        const old = bytes();
        const grown = new Uint8Array(Math.max(old.length, at + buffer.length));
        grown.set(old);
        grown.set(buffer, at);
        files.set(name, grown);
        return buffer.length;
      },
      truncate: (size) => {
        const grown = new Uint8Array(size);
        grown.set(bytes().subarray(0, size));
        files.set(name, grown);
      },
      getSize: () => bytes().length,
      flush: () => void this.flushes++,
      close: () => void this.opened.delete(name),
    };
  }

  async has(name: string): Promise<boolean> {
    return this.files.has(name);
  }

  async names(): Promise<string[]> {
    return [...this.files.keys()].filter((n) => !n.endsWith("~next"));
  }

  async remove(name: string): Promise<void> {
    this.files.delete(name);
  }

  async rename(from: string, to: string): Promise<void> {
    this.files.set(to, this.files.get(from)!);
    this.files.delete(from);
  }

  /** The files as they are now, in a folder of their own. */
  copy(): MemoryFolder {
    const copy = new MemoryFolder();
    for (const [name, bytes] of this.files) copy.files.set(name, bytes.slice());
    return copy;
  }
}

const text = (s: string) => new TextEncoder().encode(s);

function batch(puts: Record<string, string>, deletes: string[] = []): Batch {
  const b = newBatch();
  for (const [k, v] of Object.entries(puts)) b.puts.set(k, text(v));
  for (const k of deletes) b.deletes.add(k);
  return b;
}

/** Every key and value of a store, as text. */
async function contents(store: Store): Promise<Record<string, string>> {
  const keys = await store.keys();
  const values = await store.getMany(keys);
  return Object.fromEntries(keys.map((k, i) => [k, new TextDecoder().decode(values[i])]));
}

/** A database with the keys and values `store` has now. */
async function copyOf(store: MemoryStore): Promise<MemoryStore> {
  const copy = new MemoryStore();
  const b = newBatch();
  const keys = await store.keys();
  const values = await store.getMany(keys);
  keys.forEach((k, i) => b.puts.set(k, values[i]!));
  await copy.commit(b);
  return copy;
}

/** A database that holds each commit until `release` is called: a crash can come meanwhile. */
class HeldStore extends MemoryStore {
  release: () => void = () => undefined;
  hold = false;

  override async commit(b: Batch): Promise<void> {
    if (this.hold) await new Promise<void>((resolve) => (this.release = resolve));
    return super.commit(b);
  }
}

describe("a container's replica", () => {
  it("restores a dropped database with every batch committed", async () => {
    const folder = new MemoryFolder();
    const { store, outcome } = await ReplicatedStore.open(new MemoryStore(), folder, "c");
    expect(outcome).toBe("new");
    await store.commit(batch({ a: "1", b: "2" }));
    await store.commit(batch({ a: "3", c: "4" }, ["b"]), { durable: true });
    await store.close();

    const dropped = new MemoryStore();
    const reopened = await ReplicatedStore.open(dropped, folder, "c");
    expect(reopened.outcome).toBe("restored");
    expect(await contents(reopened.store)).toEqual({ a: "3", c: "4" });
    // The next batch follows on, and a second drop restores it too.
    await reopened.store.commit(batch({ d: "5" }));
    await reopened.store.close();
    const again = await ReplicatedStore.open(new MemoryStore(), folder, "c");
    expect(again.outcome).toBe("restored");
    expect(await contents(again.store)).toEqual({ a: "3", c: "4", d: "5" });
  });

  it("flushes the replica to the disk for a durable commit, not for the others", async () => {
    const folder = new MemoryFolder();
    const { store } = await ReplicatedStore.open(new MemoryStore(), folder, "c");
    const before = folder.flushes;
    await store.commit(batch({ a: "1" }));
    expect(folder.flushes).toBe(before);
    await store.commit(batch({ a: "2" }), { durable: true });
    expect(folder.flushes).toBe(before + 1);
  });

  it("keeps its own key out of the keys it lists", async () => {
    const database = new MemoryStore();
    const { store } = await ReplicatedStore.open(database, new MemoryFolder(), "c");
    await store.commit(batch({ "i/1": "x" }));
    expect(await store.keys()).toEqual(["i/1"]);
    expect(await database.keys()).toEqual(["i/1", REPLICA_KEY]);
  });

  it("cuts off a batch the database refused, so a restore does not bring it back", async () => {
    const folder = new MemoryFolder();
    const { store } = await ReplicatedStore.open(new MemoryStore(30), folder, "c");
    await store.commit(batch({ a: "1" }));
    await expect(store.commit(batch({ big: "more than the quota" }))).rejects.toThrow(
      /ENOSPC|quota/,
    );
    await store.commit(batch({ b: "2" }));
    await store.close();
    const { store: restored } = await ReplicatedStore.open(new MemoryStore(), folder, "c");
    expect(await contents(restored)).toEqual({ a: "1", b: "2" });
  });

  it("fails a commit with ENOSPC when the replica's file takes no more bytes (Firefox's short write at a full quota), and stores nothing of it", async () => {
    const folder = new MemoryFolder();
    const database = new MemoryStore();
    const { store } = await ReplicatedStore.open(database, folder, "c");
    await store.commit(batch({ a: "1" }));
    folder.quota = folder.files.get("c")!.length + 40;
    await expect(store.commit(batch({ big: "x".repeat(200) }))).rejects.toThrow(/^ENOSPC/);
    expect(await contents(database)).not.toHaveProperty("big");
    folder.quota = Infinity;
    await store.commit(batch({ b: "2" }));
    await store.close();
    const { store: restored } = await ReplicatedStore.open(new MemoryStore(), folder, "c");
    expect(await contents(restored)).toEqual({ a: "1", b: "2" });
  });

  it("cuts off the batch a crash caught on its way to the database", async () => {
    const folder = new MemoryFolder();
    const database = new HeldStore();
    const { store } = await ReplicatedStore.open(database, folder, "c");
    await store.commit(batch({ a: "1" }));
    database.hold = true;
    const underWay = store.commit(batch({ a: "2", b: "3" }));
    await new Promise((resolve) => setTimeout(resolve, 0));
    // The crash: the replica has the batch, the database does not.
    const crashedFolder = folder.copy();
    const crashedDatabase = await copyOf(database);
    database.release();
    await underWay;

    const reopened = await ReplicatedStore.open(crashedDatabase, crashedFolder, "c");
    expect(reopened.outcome).toBe("current");
    expect(await contents(reopened.store)).toEqual({ a: "1" });
    await reopened.store.commit(batch({ c: "4" }));
    await reopened.store.close();
    // Dropped now, the database comes back as it was: the lost batch is not in it.
    const restored = await ReplicatedStore.open(new MemoryStore(), crashedFolder, "c");
    expect(await contents(restored.store)).toEqual({ a: "1", c: "4" });
  });

  it("opens by reading the header of the database's last batch in the replica, not the log", async () => {
    const database = new MemoryStore();
    const folder = new MemoryFolder();
    const { store } = await ReplicatedStore.open(database, folder, "c");
    for (let i = 0; i < 20; i++) await store.commit(batch({ [`f${i}`]: "x".repeat(10_000) }));
    await store.close();
    folder.bytesRead = 0;
    const reopened = await ReplicatedStore.open(database.reopen(), folder, "c");
    expect(reopened.outcome).toBe("current");
    expect(folder.bytesRead).toBe(HEADER);
    await reopened.store.commit(batch({ after: "the reopen" }));
    await reopened.store.close();
    const restored = await ReplicatedStore.open(new MemoryStore(), folder, "c");
    expect(Object.keys(await contents(restored.store))).toHaveLength(21);
  });

  it("reads the log's last records when the database's place for its last batch is stale", async () => {
    const database = new MemoryStore();
    const folder = new MemoryFolder();
    const { store } = await ReplicatedStore.open(database, folder, "c");
    await store.commit(batch({ a: "1" }));
    await store.commit(batch({ b: "2" }));
    await store.close();
    // A rebuild, and a crash before the database was told where its last batch went.
    const beforeRebuild = await copyOf(database.reopen());
    folder.files.delete("c");
    const rebuilt = await ReplicatedStore.open(database.reopen(), folder, "c");
    expect(rebuilt.outcome).toBe("rebuilt");
    await rebuilt.store.close();
    folder.bytesRead = 0;
    const reopened = await ReplicatedStore.open(beforeRebuild, folder, "c");
    expect(reopened.outcome).toBe("current");
    expect(folder.bytesRead).toBeGreaterThan(HEADER);
    await reopened.store.close();
    const restored = await ReplicatedStore.open(new MemoryStore(), folder, "c");
    expect(await contents(restored.store)).toEqual({ a: "1", b: "2" });
  });

  it("restores up to a torn last record", async () => {
    const folder = new MemoryFolder();
    const { store } = await ReplicatedStore.open(new MemoryStore(), folder, "c");
    await store.commit(batch({ a: "1" }));
    await store.commit(batch({ b: "2" }));
    await store.close();
    const file = folder.files.get("c")!;
    for (const cut of [1, 7, 20]) {
      const torn = folder.copy();
      torn.files.set("c", file.slice(0, file.length - cut));
      const { store: restored, outcome } = await ReplicatedStore.open(new MemoryStore(), torn, "c");
      expect(outcome).toBe("restored");
      expect(await contents(restored)).toEqual({ a: "1" });
    }
  });

  it("is rebuilt from the database when it is missing or does not match", async () => {
    const database = new MemoryStore();
    await database.commit(batch({ a: "made before replicas" }));
    const folder = new MemoryFolder();
    const first = await ReplicatedStore.open(database, folder, "c");
    expect(first.outcome).toBe("rebuilt");
    await first.store.close();
    // Then found current, and enough to restore from.
    const second = await ReplicatedStore.open(database.reopen(), folder, "c");
    expect(second.outcome).toBe("current");
    await second.store.commit(batch({ b: "2" }));
    await second.store.close();
    const restored = await ReplicatedStore.open(new MemoryStore(), folder, "c");
    expect(await contents(restored.store)).toEqual({ a: "made before replicas", b: "2" });

    // A replica that lost its last batches (a damaged file) is rebuilt, not trusted.
    await restored.store.commit(batch({ c: "3" }));
    await restored.store.close();
    const damaged = folder.copy();
    damaged.files.set("c", new Uint8Array(10));
    const database2 = new MemoryStore();
    await (await ReplicatedStore.open(database2, folder.copy(), "c")).store.close();
    const rebuilt = await ReplicatedStore.open(database2.reopen(), damaged, "c");
    expect(rebuilt.outcome).toBe("rebuilt");
    await rebuilt.store.close();
    const fromRebuilt = await ReplicatedStore.open(new MemoryStore(), damaged, "c");
    expect(await contents(fromRebuilt.store)).toEqual({
      a: "made before replicas",
      b: "2",
      c: "3",
    });
  });

  it("is rebuilt once overwritten values have made it more than twice its size", async () => {
    const folder = new MemoryFolder();
    const { store } = await ReplicatedStore.open(new MemoryStore(), folder, "c");
    const big = "x".repeat(1024 * 1024);
    for (let i = 0; i < 40; i++) await store.commit(batch({ file: `${i}${big}` }));
    // 40 MiB written, one MiB live.
    expect(folder.files.get("c")!.length).toBeLessThan(10 * 1024 * 1024);
    expect(folder.files.has("c~next")).toBe(false);
    await store.commit(batch({ after: "the rebuild" }));
    await store.close();
    const restored = await ReplicatedStore.open(new MemoryStore(), folder, "c");
    const found = await contents(restored.store);
    expect(found["file"]).toBe(`39${big}`);
    expect(found["after"]).toBe("the rebuild");
  });

  it("is not rebuilt while it only grows", async () => {
    const folder = new MemoryFolder();
    const database = new MemoryStore();
    const { store } = await ReplicatedStore.open(database, folder, "c");
    const big = "x".repeat(1024 * 1024);
    let reads = 0;
    const getMany = database.getMany.bind(database);
    database.getMany = (keys) => {
      reads++;
      return getMany(keys);
    };
    for (let i = 0; i < 40; i++) await store.commit(batch({ [`file${i}`]: big }));
    expect(reads).toBe(0);
    expect(folder.files.get("c")!.length).toBeGreaterThan(40 * 1024 * 1024);
  });

  it("keeps the replica a rebuild was replacing when a crash cut the rebuild short", async () => {
    const folder = new MemoryFolder();
    const { store } = await ReplicatedStore.open(new MemoryStore(), folder, "c");
    await store.commit(batch({ a: "1" }));
    await store.close();
    // Half a next replica beside the whole one: dropped.
    const cutShort = folder.copy();
    cutShort.files.set("c~next", new Uint8Array([1, 2, 3]));
    const restored = await ReplicatedStore.open(new MemoryStore(), cutShort, "c");
    expect(await contents(restored.store)).toEqual({ a: "1" });
    expect(cutShort.files.has("c~next")).toBe(false);
    // The whole next replica, the old one removed: it is put in place.
    const renamedNot = folder.copy();
    renamedNot.files.set("c~next", renamedNot.files.get("c")!);
    renamedNot.files.delete("c");
    const restored2 = await ReplicatedStore.open(new MemoryStore(), renamedNot, "c");
    expect(await contents(restored2.store)).toEqual({ a: "1" });
  });

  it("starts a restore cut short again, rather than take half a database for the container", async () => {
    const folder = new MemoryFolder();
    const { store } = await ReplicatedStore.open(new MemoryStore(), folder, "c");
    await store.commit(batch({ a: "1", b: "2" }));
    await store.close();
    const data = new Map<string, Uint8Array>();
    // Room for the restore's first step, not its last.
    await expect(ReplicatedStore.open(new MemoryStore(5, data), folder, "c")).rejects.toThrow(
      /quota/,
    );
    data.set("a", text("half"));
    const again = await ReplicatedStore.open(new MemoryStore(Infinity, data), folder, "c");
    expect(again.outcome).toBe("restored");
    expect(await contents(again.store)).toEqual({ a: "1", b: "2" });
  });

  it("is emptied by a clear, and an empty database then opens as new", async () => {
    const folder = new MemoryFolder();
    const { store } = await ReplicatedStore.open(new MemoryStore(), folder, "c");
    await store.commit(batch({ a: "1" }));
    await store.clear();
    await store.close();
    const reopened = await ReplicatedStore.open(new MemoryStore(), folder, "c");
    expect(reopened.outcome).toBe("new");
    expect(await contents(reopened.store)).toEqual({});
  });
});
