import { fail, reason } from "../errno.ts";
import {
  loadImage,
  type LoadOptions,
  parseManifest,
  putLayer,
  withLayer,
  type BlobSource,
  type BlobStore,
  type Image,
  type ImageManifest,
} from "../image/image.ts";
import { buildLayer } from "../image/layer.ts";
import { readTar, writeTar } from "../image/tar.ts";
import { checkUpper, type FsckReport } from "../overlay/fsck.ts";
import { OverlayFilesystem } from "../overlay/overlay.ts";
import type { UpperOptions } from "../overlay/upper.ts";
import { IMAGE_KEY, type FsckProblem } from "../overlay/upper-format.ts";
import { ReadOnlyStore } from "../store/read-only.ts";
import { newBatch, type Store } from "../store/store.ts";
import { diff, type Change } from "./diff.ts";
import { treeEntries, upperEntries } from "./export.ts";

/**
 * A container: an image's read-only layers under one writable upper layer
 * kept in a Store (one IndexedDB database per container in the browser),
 * with Docker's verbs.
 *
 * Lifecycle: `open` it on a store; the first time it runs `image`, later it
 * runs the image its store names (the last commit's). Work through `fs`;
 * `sync` makes every change durable; `close` stores what is left and
 * closes the store.
 *
 * `reset` and `commit` replace `fs` with a new overlay: they are meant for
 * a container whose processes are stopped (an open file of the old `fs`
 * goes on reading the old filesystem).
 */
export class Container {
  private constructor(
    /** Where the container is kept: `home`, or `home` opened read-only (damaged): nothing is saved. */
    private store: Store,
    private readonly home: Store,
    private readonly blobs: BlobSource,
    /** The image the container runs. */
    public image: Image,
    /** The merged filesystem its processes see. */
    public fs: OverlayFilesystem,
    /**
     * What was found damaged at open (empty when the store is sound). A
     * damaged container runs over a ReadOnlyStore: it works, but nothing
     * it changes is saved, and the damaged store is never written.
     */
    public damage: FsckProblem[],
  ) {}

  /**
   * Opens the container kept in `store`. `image` is the image of a new
   * container; one that has committed since runs its own image, whose
   * layers not in `image` are fetched from `blobs` (as they are read,
   * `options.lazy`: see loadImage).
   *
   * Damaged storage (`damage` already known, a record of its image that is
   * missing or cannot be loaded, or what UpperLayer.open finds) does not
   * stop it: the container opens read-only (its changes are not saved), on
   * its image or else on `image`, and `damage` says what is wrong.
   */
  static async open(
    store: Store,
    image: Image,
    blobs: BlobSource,
    options: UpperOptions & LoadOptions = {},
    damage: readonly FsckProblem[] = [],
  ): Promise<Container> {
    const found = [...damage];
    const saved = await store.get(IMAGE_KEY);
    let running = image;
    if (saved) {
      try {
        const manifest = parseManifest(saved);
        const same = manifest.layers.map((l) => l.digest).join() === digests(image);
        const lazy = { lazy: options.lazy };
        running = same ? image : await loadImage(blobs, manifest, image.layers, lazy);
      } catch (e) {
        found.push(imageProblem(`the container's image cannot be loaded: ${reason(e)}`));
      }
    } else if ((await store.keys("i/")).length > 0) {
      found.push(imageProblem("the record of the container's image is missing"));
    }
    const lowers = [...running.layers].reverse();
    let upperStore = found.length > 0 ? new ReadOnlyStore(store) : store;
    let fs = await OverlayFilesystem.open(upperStore, lowers, options);
    if (fs.upper.damage.length > 0 && upperStore === store) {
      fs.upper.abandon();
      upperStore = new ReadOnlyStore(store);
      fs = await OverlayFilesystem.open(upperStore, lowers, options);
    }
    const damaged = [...found, ...fs.upper.damage];
    const container = new Container(upperStore, store, blobs, running, fs, damaged);
    if (!saved && container.damage.length === 0) await container.saveImage();
    return container;
  }

  /** The manifest of the image the container in `store` runs, if it has been opened once. */
  static async manifestOf(store: Store): Promise<ImageManifest | undefined> {
    const saved = await store.get(IMAGE_KEY);
    return saved && parseManifest(saved);
  }

  /**
   * Checks the container kept in `store` and changes nothing (fsck): the
   * record of its image, that image's layers, and its upper layer over
   * them (overlay/fsck.ts). `image` is what a container with no image
   * record is checked against. The store must not change meanwhile.
   */
  static async check(store: Store, image: Image, blobs: BlobSource): Promise<FsckReport> {
    const found: FsckProblem[] = [];
    const problem = (message: string) => found.push(imageProblem(message));
    let running = image;
    const saved = await store.get(IMAGE_KEY);
    if (!saved) {
      problem(
        `the record of the container's image is missing (checked against ${image.manifest.name})`,
      );
    } else {
      try {
        const manifest = parseManifest(saved);
        const same = manifest.layers.map((l) => l.digest).join() === digests(image);
        running = same ? image : await loadImage(blobs, manifest, image.layers);
      } catch (e) {
        problem(`the container's image cannot be loaded: ${reason(e)}`);
      }
    }
    const report = await checkUpper(store, [...running.layers].reverse());
    report.problems.unshift(...found);
    return report;
  }

  /** Checks this container (`Container.check`), with its changes committed and none under way. */
  check(): Promise<FsckReport> {
    return this.fs.upper.whileStill(() => Container.check(this.store, this.image, this.blobs));
  }

  /** Changes to the image, as `docker diff` lists them: "A /path", "C /path", "D /path". */
  diff(): Change[] {
    return diff(this.fs);
  }

  /** The merged tree as a tar archive, as `docker export` writes it. */
  async export(): Promise<Uint8Array> {
    return writeTar(await treeEntries(this.fs));
  }

  /** The upper layer as an OCI layer tar (`.wh.NAME` whiteouts, `.wh..wh..opq` opaque markers). */
  async exportLayer(): Promise<Uint8Array> {
    return writeTar(await upperEntries(this.fs));
  }

  /**
   * Drops every change: the container is its image again. A damaged
   * container's store is cleared, damage and all, and saves again.
   */
  async reset(): Promise<void> {
    if (this.damage.length > 0) {
      // The damaged records go too: the store itself starts afresh, and is written again.
      this.fs.upper.abandon();
      await this.home.clear();
      this.store = this.home;
      this.damage = [];
      await this.saveImage();
      this.fs = await OverlayFilesystem.open(this.home, this.fs.lowers);
      return;
    }
    await this.fs.upper.clear(new Map([[IMAGE_KEY, this.manifestBytes()]]));
    this.fs = new OverlayFilesystem(this.fs.upper, this.fs.lowers);
  }

  /**
   * Makes the upper layer a new image layer (`docker commit`): its blobs go
   * to `blobs`, the new image is the old one plus that layer, and the
   * container goes on from the new image with an empty upper layer. The
   * layer is stored before the upper layer is dropped, and the switch is
   * one transaction: a crash leaves the old container or the new one.
   * `publish` (the image listed where images are kept) runs before the
   * switch: a container never runs an image that is not listed.
   */
  async commit(
    blobs: BlobStore,
    name = this.image.manifest.name,
    publish: (image: Image) => Promise<void> = async () => undefined,
  ): Promise<Image> {
    if (this.damage.length > 0) {
      fail(
        "EROFS",
        "a damaged container cannot be committed: export what can be read, or reset it",
      );
    }
    const layer = await buildLayer(await upperEntries(this.fs));
    await putLayer(blobs, layer);
    const image = withLayer(this.image, layer, name);
    await publish(image);
    await this.fs.upper.clear(new Map([[IMAGE_KEY, encode(image)]]));
    this.image = image;
    this.fs = new OverlayFilesystem(this.fs.upper, [...image.layers].reverse());
    return image;
  }

  async sync(): Promise<void> {
    await this.fs.upper.sync();
  }

  async close(): Promise<void> {
    await this.fs.upper.close();
  }

  private async saveImage(): Promise<void> {
    const batch = newBatch();
    batch.puts.set(IMAGE_KEY, this.manifestBytes());
    await this.store.commit(batch);
  }

  private manifestBytes(): Uint8Array {
    return encode(this.image);
  }
}

/**
 * Imports an OCI layer tar as a new layer on top of `image` (`docker
 * import`, on an image): whiteouts and opaque markers are honoured; an
 * entry that would escape the root (`..`, an absolute path, a hard link to
 * a path outside the layer, a symlink that climbs out, a file under a
 * symlink) is refused with EINVAL and nothing is stored.
 */
export async function importLayer(
  image: Image,
  tar: Uint8Array,
  blobs: BlobStore,
  name = image.manifest.name,
): Promise<Image> {
  // No bytes is no tar; a tar of no entries (an unchanged container's layer) is an empty layer.
  if (tar.length === 0) fail("EINVAL", "the archive is empty (0 bytes), not a tar");
  const entries = readTar(tar);
  const layer = await buildLayer(entries);
  // The layer is opened before anything is stored: what it refuses leaves no blob.
  const next = withLayer(image, layer, name);
  await putLayer(blobs, layer);
  return next;
}

function imageProblem(message: string): FsckProblem {
  return { key: IMAGE_KEY, path: null, message };
}

function digests(image: Image): string {
  return image.manifest.layers.map((l) => l.digest).join();
}

function encode(image: Image): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(image.manifest));
}
