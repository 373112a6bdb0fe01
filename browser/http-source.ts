import { concat } from "../core/bytes.ts";
import { fail } from "../core/errno.ts";
import type { BlobSource } from "../core/image/image.ts";

/**
 * Blobs over HTTP from a blob store laid out as `BASE/blobs/sha256/HEX`
 * (build/public/images, served at /images/ by the playground).
 * `onProgress` hears how many bytes have come and how many are expected:
 * each blob's size where the caller knows it, else its response's
 * Content-Length unless the body is compressed (then the length is not
 * the bytes that come), added as responses start; 0 while none has said.
 */
export class HttpBlobSource implements BlobSource {
  private loaded = 0;
  private expected = 0;

  constructor(
    private readonly base: string,
    private readonly onProgress?: (loaded: number, total: number) => void,
  ) {}

  async blob(digest: string, size?: number): Promise<Uint8Array> {
    const [algorithm, hex] = digest.split(":");
    const url = new URL(`${this.base}/blobs/${algorithm}/${hex}`, globalThis.location?.href).href;
    // A blob never changes (its name is its digest): the service worker's
    // cache answers without a trip through the service worker.
    const response = (await cached(url)) ?? (await fetch(url));
    if (!response.ok) fail("EIO", `blob ${digest}: HTTP ${response.status}`);
    return this.body(response, size);
  }

  async manifest(name: string): Promise<Uint8Array> {
    const response = await fetch(`${this.base}/${name}.json`);
    if (!response.ok) fail("ENOENT", `image ${name}: HTTP ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  }

  /** The images the site was built with (images/index.json), base image first; none if it lists none. */
  async builtImages(): Promise<string[]> {
    const response = await fetch(`${this.base}/index.json`);
    if (!response.ok) return [];
    const list = (await response.json().catch(() => null)) as { images?: unknown } | null;
    return Array.isArray(list?.images) ? list.images.map(String) : [];
  }

  private async body(response: Response, size?: number): Promise<Uint8Array> {
    if (!this.onProgress || !response.body) return new Uint8Array(await response.arrayBuffer());
    const encoded = response.headers.has("Content-Encoding");
    this.expected += size ?? (encoded ? 0 : Number(response.headers.get("Content-Length") ?? 0));
    const chunks: Uint8Array[] = [];
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      this.loaded += value.length;
      this.onProgress(this.loaded, this.expected);
    }
    return concat(chunks);
  }
}

/** `url` from the site's caches (the service worker's), where there are any. */
async function cached(url: string): Promise<Response | undefined> {
  if (typeof caches === "undefined") return undefined;
  return caches.match(url).catch(() => undefined);
}
