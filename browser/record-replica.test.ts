import { describe, expect, it } from "vitest";
import { MemoryStore } from "../core/store/memory.ts";
import { RecordReplicatedStore, type RecordFolder } from "./record-replica.ts";
import { newBatch } from "../core/store/store.ts";

class MemoryRecords implements RecordFolder {
  readonly files = new Map<string, Uint8Array>();
  refuse = false;

  async read(name: string) {
    return this.files.get(name)?.slice();
  }
  async write(name: string, bytes: Uint8Array) {
    if (this.refuse) throw Object.assign(new Error("full"), { name: "QuotaExceededError" });
    this.files.set(name, bytes.slice());
  }
  async remove(name: string) {
    this.files.delete(name);
  }
  async names() {
    return [...this.files.keys()];
  }
}

const text = (s: string) => new TextEncoder().encode(s);
const decode = (b: Uint8Array | undefined) => b && new TextDecoder().decode(b);

describe("a store whose records are replicated one file each", () => {
  it("answers from its files what the dropped database no longer has", async () => {
    const folder = new MemoryRecords();
    const store = new RecordReplicatedStore(new MemoryStore(), Promise.resolve(folder));
    const batch = newBatch();
    batch.puts.set("blob/sha256:ab", text("layer"));
    batch.puts.set("image/my.tool", text("manifest"));
    batch.puts.set("image/gone", text("old"));
    await store.commit(batch);
    const removal = newBatch();
    removal.deletes.add("image/gone");
    await store.commit(removal);

    const dropped = new RecordReplicatedStore(new MemoryStore(), Promise.resolve(folder));
    expect(await dropped.keys("image/")).toEqual(["image/my.tool"]);
    expect(decode(await dropped.get("blob/sha256:ab"))).toBe("layer");
    expect((await dropped.getMany(["image/my.tool", "image/gone"])).map(decode)).toEqual([
      "manifest",
      undefined,
    ]);
  });

  it("ignores files that are not its records, such as a crash's swap file", async () => {
    const folder = new MemoryRecords();
    folder.files.set("image%2Fx.crswap", text("half"));
    folder.files.set("image%2Fy", text("whole"));
    const store = new RecordReplicatedStore(new MemoryStore(), Promise.resolve(folder));
    expect(await store.keys()).toEqual(["image/y"]);
  });

  it("fails a commit whose file cannot be written with ENOSPC, and leaves the database as it was", async () => {
    const folder = new MemoryRecords();
    const database = new MemoryStore();
    const store = new RecordReplicatedStore(database, Promise.resolve(folder));
    folder.refuse = true;
    const batch = newBatch();
    batch.puts.set("image/a", text("x"));
    await expect(store.commit(batch)).rejects.toMatchObject({ errno: "ENOSPC" });
    expect(await database.keys()).toEqual([]);
  });

  it("is the database alone where there is no folder", async () => {
    const database = new MemoryStore();
    const store = new RecordReplicatedStore(database, Promise.resolve(null));
    const batch = newBatch();
    batch.puts.set("image/a", text("x"));
    await store.commit(batch);
    expect(await store.keys()).toEqual(["image/a"]);
  });
});
