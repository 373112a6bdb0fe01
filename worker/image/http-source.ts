import { fail } from "../errno.ts";
import type { BlobSource } from "./image.ts";

/**
 * Blobs over HTTP from a blob store laid out as `BASE/blobs/sha256/HEX`
 * (build/public/images, served at /images/ by the playground).
 */
export class HttpBlobSource implements BlobSource {
  constructor(private readonly base: string) {}

  async blob(digest: string): Promise<Uint8Array> {
    const [algorithm, hex] = digest.split(":");
    const response = await fetch(`${this.base}/blobs/${algorithm}/${hex}`);
    if (!response.ok) fail("EIO", `blob ${digest}: HTTP ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  }

  async manifest(name: string): Promise<Uint8Array> {
    const response = await fetch(`${this.base}/${name}.json`);
    if (!response.ok) fail("ENOENT", `image ${name}: HTTP ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  }
}
