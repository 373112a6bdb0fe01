import { describe, expect, it } from "vitest";
import { MemoryStore } from "./memory.ts";
import { ReadOnlyStore } from "./read-only.ts";
import { newBatch } from "./store.ts";

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | undefined) =>
  b === undefined ? undefined : new TextDecoder().decode(b);

async function below(): Promise<MemoryStore> {
  const store = new MemoryStore();
  const b = newBatch();
  b.puts.set("a", bytes("1"));
  b.puts.set("b", bytes("2"));
  await store.commit(b);
  return store;
}

describe("a store opened read-only over another", () => {
  it("reads through, keeps its own puts and deletes over it, and never writes below", async () => {
    const under = await below();
    const readOnly = new ReadOnlyStore(under);
    const b = newBatch();
    b.deletes.add("a");
    b.puts.set("c", bytes("3"));
    b.puts.set("b", bytes("two"));
    await readOnly.commit(b);
    expect(await readOnly.keys()).toEqual(["b", "c"]);
    expect((await readOnly.getMany(["a", "b", "c"])).map(text)).toEqual([undefined, "two", "3"]);
    const again = newBatch();
    again.puts.set("a", bytes("back"));
    await readOnly.commit(again);
    expect(text(await readOnly.get("a"))).toBe("back");
    expect(await under.keys()).toEqual(["a", "b"]);
    expect((await under.getMany(["a", "b"])).map(text)).toEqual(["1", "2"]);
  });

  it("clear hides everything below; close closes the store below", async () => {
    const under = await below();
    const readOnly = new ReadOnlyStore(under);
    await readOnly.clear();
    expect(await readOnly.keys()).toEqual([]);
    expect(await readOnly.get("a")).toBeUndefined();
    expect(await under.keys()).toEqual(["a", "b"]);
    await readOnly.close();
    await expect(under.keys()).rejects.toMatchObject({ errno: "EBADF" });
    await expect(readOnly.get("a")).rejects.toMatchObject({ errno: "EBADF" });
  });
});
