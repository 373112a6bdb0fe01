/**
 * The names of the containers this browser has saved, kept apart from
 * IndexedDB (in Cache Storage, one empty response per name), so that a
 * container whose database is gone can be told from a new one.
 *
 * A browser may drop a site's IndexedDB while keeping its other storage:
 * Chromium deletes and recreates a database it cannot open after a crash.
 * Without the ledger, such a container would open as a new, empty one and
 * nobody would be told. Clearing the site's data clears both, and then
 * nothing is said, rightly.
 *
 * Where there is no Cache Storage (Node, an insecure origin), the ledger
 * knows nothing and says nothing.
 */
const CACHE = "overbox.containers";

/** The request a name is kept under (Cache Storage keys are URLs). */
function key(name: string): string {
  return `https://overbox.invalid/containers/${encodeURIComponent(name)}`;
}

async function cache(): Promise<Cache | null> {
  if (typeof caches === "undefined") return null;
  try {
    return await caches.open(CACHE);
  } catch {
    return null; // refused (a private window's storage, say): nothing to go on
  }
}

export const ledger = {
  /** Whether container `name` has been saved in this browser and not deleted since. */
  async has(name: string): Promise<boolean> {
    const c = await cache();
    return c !== null && (await c.match(key(name))) !== undefined;
  },

  /** Notes that container `name` is saved (once its database holds it). */
  async add(name: string): Promise<void> {
    const c = await cache();
    if (c && !(await c.match(key(name)))) await c.put(key(name), new Response(""));
  },

  /** Forgets container `name` (deleted, or renamed away). */
  async remove(name: string): Promise<void> {
    await (await cache())?.delete(key(name));
  },
};
