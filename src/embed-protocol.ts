/**
 * The embed's postMessage API: what a host page (the page with the
 * `<iframe src="embed.html?...">`) and the embed (src/embed.ts) send each
 * other. Types only: the embed and the client (src/embed-client.ts) both
 * compile against this module.
 *
 * Every message is a plain object with `overbox: 1`, which tells ours from
 * the other messages a page receives (and is the protocol's version).
 *
 * Who may talk: the embed's `origins` URL parameter lists the host pages'
 * origins (`origins=https://docs.example,https://www.docs.example`).
 * A request is acted on only if it comes from the embed's parent window, on
 * one of those origins, and the embed is in a frame; any other message is
 * ignored: never answered, never acted on. Without `origins` the API is
 * off: the embed is a terminal and nothing more. There is no wildcard.
 * Replies and events are posted to the parent with `targetOrigin` set to
 * an allowed origin (never "*"), so a parent on another origin gets none.
 *
 * Lifecycle:
 * 1. The embed downloads the image, opens the container and logs a shell
 *    in on its terminal; once the shell's first prompt is on the screen it
 *    types the `command` parameter, if any, into it, then posts `ready`.
 *    If the container cannot be opened it posts a `failed` event instead.
 * 2. A request (`exec`, `readFile`, `writeFile`, `reset`, `input`) carries
 *    an `id` of the host's choosing, and gets exactly one reply with the
 *    same `id`: `result` or `error`. Requests may overlap; replies come in
 *    the order the work ends. Send them after `ready`: before, the
 *    frame may still hold its previous page, which drops them (those
 *    that reach the embed before its container is open wait for it).
 * 3. Events: `output` (the terminal's screen) all along; `stdout`,
 *    `stderr` and then `exit` for an `exec` with `stream: true`, to the
 *    origin that asked.
 *
 * Bytes (`Uint8Array`) cross as copies (structured clone).
 */

/** Chosen by the host, echoed in the reply. */
export type RequestId = string | number;

interface Message {
  overbox: 1;
}

// ---- requests: host → embed -------------------------------------------------

/**
 * Runs `command` with `sh -c` (a string) or as argv (an array) in the
 * container, as root, beside the terminal's shell (not in it: the reader
 * does not see it run).
 *
 * Without `stream`, the reply is an `ExecResult` once the command has
 * ended. With `stream: true`, the reply is an `ExecStarted` as soon as it
 * runs; its output follows in `stdout` and `stderr` events and its end in
 * one `exit` event, all with the request's `id`, the `exit` last.
 */
export interface ExecRequest extends Message {
  id: RequestId;
  type: "exec";
  command: string | string[];
  /** Fed to the command's stdin, which is then closed (default: an empty stdin). */
  stdin?: string | Uint8Array;
  /** Working directory; default the image's. */
  cwd?: string;
  /** Added to (or replacing in) the image's environment. */
  env?: Record<string, string>;
  stream?: boolean;
}

/** A file's contents, by absolute path: as text (UTF-8, the default) or bytes. Reply: `FileResult`. */
export interface ReadFileRequest extends Message {
  id: RequestId;
  type: "readFile";
  path: string;
  as?: "text" | "bytes";
}

/** Creates or replaces a regular file (mode 0644 when created); text is written as UTF-8. Reply: `DoneResult`. */
export interface WriteFileRequest extends Message {
  id: RequestId;
  type: "writeFile";
  path: string;
  data: string | Uint8Array;
}

/**
 * Drops every change to the container: its programs are stopped, it is its
 * image again, and the terminal gets a clear screen and a new shell (the
 * `command` parameter is not typed again). Reply: `DoneResult`.
 */
export interface ResetRequest extends Message {
  id: RequestId;
  type: "reset";
}

/** Types `data` into the terminal, as keys ("ls\r" runs ls where the reader sees it). Reply: `DoneResult`. */
export interface InputRequest extends Message {
  id: RequestId;
  type: "input";
  data: string;
}

export type EmbedRequest =
  ExecRequest | ReadFileRequest | WriteFileRequest | ResetRequest | InputRequest;

// ---- replies: embed → host, one per request -----------------------------------

/** An `exec`'s end: its status (shell style: 128 + N when signal N killed it) and output as text. */
export interface ExecResult extends Message {
  id: RequestId;
  type: "result";
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** A streamed `exec` has started, as process `pid`. */
export interface ExecStarted extends Message {
  id: RequestId;
  type: "result";
  pid: number;
}

/** A `readFile`'s contents: a string, or a Uint8Array when asked `as: "bytes"`. */
export interface FileResult extends Message {
  id: RequestId;
  type: "result";
  data: string | Uint8Array;
}

/** `writeFile`, `reset` and `input` are done. */
export interface DoneResult extends Message {
  id: RequestId;
  type: "result";
}

/**
 * A request failed. `message` starts with an errno name when the container
 * said no ("ENOENT: no such file /x"); EINVAL for a malformed request (the
 * request's `id` is echoed when it has one, else `id` is null).
 */
export interface ErrorReply extends Message {
  id: RequestId | null;
  type: "error";
  message: string;
}

export type EmbedReply = ExecResult | ExecStarted | FileResult | DoneResult | ErrorReply;

// ---- events: embed → host --------------------------------------------------

/** The shell is up and the API answers. After a reload of the embed, sent again. */
export interface ReadyEvent extends Message {
  type: "ready";
  /**
   * The container open: the `container` parameter, or "ephemeral" when
   * the browser gives the embed no storage (a cross-site frame where
   * third-party storage is blocked), which the embed then says on its page.
   */
  container: string;
  image: string;
  /**
   * Changes are not saved: asked with `readonly`, the container is open in
   * another tab, or its storage is damaged.
   */
  readOnly: boolean;
  /** What is damaged in the container's storage, one line each; empty when it is sound. */
  damage: string[];
  /**
   * The browser had dropped the container's database and it was restored
   * from the container's replica, with every change saved before.
   */
  restored: boolean;
  /**
   * What this browser cannot do for the container here, one line each
   * (no replica, say); absent when nothing is missing.
   */
  unavailable?: string[];
}

/** The container could not be opened (no such image, a bad name...): no `ready` will come. */
export interface FailedEvent extends Message {
  type: "failed";
  message: string;
}

/**
 * What the terminal's screen is sent, decoded as UTF-8: the shell's
 * prompt and echo and its programs' output, escape sequences included
 * (the bytes xterm.js interprets). Not the output of `exec`.
 */
export interface OutputEvent extends Message {
  type: "output";
  data: string;
}

/** Output of a streamed `exec` (request `id`), decoded as UTF-8. */
export interface StreamEvent extends Message {
  type: "stdout" | "stderr";
  id: RequestId;
  data: string;
}

/** A streamed `exec` (request `id`) has ended with status `exitCode`; its output has all been sent. */
export interface ExitEvent extends Message {
  type: "exit";
  id: RequestId;
  exitCode: number;
}

export type EmbedEvent = ReadyEvent | FailedEvent | OutputEvent | StreamEvent | ExitEvent;

/** Everything the embed posts to the host. */
export type FromEmbed = EmbedReply | EmbedEvent;
