import { concat } from "../bytes.ts";
import { ErrnoError } from "../errno.ts";
import { InputStream, OutputStream } from "../kernel/open-file.ts";
import { Process, type OpenRequest } from "../kernel/process.ts";
import type { Filesystem } from "../vfs/filesystem.ts";
import { fnv1a } from "./tree.ts";
import type { Operation } from "./scenarios.ts";

/** What one operation answered: "ok" or an errno, and for reads what they saw. */
export interface Outcome {
  result: string;
  /** read: size and hash of the content; readdir: the names, sorted. */
  output?: string;
}

/** A process of uid 0 and umask 022 (both sides of a comparison use it), to make operations with. */
export function operator(fs: Filesystem): Process {
  return new Process(fs, ["operator"], [], "/", [
    new InputStream(new Uint8Array(0)),
    new OutputStream(),
    new OutputStream(),
  ]);
}

/**
 * Makes one scenario operation as the system calls a program would make
 * (scenarios.ts says which), and answers what it gave. WouldBlock passes
 * through: the caller waits and makes the operation again.
 */
export function applyOperation(proc: Process, op: Operation): Outcome {
  return outcomeOf(() => ourOp(proc, op));
}

/** File descriptor 3 is the root directory; paths are absolute. */
const ROOT_FD = 3;

function openRequest(changes: Partial<OpenRequest>): OpenRequest {
  return {
    follow: true,
    create: false,
    exclusive: false,
    truncate: false,
    directory: false,
    read: false,
    write: false,
    append: false,
    mode: 0o666,
    ...changes,
  };
}

function ourOp(proc: Process, op: Operation): string | undefined {
  const withFile = <T>(req: Partial<OpenRequest>, path: string, use: (fd: number) => T): T => {
    const fd = proc.open(ROOT_FD, path, openRequest(req));
    try {
      return use(fd);
    } finally {
      proc.close(fd);
    }
  };
  const bytes = (s: string) => new TextEncoder().encode(s);
  switch (op.op) {
    case "write":
      withFile({ write: true, create: true, truncate: op.offset === undefined }, op.path, (fd) =>
        op.offset === undefined
          ? proc.write(fd, bytes(op.data))
          : proc.pwrite(fd, bytes(op.data), op.offset),
      );
      return;
    case "append":
      withFile({ write: true, create: true, append: true }, op.path, (fd) =>
        proc.write(fd, bytes(op.data)),
      );
      return;
    case "create":
      // As wasi-libc asks for it: O_CREAT | O_EXCL with the symlink-follow flag set.
      withFile(
        { write: true, create: true, exclusive: true, mode: op.mode ?? 0o666 },
        op.path,
        () => 0,
      );
      return;
    case "truncate":
      withFile({ read: true, write: true }, op.path, (fd) => proc.ftruncate(fd, op.size));
      return;
    case "mkdir":
      proc.mkdir(ROOT_FD, op.path, op.mode ?? 0o777);
      return;
    case "rmdir":
      proc.rmdir(ROOT_FD, op.path);
      return;
    case "unlink":
      proc.unlink(ROOT_FD, op.path);
      return;
    case "rename":
      proc.rename(ROOT_FD, op.from, ROOT_FD, op.to);
      return;
    case "link":
      proc.link(ROOT_FD, op.from, false, ROOT_FD, op.to);
      return;
    case "symlink":
      proc.symlink(op.target, ROOT_FD, op.path);
      return;
    case "chmod":
      proc.setattr(ROOT_FD, op.path, true, { mode: op.mode });
      return;
    case "chown":
      proc.chown(ROOT_FD, op.path, false, op.uid, op.gid);
      return;
    case "mkfifo":
      proc.mknod(ROOT_FD, op.path, "fifo", 0o666, 0);
      return;
    case "read":
      return withFile({ read: true }, op.path, (fd) => {
        const chunks: Uint8Array[] = [];
        for (let chunk = proc.read(fd, 65536); chunk.length > 0; chunk = proc.read(fd, 65536)) {
          chunks.push(chunk.slice());
        }
        return contentSummary(concat(chunks));
      });
    case "readdir":
      return withFile({ read: true, directory: true }, op.path, (fd) =>
        proc
          .readdir(fd, 0)
          .map((e) => e.name)
          .filter((n) => n !== "." && n !== "..")
          .sort()
          .join(" "),
      );
  }
}

export function outcomeOf(run: () => string | undefined): Outcome {
  try {
    const output = run();
    return output === undefined ? { result: "ok" } : { result: "ok", output };
  } catch (e) {
    if (e instanceof ErrnoError) return { result: e.errno };
    // Node's fs errors, for the Linux side of a comparison.
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^E[A-Z]+$/.test(code)) return { result: code };
    throw e;
  }
}

export function contentSummary(bytes: Uint8Array): string {
  return `${bytes.length} bytes, hash ${fnv1a(bytes)}`;
}
