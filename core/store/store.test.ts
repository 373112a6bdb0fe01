import "fake-indexeddb/auto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FileStore } from "../../node/file-store.ts";
import { IndexedDbStore } from "../../browser/indexeddb.ts";
import { MemoryStore } from "./memory.ts";
import { newBatch, type Batch, type Store } from "./store.ts";

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | undefined) =>
  b === undefined ? undefined : new TextDecoder().decode(b);

interface Setup {
  name: string;
  /** Opens store `id`; the same `id` again is the same store reopened, as after a restart. */
  open(id: string): Promise<Store>;
  /** A batch this store refuses, and the errno it answers. */
  refused(): { batch: Batch; errno: string };
}

/** A batch past a quota of 1000 bytes (the memory and file stores' setups). */
function overQuota(): { batch: Batch; errno: string } {
  const batch = newBatch();
  batch.puts.set("files/new", bytes("fits"));
  batch.puts.set("files/huge", new Uint8Array(2000));
  return { batch, errno: "ENOSPC" };
}

let counter = 0;
const memoryStores = new Map<string, MemoryStore>();
const fileStoreRoot = mkdtempSync(join(tmpdir(), "overbox-store-test-"));
const fileStores: FileStore[] = [];
afterAll(async () => {
  await Promise.all(fileStores.map((s) => s.close()));
  rmSync(fileStoreRoot, { recursive: true, force: true });
});

const setups: Setup[] = [
  {
    name: "memory store",
    open: async (id) => {
      const store = memoryStores.get(id)?.reopen() ?? new MemoryStore(1000);
      memoryStores.set(id, store);
      return store;
    },
    refused: overQuota,
  },
  {
    name: "IndexedDB store",
    open: async (id) => new IndexedDbStore(`test-${id}`),
    refused: () => {
      const batch = newBatch();
      batch.puts.set("files/new", bytes("fits"));
      // A value IndexedDB cannot store makes the transaction fail part-way.
      batch.puts.set("files/bad", (() => 0) as unknown as Uint8Array);
      return { batch, errno: "EIO" };
    },
  },
  {
    name: "file store",
    open: async (id) => {
      const store = await FileStore.open(join(fileStoreRoot, id), { quota: 1000 });
      fileStores.push(store);
      return store;
    },
    refused: overQuota,
  },
];

describe.each(setups)("$name", (setup) => {
  const fresh = async () => {
    const id = `s${counter++}`;
    return { id, store: await setup.open(id) };
  };

  it("stores what a batch puts and forgets what it deletes", async () => {
    const { store } = await fresh();
    const a = newBatch();
    a.puts.set("meta/1", bytes("one"));
    a.puts.set("meta/2", bytes("two"));
    a.puts.set("data/1/0", bytes("chunk"));
    await store.commit(a);
    const b = newBatch();
    b.deletes.add("meta/1");
    b.puts.set("meta/3", bytes("three"));
    await store.commit(b);
    expect(text(await store.get("meta/1"))).toBeUndefined();
    expect((await store.getMany(["meta/2", "meta/3", "nope"])).map(text)).toEqual([
      "two",
      "three",
      undefined,
    ]);
    expect(await store.keys("meta/")).toEqual(["meta/2", "meta/3"]);
    expect(await store.keys()).toEqual(["data/1/0", "meta/2", "meta/3"]);
  });

  it("applies a batch whole or not at all", async () => {
    const { store } = await fresh();
    const first = newBatch();
    first.puts.set("files/old", bytes("kept"));
    await store.commit(first);
    const { batch, errno } = setup.refused();
    batch.deletes.add("files/old");
    await expect(store.commit(batch)).rejects.toMatchObject({ errno });
    expect(await store.keys()).toEqual(["files/old"]);
    expect(text(await store.get("files/old"))).toBe("kept");
  });

  it("does not share the bytes it was given or hands out", async () => {
    const { store } = await fresh();
    const value = bytes("abc");
    const b = newBatch();
    b.puts.set("k", value);
    await store.commit(b);
    value[0] = 0x7a;
    const out = (await store.get("k"))!;
    out[1] = 0x7a;
    expect(text(await store.get("k"))).toBe("abc");
  });

  it("clears everything, and refuses use after close", async () => {
    const { store } = await fresh();
    const b = newBatch();
    b.puts.set("a", bytes("1"));
    await store.commit(b);
    await store.clear();
    expect(await store.keys()).toEqual([]);
    await store.close();
    await expect(store.get("a")).rejects.toMatchObject({ errno: "EBADF" });
  });

  it("keeps what was committed across close and reopen (a page load, a restart)", async () => {
    const { id, store } = await fresh();
    const a = newBatch();
    a.puts.set("meta/root", bytes("{}"));
    a.puts.set("meta/gone", bytes("x"));
    await store.commit(a);
    const b = newBatch();
    b.deletes.add("meta/gone");
    b.puts.set("c/1/0", bytes("data"));
    await store.commit(b);
    await store.close();
    const again = await setup.open(id);
    expect(await again.keys()).toEqual(["c/1/0", "meta/root"]);
    expect((await again.getMany(["meta/root", "c/1/0"])).map(text)).toEqual(["{}", "data"]);
    await again.close();
  });
});

describe("IndexedDB durability", () => {
  it("asks for strict durability on a durable commit and a clear, relaxed otherwise", async () => {
    const asked: Array<IDBTransactionDurability | undefined> = [];
    const transaction = IDBDatabase.prototype.transaction;
    IDBDatabase.prototype.transaction = function (
      this: IDBDatabase,
      ...args: Parameters<IDBDatabase["transaction"]>
    ) {
      if (args[1] === "readwrite") asked.push(args[2]?.durability);
      return transaction.apply(this, args);
    };
    const store = new IndexedDbStore("test-durability");
    try {
      const batch = newBatch();
      batch.puts.set("a", bytes("1"));
      await store.commit(batch);
      await store.commit(batch, { durable: true });
      await store.clear();
      expect(asked).toEqual(["relaxed", "strict", "strict"]);
      expect(await store.keys()).toEqual([]);
    } finally {
      IDBDatabase.prototype.transaction = transaction;
      await store.close();
    }
  });
});
