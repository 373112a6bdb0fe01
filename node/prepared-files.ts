import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { PreparedModules } from "../core/wasi/prepared.ts";
import { writeFileAtomic } from "./disk.ts";

/**
 * Prepared programs (core/wasi/prepare.ts) kept as files, DIR/KEY.wasm:
 * the CLI's state keeps them in `prepared/`, for every container. Written
 * atomically: a crash leaves a whole one or none.
 */
export class PreparedFiles implements PreparedModules {
  constructor(private readonly dir: string) {}

  async get(key: string): Promise<Uint8Array<ArrayBuffer> | undefined> {
    try {
      return new Uint8Array(await readFile(this.path(key)));
    } catch {
      return undefined;
    }
  }

  async put(key: string, bytes: Uint8Array<ArrayBuffer>): Promise<void> {
    await writeFileAtomic(this.path(key), bytes);
  }

  private path(key: string): string {
    if (!/^[0-9a-f]+-\w+$/.test(key)) throw new Error(`not a prepared program's key: ${key}`);
    return join(this.dir, `${key}.wasm`);
  }
}
