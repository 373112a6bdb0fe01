import { loadImage, parseManifest, StoreBlobs, type Image } from "../core/image/image.ts";
import { ProgramCache } from "../core/wasi/loader.ts";
import type { HttpBlobSource } from "./http-source.ts";
import { IndexedDbStore } from "./indexeddb.ts";
import { PreparedDb } from "./prepared-db.ts";
import { browserPreparer } from "./preparer.ts";
import { recordSupport, RecordReplicatedStore } from "./record-replica.ts";

/** The image every other is built on. */
export const BASE_IMAGE = "busybox";
/** The database of images made by commit and import (their blobs and manifests), shared by all containers. */
export const IMAGES_DATABASE = "overbox.images";

/**
 * What the containers of one worker hold once between them
 * (browser/host.ts): the base image (its files and their bytes), the
 * compiled programs of the images' layers and the memories of ended
 * programs (ProgramCache), the images' database and its replica, and
 * programs built elsewhere once prepared.
 */
export class WorkerShared {
  /** The images' replica, or why this browser keeps none. */
  readonly records = recordSupport(IMAGES_DATABASE);
  readonly imageStore = new RecordReplicatedStore(
    new IndexedDbStore(IMAGES_DATABASE),
    this.records.then((r) => r.folder),
  );
  readonly blobs = new StoreBlobs(this.imageStore);
  /** Programs built elsewhere, prepared when first run (core/wasi/prepare.ts), for every container. */
  readonly prepared = new PreparedDb();
  /** Where they are prepared: a worker of their own. */
  readonly preparer = browserPreparer();
  readonly programs = new ProgramCache();
  /** The base image, by the URL of the images it was loaded from. */
  private readonly bases = new Map<string, Promise<Image>>();

  /** The base image from `source`'s site: fetched once, then every container's. */
  baseImage(source: HttpBlobSource): Promise<Image> {
    const key = source.base;
    let base = this.bases.get(key);
    if (!base) {
      base = source.manifest(BASE_IMAGE).then((m) => loadImage(source, parseManifest(m)));
      // A failed fetch is tried again next time.
      base.catch(() => this.bases.delete(key));
      this.bases.set(key, base);
    }
    return base;
  }
}
