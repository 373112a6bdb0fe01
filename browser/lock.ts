import { fail } from "../core/errno.ts";

/**
 * One writer per container: a Web Lock named
 * after the container's database, taken before the container opens and held
 * until it closes (or its worker ends). A second tab on the same container
 * is told (EBUSY) instead of writing into the same database.
 *
 * Where there are no Web Locks (Node has none), there is no second tab
 * either: the call does nothing.
 */
/**
 * What a kept container lacks in a browser that gives the page no Web
 * Locks (Safari before 15.4), as the page says it; null where it has them,
 * or where there is no browser (Node, where there is no second tab).
 */
export function locksMissing(): string | null {
  const nav = globalThis.navigator as { locks?: LockManager } | undefined;
  if (!nav || nav.locks) return null;
  return "no Web Locks: this browser cannot tell whether another tab has this container open, so two tabs may write it at once and damage it";
}

/** How long a new worker waits for the lock before saying the container is taken. */
const WAIT_MS = 3000;

/** Takes the container's lock; resolves with what gives it back. */
export async function holdContainerLock(database: string): Promise<() => void> {
  const locks = (globalThis.navigator as { locks?: LockManager } | undefined)?.locks;
  if (!locks) return () => undefined;
  let release = () => undefined as void;
  const held = new Promise<void>((r) => (release = r));
  // A reloaded page's old worker may still hold the lock for a moment: wait
  // a little before saying the container is taken.
  const refused = await new Promise<unknown>((answer) => {
    locks
      .request(database, { signal: AbortSignal.timeout(WAIT_MS) }, () => {
        answer(null);
        // Held until released, or until the worker ends.
        return held;
      })
      .catch((e: unknown) => answer(e ?? "refused"));
  });
  if (refused === null) return release;
  // The wait ran out: another tab holds it. Anything else is the browser
  // refusing locks (a frame with no storage access): not a busy container.
  const name = (refused as { name?: string }).name;
  if (name === "TimeoutError" || name === "AbortError") {
    fail("EBUSY", `the container ${database} is open in another tab`);
  }
  fail("EACCES", `the browser gives this page no storage locks: ${String(refused)}`);
}

/**
 * Runs `body` holding the container's lock, if no tab holds it now (EBUSY
 * otherwise): for deleting or renaming a container nobody has open.
 * Without Web Locks (Node), `body` just runs.
 */
export async function withContainerLock<T>(database: string, body: () => Promise<T>): Promise<T> {
  const locks = (globalThis.navigator as { locks?: LockManager } | undefined)?.locks;
  if (!locks) return body();
  return locks.request(database, { ifAvailable: true }, async (lock) => {
    if (!lock) fail("EBUSY", `the container ${database} is open in a tab`);
    return body();
  });
}
