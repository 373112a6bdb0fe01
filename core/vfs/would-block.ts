/**
 * Thrown by a synchronous vfs call whose answer is not in memory yet (file
 * bytes still in IndexedDB, a commit still on its way). The call has changed
 * nothing: the caller waits for `ready` and makes the same call again. The
 * process kernel pauses only the calling process while it waits, the way a
 * blocking read pauses it.
 */
export class WouldBlock {
  constructor(
    readonly ready: Promise<unknown>,
    readonly reason: string,
  ) {}
}

/** Makes a synchronous call, waiting and calling again for as long as it would block. */
export async function retrying<T>(call: () => T): Promise<T> {
  for (;;) {
    try {
      return call();
    } catch (e) {
      if (!(e instanceof WouldBlock)) throw e;
      await e.ready;
    }
  }
}
