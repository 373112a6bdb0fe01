/**
 * The messages between the page (src/) and the kernel worker (worker/entry.ts).
 * Types only: both sides compile against this module, so a change to the
 * protocol is a compile error on the side that did not follow.
 */
export interface RunRequest {
  id: number;
  /** argv; argv[0] is searched in PATH. */
  args: string[];
  stdin?: string;
  /** Working directory; default the image's. */
  cwd?: string;
}

export interface RunReply {
  id: number;
  status: number;
  stdout: string;
  stderr: string;
  /** Set when the kernel could not run the program at all. */
  error?: string;
}
