import {
  loadImage,
  parseManifest,
  StoreBlobs,
  type BlobSource,
  type Image,
  type ImageManifest,
  type LoadOptions,
} from "../core/image/image.ts";
import type { LayerFilesystem } from "../core/image/layer-fs.ts";
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
 * (browser/host.ts): the images' layers (their files and bytes), the
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
  /** Every layer loaded, by digest: each image's files held once, whichever containers use them. */
  private readonly layers = new Map<string, Promise<LayerFilesystem>>();

  /** The base image from `source`'s site: fetched once, then every container's. */
  baseImage(source: HttpBlobSource): Promise<Image> {
    const key = source.base;
    let base = this.bases.get(key);
    if (!base) {
      base = source.manifest(BASE_IMAGE).then((m) => this.image(source, parseManifest(m)));
      // A failed fetch is tried again next time.
      base.catch(() => this.bases.delete(key));
      this.bases.set(key, base);
    }
    return base;
  }

  /**
   * The image `manifest` names, its layers taken from those loaded before
   * (the same objects, so their files and fetched bytes are shared) or
   * loaded from `source`. A big layer loaded here fetches its chunks
   * through `source` later on, as its files are first read.
   */
  async image(
    source: BlobSource,
    manifest: ImageManifest,
    options: LoadOptions = {},
  ): Promise<Image> {
    const layers = manifest.layers.map((layer) => {
      let loaded = this.layers.get(layer.digest);
      if (!loaded) {
        loaded = loadImage(source, { ...manifest, layers: [layer] }, [], options).then(
          (one) => one.layers[0]!,
        );
        loaded.catch(() => this.layers.delete(layer.digest));
        this.layers.set(layer.digest, loaded);
      }
      return loaded;
    });
    return { manifest, layers: await Promise.all(layers) };
  }
}
