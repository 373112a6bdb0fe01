import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { readdir, readFile, rename, rm, unlink } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { Container } from "../core/container/container.ts";
import {
  loadImage,
  dataDigests,
  parseManifest,
  verifiedBlob,
  type Image,
  type ImageManifest,
} from "../core/image/image.ts";
import { parseLayerIndex } from "../core/image/layer.ts";
import { describeProblem, type FsckReport } from "../core/overlay/fsck.ts";
import type { FsckProblem } from "../core/overlay/upper-format.ts";
import { FileBlobs } from "../node/blobs.ts";
import { makeDirectory, writeFileAtomic } from "../node/disk.ts";
import { FileStore } from "../node/file-store.ts";
import { PreparedFiles } from "../node/prepared-files.ts";
import { FileLock, processGone, type Holder } from "../node/lock.ts";

/** The base image's name: built from BusyBox by the set-up, never removed or replaced by hand. */
export const BASE_IMAGE = "busybox";

/** What a name the set-up's images hold is, for a refusal. */
function builtWhat(name: string): string {
  return name === BASE_IMAGE ? `${BASE_IMAGE} is the base image` : `${name} is a built image`;
}

const CONTAINER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/;
const IMAGE_NAME = /^[a-z0-9][a-z0-9_.-]{0,63}$/;

/** A mistake of the user's (a bad flag, an unknown container): one line on stderr, nothing changed. */
export class UserError extends Error {
  override name = "UserError";
}

/**
 * The state directory of the `overbox` command: images, their blobs and
 * containers.
 *
 *   blobs/sha256/HEX        layer blobs, shared by every image
 *   images/NAME.json        image manifests (core/image/image.ts)
 *   containers/NAME/        a container: its upper layer (upper.log, the
 *                           FileStore) and, while a command uses it, `lock`
 *
 * Every change is a rename into place, so a killed command leaves the old
 * state or the new one. A new container is made in a directory of its own
 * and renamed to its name; a removed one is renamed away, then deleted.
 * One command at a time holds a container's lock (lock.ts); commands that
 * only look (`ps`, `images`) read without it.
 */
export class State {
  readonly blobs: FileBlobs;
  /** Programs built elsewhere, prepared when first run (core/wasi/prepare.ts), for every container. */
  readonly prepared: PreparedFiles;

  constructor(
    readonly dir: string,
    /** Where the set-up writes the base image (build/public/images), to bring it in from. */
    private readonly builtImages?: string,
  ) {
    this.blobs = new FileBlobs(join(dir, "blobs"));
    this.prepared = new PreparedFiles(join(dir, "prepared"));
  }

  /** `--state DIR`, else $OVERBOX_HOME, else ~/.overbox. */
  static locate(flag: string | undefined, builtImages: string, env = process.env): State {
    if (flag === "") throw new UserError("--state needs a directory, not an empty string");
    const dir = flag ?? (env.OVERBOX_HOME || undefined) ?? join(homedir(), ".overbox");
    return new State(dir, builtImages);
  }

  // ---- images ------------------------------------------------------------

  private imagePath(name: string): string {
    checkImageName(name);
    return join(this.dir, "images", `${name}.json`);
  }

  /** Every image, by name. */
  async images(): Promise<ImageManifest[]> {
    for (const name of this.builtNames()) await this.ensureBuiltImage(name);
    const names = (await readdir(join(this.dir, "images")).catch(() => []))
      .filter((f) => f.endsWith(".json"))
      .map((f) => f.slice(0, -5))
      .sort();
    return Promise.all(names.map((n) => this.manifest(n)));
  }

  async manifest(name: string): Promise<ImageManifest> {
    if (this.isBuilt(name)) await this.ensureBuiltImage(name);
    return this.storedManifest(name);
  }

  /** The images the set-up builds (busybox, tools...), as build/public/images/index.json lists them. */
  private builtNames(): string[] {
    if (!this.builtImages) return [];
    try {
      const list = JSON.parse(readFileSync(join(this.builtImages, "index.json"), "utf8")) as {
        images?: unknown;
      };
      const names = Array.isArray(list.images) ? list.images.map(String) : [];
      return names.includes(BASE_IMAGE) ? names : [BASE_IMAGE, ...names];
    } catch {
      return [BASE_IMAGE];
    }
  }

  /** Whether `name` is one of the images the set-up builds: its name is theirs. */
  isBuilt(name: string): boolean {
    return name === BASE_IMAGE || this.builtNames().includes(name);
  }

  /** An image's manifest as the state directory has it (the base image is not brought in first). */
  private async storedManifest(name: string): Promise<ImageManifest> {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(this.imagePath(name));
    } catch {
      throw new UserError(`no such image: ${name}`);
    }
    return parseManifest(bytes);
  }

  /** An image's manifest and layers, each layer checked against its digest. */
  async image(name: string): Promise<Image> {
    return loadImage(this.blobs, await this.manifest(name));
  }

  /** Bytes of a layer's data blob (its index says). */
  async layerDataSize(digest: string): Promise<number> {
    return parseLayerIndex(await this.blobs.blob(digest)).data.size;
  }

  /** Tags `manifest` as its name (a new image, or the name moved to new layers). */
  async saveImage(manifest: ImageManifest): Promise<void> {
    if (this.isBuilt(manifest.name)) {
      throw new UserError(`${builtWhat(manifest.name)}: choose another name`);
    }
    await writeFileAtomic(this.imagePath(manifest.name), JSON.stringify(manifest, null, 2) + "\n");
  }

  /**
   * Removes an image's name. Refused for the base image and for an image a
   * container runs. (Its blobs stay: another image may share them.)
   */
  async removeImage(name: string): Promise<void> {
    if (this.isBuilt(name)) throw new UserError(`${builtWhat(name)}: it stays`);
    await this.manifest(name);
    for (const c of await this.containers()) {
      if (c.image === name) {
        throw new UserError(`image ${name} is used by container ${c.name}: remove it first`);
      }
    }
    await unlink(this.imagePath(name));
  }

  /** Brings the base image in from the set-up's build (ensureBuiltImage). */
  ensureBaseImage(): Promise<void> {
    return this.ensureBuiltImage(BASE_IMAGE);
  }

  /**
   * Brings an image the set-up builds in from its build (a `docker pull`
   * from build/public/images): its blobs are copied, checked, into the
   * state directory (a layer two images share, once), so containers keep
   * running it after a rebuild replaces it.
   */
  async ensureBuiltImage(name: string): Promise<void> {
    if (!this.builtImages)
      throw new Error("unreachable: no built images to bring the base image from");
    const builtPath = join(this.builtImages, `${name}.json`);
    if (!existsSync(builtPath)) {
      throw new UserError(`the ${name} image is not built: run \`npm run setup\` first`);
    }
    const built = await readFile(builtPath, "utf8");
    const mine = join(this.dir, "images", `${name}.json`);
    if ((await readFile(mine, "utf8").catch(() => null)) === built) return;
    const source = new FileBlobs(join(this.builtImages, "blobs"));
    for (const { digest } of parseManifest(new TextEncoder().encode(built)).layers) {
      const index = await verifiedBlob(source, digest);
      for (const blob of dataDigests(parseLayerIndex(index)))
        await this.blobs.put(blob, await verifiedBlob(source, blob));
      await this.blobs.put(digest, index);
    }
    await writeFileAtomic(mine, built);
  }

  // ---- containers --------------------------------------------------------

  containerDir(name: string): string {
    if (!CONTAINER_NAME.test(name)) {
      throw new UserError(
        `invalid container name "${name}": letters, digits, "_", "." and "-", 64 at most, starting with a letter or digit`,
      );
    }
    return join(this.dir, "containers", name);
  }

  exists(name: string): boolean {
    return existsSync(join(this.containerDir(name), "upper.log"));
  }

  /** Every container: its name, the image it runs, the bytes of its upper layer, and who uses it. */
  async containers(): Promise<ContainerInfo[]> {
    const names = (await readdir(join(this.dir, "containers")).catch(() => []))
      .filter((n) => CONTAINER_NAME.test(n))
      .sort();
    const out: ContainerInfo[] = [];
    for (const name of names) {
      const info = await this.container(name);
      if (info) out.push(info);
    }
    return out;
  }

  /** One container's name, image, size and user; null if there is none (or it is being removed). */
  async container(name: string): Promise<ContainerInfo | null> {
    const dir = this.containerDir(name);
    let store: FileStore;
    try {
      store = await FileStore.openReadOnly(dir);
    } catch {
      return null;
    }
    try {
      const manifest = await Container.manifestOf(store);
      return {
        name,
        image: manifest?.name ?? "?",
        size: store.size,
        user: await FileLock.holder(join(dir, "lock")),
      };
    } finally {
      await store.close();
    }
  }

  /**
   * Makes a container of `image`: in a directory of its own, renamed to its
   * name once its store holds the image, so a container either exists whole
   * or not at all. Resolves false if one of that name exists already.
   */
  async createContainer(name: string, image: string): Promise<boolean> {
    const dir = this.containerDir(name);
    const loaded = await this.image(image);
    // Every container is opened with the base image beside its own
    // (openContainer): a container of another built image may be this
    // state's first.
    if (this.builtImages) await this.ensureBaseImage();
    await this.sweepContainers();
    const fresh = join(this.dir, "containers", `.new-${leftoverTag()}`);
    await makeDirectory(fresh);
    try {
      const container = await Container.open(await FileStore.open(fresh), loaded, this.blobs);
      await container.close();
      await rename(fresh, dir);
      return true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EEXIST" || code === "ENOTEMPTY") return false;
      throw e;
    } finally {
      await rm(fresh, { recursive: true, force: true });
    }
  }

  /** Removes what commands killed while making or removing a container left in containers/. */
  private async sweepContainers(): Promise<void> {
    const dir = join(this.dir, "containers");
    for (const name of await readdir(dir).catch(() => [])) {
      const pid = /^\.(?:new|removed)-(\d+)-/.exec(name)?.[1];
      if (pid !== undefined && processGone(Number(pid))) {
        await rm(join(dir, name), { recursive: true, force: true });
      }
    }
  }

  /**
   * Runs `body` holding the container's lock, waiting while another command
   * holds it (`waiting` is told who, once).
   */
  async withLock<T>(
    name: string,
    command: string,
    body: (dir: string) => Promise<T>,
    waiting?: (holder: Holder) => void,
  ): Promise<T> {
    const dir = this.containerDir(name);
    const lock = await this.lock(name, command, { wait: true, waiting });
    if (!(lock instanceof FileLock)) throw new Error("unreachable: a waiting lock was refused");
    try {
      return await body(dir);
    } finally {
      await lock.release();
    }
  }

  /** Opens the container `name` under its lock for `body`, and closes it (storing everything) after. */
  withContainer<T>(
    name: string,
    command: string,
    body: (container: Container) => Promise<T>,
    waiting?: (holder: Holder) => void,
  ): Promise<T> {
    return this.withLock(
      name,
      command,
      async () => {
        const container = await this.openContainer(name);
        try {
          return await body(container);
        } finally {
          await container.close();
        }
      },
      waiting,
    );
  }

  /**
   * Opens a container; the caller holds its lock (withLock). A damaged one
   * opens too, read-only: nothing is saved (Container.open); its `damage`
   * says what is wrong.
   */
  async openContainer(name: string): Promise<Container> {
    const store = await FileStore.open(this.containerDir(name));
    try {
      // The base image, as this state holds it: a container whose own image
      // record is damaged is opened on it.
      const base = await loadImage(this.blobs, await this.storedManifest(BASE_IMAGE));
      return await Container.open(store, base, this.blobs, {}, logDamage(store));
    } catch (e) {
      await store.close();
      throw e;
    }
  }

  /**
   * Checks a container's stored state (Container.check) without its lock
   * and without changing a file: it sees the batches committed when it
   * starts, as `ps` does.
   */
  async checkContainer(name: string): Promise<FsckReport> {
    if (!this.exists(name)) throw new UserError(`no such container: ${name}`);
    const store = await FileStore.openReadOnly(this.containerDir(name));
    try {
      const report = await Container.check(store, await this.image(BASE_IMAGE), this.blobs);
      report.problems.unshift(...logDamage(store));
      return report;
    } finally {
      await store.close();
    }
  }

  /** Removes a container; refused while a command uses it. */
  async removeContainer(name: string, command: string): Promise<void> {
    const dir = this.containerDir(name);
    const lock = await this.lock(name, command, { wait: false });
    if (!(lock instanceof FileLock)) {
      throw new UserError(`container ${name} is in use by ${describeHolder(lock)}`);
    }
    const gone = join(this.dir, "containers", `.removed-${leftoverTag()}`);
    try {
      await rename(dir, gone);
    } catch (e) {
      await lock.release();
      throw e;
    }
    await rm(gone, { recursive: true, force: true });
  }

  private async lock(
    name: string,
    command: string,
    options: { wait: boolean; waiting?: ((holder: Holder) => void) | undefined },
  ): Promise<FileLock | Holder> {
    const dir = this.containerDir(name);
    if (!this.exists(name)) throw new UserError(`no such container: ${name}`);
    try {
      return await FileLock.take(join(dir, "lock"), command, options);
    } catch (e) {
      // Removed while we waited.
      if ((e as NodeJS.ErrnoException).code === "ENOENT") {
        throw new UserError(`no such container: ${name}`);
      }
      throw e;
    }
  }
}

/** A damaged log (FileStore.damage) as a problem of the container. */
function logDamage(store: FileStore): FsckProblem[] {
  return store.damage === undefined
    ? []
    : [{ key: "upper.log", path: null, message: store.damage }];
}

/** A container's damage in one line, for a command's stderr. */
export function damageNote(name: string, damage: readonly FsckProblem[]): string {
  const more = damage.length > 1 ? ` and ${damage.length - 1} more` : "";
  return (
    `container ${name} is damaged (${describeProblem(damage[0]!)}${more}): ` +
    `it runs read-only, and its changes are not saved; 'overbox fsck ${name}' lists the problems, ` +
    `'overbox export ${name} -o FILE' saves what can be read, 'overbox reset ${name}' starts it afresh`
  );
}

export interface ContainerInfo {
  name: string;
  image: string;
  /** Bytes of the upper layer's keys' values (what the container changed). */
  size: number;
  /** The command using it now, if any. */
  user: Holder | null;
}

export function describeHolder(h: Holder): string {
  return `pid ${h.pid} (${h.command})`;
}

export function checkImageName(name: string): void {
  if (!IMAGE_NAME.test(name)) {
    throw new UserError(
      `invalid image name "${name}": lower-case letters, digits, "_", "." and "-", 64 at most`,
    );
  }
}

export { reason } from "../core/errno.ts";

/** A name part for a directory only this process uses for a while: its pid, then random. */
function leftoverTag(): string {
  return `${process.pid}-${randomBytes(6).toString("hex")}`;
}
