import { concat } from "../core/bytes.ts";
import { fail } from "../core/errno.ts";
import type { BlobSource } from "../core/image/image.ts";

/**
 * Blobs over HTTP from a blob store laid out as `BASE/blobs/sha256/HEX`
 * (build/public/images, served at /images/ by the playground).
 * `onProgress` hears how many bytes have come and how many are expected
 * (`download`): each blob's size where the caller knows it, from the
 * request on, else its response's Content-Length unless the body is
 * compressed (then the length is not the bytes that come).
 */
export class HttpBlobSource implements BlobSource {
  private loaded = 0;
  private expected = 0;

  constructor(
    /** The images' URL. */
    readonly base: string,
    private readonly onProgress?: (loaded: number, total: number) => void,
  ) {}

  async blob(digest: string, size?: number): Promise<Uint8Array> {
    const [algorithm, hex] = digest.split(":");
    const url = new URL(`${this.base}/blobs/${algorithm}/${hex}`, globalThis.location?.href).href;
    const download = this.download(size);
    try {
      // A blob never changes (its name is its digest): the service worker's
      // cache answers without a trip through the service worker.
      const response = (await cached(url)) ?? (await fetch(url));
      if (!response.ok) fail("EIO", `blob ${digest}: HTTP ${response.status}`);
      return await this.body(response, download);
    } finally {
      download.end();
    }
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

  /**
   * One blob's part in the progress. Its size, where known, is expected
   * from the request on, so that blobs asked for together (a file's
   * chunks) show as one download however their responses interleave; else
   * its response's Content-Length, unless the body is compressed. What a
   * failed download will not bring is no longer expected.
   */
  private download(size?: number) {
    let expected = size ?? 0;
    let loaded = 0;
    this.expected += expected;
    const report = () => this.onProgress?.(this.loaded, this.expected);
    return {
      started: (response: Response) => {
        if (size !== undefined || response.headers.has("Content-Encoding")) return;
        const length = Number(response.headers.get("Content-Length") ?? 0);
        expected += length;
        this.expected += length;
      },
      got: (bytes: number) => {
        loaded += bytes;
        this.loaded += bytes;
        report();
      },
      end: () => {
        if (loaded >= expected) return;
        this.expected -= expected - loaded;
        expected = loaded;
        report();
      },
    };
  }

  private async body(
    response: Response,
    download: ReturnType<HttpBlobSource["download"]>,
  ): Promise<Uint8Array> {
    if (!this.onProgress || !response.body) return new Uint8Array(await response.arrayBuffer());
    download.started(response);
    const chunks: Uint8Array[] = [];
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      download.got(value.length);
    }
    return concat(chunks);
  }
}

/** `url` from the site's caches (the service worker's), where there are any. */
async function cached(url: string): Promise<Response | undefined> {
  if (typeof caches === "undefined") return undefined;
  return caches.match(url).catch(() => undefined);
}
