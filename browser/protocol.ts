/**
 * The API between the page (src/) and the worker (browser/entry.ts),
 * over comlink: the worker exposes a `HostApi`, which serves a
 * `SandboxApi` over a MessagePort of its own for each container the page opens. Types only: both sides compile against this
 * module, so a change is a compile error on the side that did not follow.
 *
 * Callbacks (`onOutput`, `onProgress`...) are passed as comlink proxies;
 * byte arrays are copied (structured clone).
 *
 * Errors: a call that fails rejects with an Error whose message starts with
 * the errno name ("EBUSY: the container default is open in another tab").
 */

export type { FsckReport } from "../core/overlay/fsck.ts";
export type { FsckProblem } from "../core/overlay/upper-format.ts";
import type { FsckReport } from "../core/overlay/fsck.ts";
import type { PortRequest, PortResponseHead } from "../core/kernel/ports.ts";
export type { PortRequest, PortResponseHead } from "../core/kernel/ports.ts";

/** A request to a container's port as it crosses to the worker: a body streamed from the page is its length only. */
export type PortWireRequest = Omit<PortRequest, "body"> & {
  body: Uint8Array | { length: number | null } | null;
};

export interface OpenOptions {
  /** The image a new container starts from (default "busybox"). */
  image?: string;
  /** The container: a name, or "ephemeral" for one kept in memory and thrown away. */
  container?: string;
  /**
   * Open the container read-only: its stored state is copied into memory,
   * and what programs change is not saved. Taken by a second tab, which
   * may not write alongside the first.
   */
  readOnly?: boolean;
  /** Where the images are served (`BASE/busybox.json`, `BASE/blobs/sha256/HEX`), absolute. */
  imagesUrl: string;
  /**
   * HTTP out to the web through the page's fetch (core/kernel/gateway.ts);
   * without it the container has only its loopback. Default on.
   */
  network?: boolean;
  /** A CORS proxy prefix the gateway's URLs are appended to (gateway.ts). */
  proxy?: string;
  /**
   * Programs to compile while the container opens, ahead of their first
   * run: names looked up in the image's PATH, or paths. One that is not
   * there is left to its run, which says so.
   */
  programs?: string[];
}

export interface OpenInfo {
  container: string;
  image: string;
  /** Changes are not saved: opened read-only, or a damaged container. */
  readOnly: boolean;
  /**
   * What is damaged in the container's storage, one line each (empty when
   * it is sound). A damaged container opens read-only: what can be read is
   * there to export.
   */
  damage: string[];
  /**
   * The browser had dropped the container's database; it was restored from
   * the container's replica (browser/replica.ts), with every change
   * saved before.
   */
  restored: boolean;
  /**
   * What this browser cannot do for the container here, one line each
   * (no replica, say, where it has no origin private file system): the
   * container works without it. Absent when nothing is missing.
   */
  unavailable?: string[];
}

export interface ExecOptions {
  stdin?: string | Uint8Array;
  /** Working directory; default the image's. */
  cwd?: string;
  /** Added to (or replacing in) the image's environment. */
  env?: Record<string, string>;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface FileInfo {
  name: string;
  type: "file" | "directory" | "symlink" | "fifo" | "chardev" | "blockdev" | "socket";
  size: number;
}

export interface ContainerInfo {
  name: string;
  /** The image it runs (after a commit, the committed image). */
  image: string;
}

/** Where a download stands: bytes so far, and bytes expected (known once each layer's index is). */
export type Progress = (loaded: number, total: number) => void;

/** The worker's own API (browser/host.ts). */
export interface HostApi {
  /**
   * Serves a SandboxApi of its own, for one container, over `port` (a
   * MessagePort the page made, and wraps the other end of at once: the
   * page's `open` waits for no answer to this).
   */
  connect(port: MessagePort): void;
}

export interface SandboxApi {
  /** Opens a container (made from `image` the first time) and boots its kernel. Once per SandboxApi. */
  open(options: OpenOptions, onProgress?: Progress): Promise<OpenInfo>;

  /** Runs a command to its end: a string is run by `sh -c`, an array is argv. */
  exec(command: string | string[], options?: ExecOptions): Promise<ExecResult>;

  /**
   * An HTTP request to the server listening on the container's TCP `port`
   * (core/kernel/ports.ts): its response's head, and a number naming its
   * body, which `readPort` gives a piece at a time as the server sends it.
   * A request body given as `{ length }` (null: not known) is read from the
   * page with `readBody` (a comlink proxy) as the server takes it.
   */
  fetchPort(
    port: number,
    request: PortWireRequest,
    readBody?: () => Promise<Uint8Array | null>,
  ): Promise<PortResponseHead & { body: number }>;
  /** Resolves once something listens on the container's TCP `port` (what fetchPort reaches). */
  waitForPort(port: number): Promise<void>;
  /** The next piece of a response's body; null at its end (the number is then forgotten). */
  readPort(body: number): Promise<Uint8Array | null>;
  /** The body is not wanted any more: the connection closes. */
  cancelPort(body: number): void;

  /**
   * Starts a program whose output is streamed: resolves with its pid.
   * `onExit` gets the exit status (shell style: 128 + signal when killed).
   */
  spawn(
    args: string[],
    options: Omit<ExecOptions, "stdin">,
    onStdout: (data: Uint8Array) => void,
    onStderr: (data: Uint8Array) => void,
    onExit: (status: number) => void,
  ): Promise<number>;
  /** Bytes for a spawned program's stdin; `null` closes it. */
  writeStdin(pid: number, data: Uint8Array | null): Promise<void>;
  kill(pid: number, signal?: number): Promise<void>;

  /**
   * A terminal with a login shell on it: keys go in with `input`, the
   * screen's bytes come out through `onOutput`. When the shell exits, a new
   * one starts. `onOutput` may answer a promise for when the bytes are
   * drawn: programs writing to the terminal wait while the screen is far
   * behind, so a flood of output is paced to it.
   */
  terminal(
    size: { rows: number; cols: number },
    onOutput: (data: Uint8Array) => void | Promise<void>,
  ): Promise<void>;
  input(data: Uint8Array): Promise<void>;
  resize(size: { rows: number; cols: number }): Promise<void>;
  /** The login shell's working directory (where uploads go). */
  shellCwd(): Promise<string>;

  readFile(path: string): Promise<Uint8Array>;
  /** Creates or replaces a regular file (mode 0644 when created). */
  writeFile(path: string, data: Uint8Array | string): Promise<void>;
  readdir(path: string): Promise<FileInfo[]>;

  /** Drops every change; the terminal's shell starts again on the pristine image. */
  reset(): Promise<void>;
  /** The container's changes as a new image named `tag`; the container goes on from it. */
  commit(tag: string): Promise<void>;
  /** The merged tree as a tar, or (`layer`) the upper layer as an OCI layer tar. */
  exportTar(layer: boolean): Promise<Uint8Array>;
  /** An OCI layer tar as a new image `tag` on top of `from` (default busybox). */
  importTar(tar: Uint8Array, tag: string, from?: string): Promise<void>;
  /** Image names: the served base image and those made by commit and import. */
  images(): Promise<string[]>;

  /** Whether changes are waiting to be written to IndexedDB. */
  unsaved(): Promise<boolean>;
  /** Writes every change; resolves when it is stored. */
  sync(): Promise<void>;
  /**
   * Why the latest changes could not be stored ("ENOSPC: ..." when the
   * storage is full), while they wait to be stored again; null when
   * nothing failed.
   */
  saveError(): Promise<string | null>;
  /**
   * Checks the container's stored state for inconsistencies and changes
   * nothing (`overbox fsck`): every change so far is stored first.
   */
  fsck(): Promise<FsckReport>;
  /** Stops programs, stores everything and closes the container. */
  close(): Promise<void>;

  /** The containers kept in this browser (these need no open container). */
  containers(): Promise<ContainerInfo[]>;
  /** Deletes a container's stored state; EBUSY while a tab has it open. */
  deleteContainer(name: string): Promise<void>;
  /** Gives a container another name; EBUSY while a tab has it open, EEXIST if the name is taken. */
  renameContainer(from: string, to: string): Promise<void>;
}
