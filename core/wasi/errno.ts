import { wasi } from "@bjorn3/browser_wasi_shim";
import { ErrnoError, type Errno } from "../errno.ts";

/** WASI's errno numbers for the kernel's errno names. */
const numbers: Record<Errno, number> = {
  E2BIG: wasi.ERRNO_2BIG,
  EACCES: wasi.ERRNO_ACCES,
  EADDRINUSE: wasi.ERRNO_ADDRINUSE,
  EADDRNOTAVAIL: wasi.ERRNO_ADDRNOTAVAIL,
  EAFNOSUPPORT: wasi.ERRNO_AFNOSUPPORT,
  EAGAIN: wasi.ERRNO_AGAIN,
  EBADF: wasi.ERRNO_BADF,
  EBUSY: wasi.ERRNO_BUSY,
  ECHILD: wasi.ERRNO_CHILD,
  ECONNREFUSED: wasi.ERRNO_CONNREFUSED,
  EDESTADDRREQ: wasi.ERRNO_DESTADDRREQ,
  EEXIST: wasi.ERRNO_EXIST,
  EFAULT: wasi.ERRNO_FAULT,
  EFBIG: wasi.ERRNO_FBIG,
  EINTR: wasi.ERRNO_INTR,
  EINVAL: wasi.ERRNO_INVAL,
  EIO: wasi.ERRNO_IO,
  EISCONN: wasi.ERRNO_ISCONN,
  EISDIR: wasi.ERRNO_ISDIR,
  ELOOP: wasi.ERRNO_LOOP,
  EMFILE: wasi.ERRNO_MFILE,
  EMLINK: wasi.ERRNO_MLINK,
  ENAMETOOLONG: wasi.ERRNO_NAMETOOLONG,
  ENETUNREACH: wasi.ERRNO_NETUNREACH,
  ENOBUFS: wasi.ERRNO_NOBUFS,
  ENODEV: wasi.ERRNO_NODEV,
  ENOENT: wasi.ERRNO_NOENT,
  ENOEXEC: wasi.ERRNO_NOEXEC,
  ENOMEM: wasi.ERRNO_NOMEM,
  ENOSPC: wasi.ERRNO_NOSPC,
  ENOSYS: wasi.ERRNO_NOSYS,
  ENOTCAPABLE: wasi.ERRNO_NOTCAPABLE,
  ENOTCONN: wasi.ERRNO_NOTCONN,
  ENOTDIR: wasi.ERRNO_NOTDIR,
  ENOTEMPTY: wasi.ERRNO_NOTEMPTY,
  ENOTSOCK: wasi.ERRNO_NOTSOCK,
  ENOTSUP: wasi.ERRNO_NOTSUP,
  ENOTTY: wasi.ERRNO_NOTTY,
  ENXIO: wasi.ERRNO_NXIO,
  EPERM: wasi.ERRNO_PERM,
  EPIPE: wasi.ERRNO_PIPE,
  EPROTONOSUPPORT: wasi.ERRNO_PROTONOSUPPORT,
  ERANGE: wasi.ERRNO_RANGE,
  EROFS: wasi.ERRNO_ROFS,
  ESPIPE: wasi.ERRNO_SPIPE,
  ESRCH: wasi.ERRNO_SRCH,
  EXDEV: wasi.ERRNO_XDEV,
};

/** WASI's (and so wasi-libc's) number for an errno name. */
export function errnoNumber(errno: Errno): number {
  return numbers[errno];
}

/**
 * The one place where ErrnoErrors become WASI errno numbers. A system call
 * body runs inside `syscall`; an `ErrnoError` becomes its errno, the
 * program's exit passes through, and anything else is a bug and is
 * rethrown so that it is seen, not hidden as EIO.
 */
export function syscall(body: () => number | void): number {
  try {
    return body() ?? wasi.ERRNO_SUCCESS;
  } catch (e) {
    if (e instanceof ErrnoError) return numbers[e.errno];
    throw e;
  }
}
