/**
 * The one error type of core/ (named after Emscripten's FS.ErrnoError):
 * the vfs, the layers, the stores and the process kernel throw `ErrnoError`
 * with a POSIX errno name; only the WASI glue (core/wasi/) turns it into a
 * WASI errno number.
 */
export type Errno =
  | "E2BIG"
  | "EACCES"
  | "EADDRINUSE"
  | "EADDRNOTAVAIL"
  | "EAFNOSUPPORT"
  | "EAGAIN"
  | "EBADF"
  | "EBUSY"
  | "ECHILD"
  | "ECONNREFUSED"
  | "EDESTADDRREQ"
  | "EEXIST"
  | "EFAULT"
  | "EFBIG"
  | "EINTR"
  | "EINVAL"
  | "EIO"
  | "EISCONN"
  | "EISDIR"
  | "ELOOP"
  | "EMFILE"
  | "EMLINK"
  | "ENAMETOOLONG"
  | "ENETUNREACH"
  | "ENOBUFS"
  | "ENODEV"
  | "ENOENT"
  | "ENOEXEC"
  | "ENOMEM"
  | "ENOSPC"
  | "ENOSYS"
  | "ENOTCAPABLE"
  | "ENOTCONN"
  | "ENOTDIR"
  | "ENOTEMPTY"
  | "ENOTSOCK"
  | "ENOTSUP"
  | "ENOTTY"
  | "ENXIO"
  | "EPERM"
  | "EPIPE"
  | "EPROTONOSUPPORT"
  | "ERANGE"
  | "EROFS"
  | "ESPIPE"
  | "ESRCH"
  | "EXDEV";

/**
 * A system call's answer other than success: thrown inside core/,
 * turned into an errno at the WASI boundary. It is an answer, not a bug,
 * and so has no stack trace: capturing one walks the program's wasm frames
 * too, and cost about 0.3 ms per process start (libc's scan of the fds
 * for preopens ends with EBADF).
 */
export class ErrnoError extends Error {
  readonly errno: Errno;
  /** What went wrong, in words, without the errno. */
  readonly detail: string;

  constructor(errno: Errno, detail?: string) {
    const v8 = Error as { stackTraceLimit?: number };
    const limit = v8.stackTraceLimit;
    v8.stackTraceLimit = 0;
    super(detail ? `${errno}: ${detail}` : errno);
    v8.stackTraceLimit = limit;
    this.errno = errno;
    this.detail = detail ?? "";
    this.name = "ErrnoError";
  }
}

/** What went wrong, in words for a user: an ErrnoError's detail (its errno if none), else the message. */
export function reason(e: unknown): string {
  if (e instanceof ErrnoError) return e.detail || e.errno;
  return e instanceof Error ? e.message : String(e);
}

/** Throws `ErrnoError(errno)`; for one-line guards. */
export function fail(errno: Errno, detail?: string): never {
  throw new ErrnoError(errno, detail);
}

/** What a call answers: "ok", or the errno of the ErrnoError it throws (for tests and comparisons). */
export function errnoOf(call: () => unknown): Errno | "ok" {
  try {
    call();
  } catch (e) {
    if (e instanceof ErrnoError) return e.errno;
    throw e;
  }
  return "ok";
}
