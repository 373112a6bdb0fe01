import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fail } from "../core/errno.ts";
import type { BlobStore } from "../core/image/image.ts";
import { writeFileAtomic } from "./disk.ts";

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/**
 * A blob directory on disk, `DIR/sha256/HEX`, as an OCI image layout keeps
 * its blobs: the base image's build output and the CLI's state directory.
 * Blobs are immutable and named by digest, so writers never conflict: each
 * writes a file of its own and renames it into place (atomic), after an
 * fsync (a rename can reach the disk before the bytes do).
 *
 * Errors: a digest that is not `sha256:` and 64 hex digits is EINVAL (it
 * comes from a manifest, which may be hostile: it must not become a path
 * elsewhere); a missing blob is ENOENT.
 */
export class FileBlobs implements BlobStore {
  constructor(readonly dir: string) {}

  path(digest: string): string {
    if (!DIGEST.test(digest)) fail("EINVAL", `not a blob digest: ${digest}`);
    return join(this.dir, "sha256", digest.slice("sha256:".length));
  }

  async blob(digest: string): Promise<Uint8Array> {
    try {
      return await readFile(this.path(digest));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") fail("ENOENT", `no blob ${digest}`);
      throw e;
    }
  }

  async put(digest: string, bytes: Uint8Array): Promise<void> {
    await writeFileAtomic(this.path(digest), bytes);
  }
}
