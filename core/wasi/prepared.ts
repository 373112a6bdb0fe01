/**
 * Where prepared programs are kept (prepare.ts), by the hash of the file's
 * content: preparing a large program takes seconds, and a program is run
 * again and again, by other containers too. The CLI keeps them in files
 * of its state (cli/prepared-files.ts), the browser in IndexedDB
 * (browser/prepared-db.ts), a test in memory.
 */
export interface PreparedModules {
  get(key: string): Promise<Uint8Array<ArrayBuffer> | undefined>;
  put(key: string, bytes: Uint8Array<ArrayBuffer>): Promise<void>;
}

/**
 * What a preparation depends on besides the file: bump it when prepare.ts
 * changes what it makes, so that programs kept before are prepared again.
 */
export const PREPARATION = "5";

/** The key of a program file's prepared module: its SHA-256, and the preparation's version. */
export async function preparedKey(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  const hex = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex}-${PREPARATION}`;
}

/** Kept in memory: for one kernel's life. */
export class MemoryPrepared implements PreparedModules {
  private readonly kept = new Map<string, Uint8Array<ArrayBuffer>>();

  get(key: string): Promise<Uint8Array<ArrayBuffer> | undefined> {
    return Promise.resolve(this.kept.get(key));
  }

  put(key: string, bytes: Uint8Array<ArrayBuffer>): Promise<void> {
    this.kept.set(key, bytes);
    return Promise.resolve();
  }
}
