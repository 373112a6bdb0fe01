import { fail, ErrnoError } from "../errno.ts";
import type {
  AttrChanges,
  DirEntry,
  Filesystem,
  NewNode,
  Stat,
  Timestamp,
} from "../vfs/filesystem.ts";
import { resolve, resolveExisting, type Resolved } from "../vfs/resolve.ts";
import { DeviceFile, isTerminalDevice } from "./devices.ts";
import { InodeFile, type OpenFile, type Whence } from "./open-file.ts";
import { bit, SIGPIPE, SignalState } from "./signals.ts";
import { TtyFile, type Tty } from "./tty.ts";

export interface OpenRequest {
  /** Follow a symlink in the last component (no O_NOFOLLOW). */
  follow: boolean;
  create: boolean;
  exclusive: boolean;
  truncate: boolean;
  directory: boolean;
  read: boolean;
  write: boolean;
  append: boolean;
  /** Permission bits for a created file, before the umask. */
  mode: number;
}

/**
 * Thrown out of the running program when it exits. Not an Error: it needs
 * no stack trace, whose capture walks the program's wasm frames (as
 * program.ts's ExecRequest and Killed).
 */
export class ProcessExit {
  constructor(readonly status: number) {}
}

/**
 * One process: its fd table, umask, arguments, environment and working
 * directory, its place among processes (pid, parent, group, session,
 * controlling terminal), its signal state, and the file system calls it
 * makes, expressed over the vfs. The WASI glue translates to and from wasm
 * memory and calls these methods; it holds no logic. The process calls
 * (fork, exec, wait, kill) are the kernel's (kernel.ts).
 *
 * The fd table maps small numbers to shared open file descriptions. fd 3 is
 * the preopened root directory (WASI's only way in to a filesystem);
 * wasi-libc turns every absolute or cwd-relative path into a path relative
 * to it.
 */
export class Process {
  readonly fds = new Map<number, OpenFile>();
  /** Names of the preopened directories, by fd. */
  readonly preopens = new Map<number, string>();
  /** fds closed by exec (FD_CLOEXEC). */
  readonly cloexec = new Set<number>();
  umask = 0o022;
  /** The program file running (/proc/PID/exe): for a `#!` script, its interpreter. */
  exe = "";
  /** The command name (/proc/PID/comm): the last component of the file exec was given. */
  comm = "";
  /** The niceness (-20..19): fork copies it, exec keeps it; nothing schedules by it yet. */
  nice = 0;
  readonly uid = 0;
  readonly gid = 0;
  pid = 1;
  pgid = 1;
  sid = 1;
  /** The controlling terminal: what /dev/tty opens, where Ctrl-C comes from. */
  tty: Tty | null = null;
  signals = new SignalState();
  /**
   * The deadline (performance.now() ms) of a call with a timeout that was
   * paused (poll, nanosleep), kept so that the call made again on resuming
   * waits for what is left, not for the whole timeout again. Cleared when a
   * call completes.
   */
  deadline: number | null = null;
  /**
   * Until when (performance.now() ms) it runs without yielding its time
   * slice: it read what a user typed (Tty.read) and is answering.
   */
  interactiveUntil = 0;

  constructor(
    readonly fs: Filesystem,
    public args: string[],
    public env: string[],
    /** The working directory (an absolute path); libc resolves relative paths itself and tells us of chdir. */
    public cwd: string,
    stdio: [OpenFile, OpenFile, OpenFile] | null,
  ) {
    if (!stdio) return; // a fork child: its parent's fds are copied in (forkFrom)
    stdio.forEach((f, i) => this.fds.set(i, f));
    this.fds.set(3, new InodeFile(fs, fs.root, true, false));
    this.preopens.set(3, "/");
  }

  /** A fork child's copy of this process's fds, umask, group and signal state. */
  forkInto(child: Process): void {
    for (const [fd, f] of this.fds) child.fds.set(fd, f.hold());
    for (const [fd, name] of this.preopens) child.preopens.set(fd, name);
    for (const fd of this.cloexec) child.cloexec.add(fd);
    child.umask = this.umask;
    child.nice = this.nice;
    child.exe = this.exe;
    child.comm = this.comm;
    child.pgid = this.pgid;
    child.sid = this.sid;
    child.tty = this.tty;
    child.signals = this.signals.clone();
  }

  /**
   * What exec changes: close-on-exec fds are closed, caught signals go back
   * to default, and the new program gets a preopened root if it has none
   * (its libc finds preopens by probing fds from 3 up).
   */
  exec(args: string[], env: string[], file: { exe: string; comm: string }): void {
    this.exe = file.exe;
    this.comm = file.comm;
    for (const fd of [...this.cloexec]) if (this.fds.has(fd)) this.close(fd);
    this.cloexec.clear();
    this.signals.exec();
    this.args = args;
    this.env = env;
    if (this.preopens.size === 0) {
      let fd = 3;
      while (this.fds.has(fd)) fd++;
      this.fds.set(fd, new InodeFile(this.fs, this.fs.root, true, false));
      this.preopens.set(fd, "/");
    }
  }

  /**
   * What WASI's fd_prestat_get answers for `fd`: the name of a preopened
   * directory; null for an ordinary open fd numbered below a preopen (one
   * inherited across exec, like a shell's `exec 3>file`: wasi-libc probes
   * fds from 3 up and stops at the first EBADF, so this one must not be
   * EBADF for the preopen above it to be found); EBADF otherwise.
   */
  preopenAt(fd: number): string | null {
    const name = this.preopens.get(fd);
    if (name !== undefined) return name;
    if (this.fds.has(fd) && [...this.preopens.keys()].some((p) => p > fd)) return null;
    fail("EBADF");
  }

  file(fd: number): OpenFile {
    const f = this.fds.get(fd);
    if (!f) fail("EBADF");
    return f;
  }

  close(fd: number): void {
    this.file(fd).drop();
    this.fds.delete(fd);
    this.preopens.delete(fd);
    this.cloexec.delete(fd);
  }

  /** WASI's fd_renumber: moves `from` onto `to`, closing what `to` held. */
  renumber(from: number, to: number): void {
    const f = this.file(from);
    this.file(to);
    if (from === to) return;
    const cloexec = this.cloexec.has(from);
    this.close(to);
    this.fds.set(to, f);
    this.fds.delete(from);
    this.cloexec.delete(from);
    if (cloexec) this.cloexec.add(to);
  }

  /** dup and F_DUPFD: the lowest free fd from `min` on, sharing the open file. */
  dup(fd: number, min = 0): number {
    const f = this.file(fd);
    let to = min;
    while (this.fds.has(to)) to++;
    this.fds.set(to, f.hold());
    return to;
  }

  /** dup2: `to` refers to what `fd` does, after closing what it held. */
  dup2(fd: number, to: number): void {
    const f = this.file(fd);
    if (fd === to) return;
    if (to < 0) fail("EBADF");
    if (this.fds.has(to)) this.close(to);
    this.fds.set(to, f.hold());
  }

  /** Closes every fd, as exit does. */
  closeAll(): void {
    for (const fd of [...this.fds.keys()]) this.close(fd);
  }

  fsync(fd: number): void {
    const node = this.file(fd).inode;
    if (node) node.fs.fsync(node.ino);
  }

  open(dirfd: number, path: string, req: OpenRequest): number {
    const fs = this.fs;
    // O_CREAT | O_EXCL never follows a symlink: a dangling one is EEXIST.
    const follow = req.follow && !(req.create && req.exclusive);
    const r = resolve(fs, this.dirIno(dirfd), path, { follow });
    let ino = r.ino;
    if (ino === null) {
      if (!req.create) fail("ENOENT", path);
      // A name that must be a directory (`missing/`, or a link to one) is not created as a file.
      if (req.directory || r.trailingSlash) fail("EISDIR", path);
      ino = fs.create(r.dir, r.name, {
        type: "file",
        mode: req.mode & 0o7777 & ~this.umask,
        ...this.ownerIn(r.dir),
      });
    } else {
      if (req.create && req.exclusive) fail("EEXIST", path);
      const found = fs.typeOf(ino);
      if (found === "symlink") fail("ELOOP", path); // O_NOFOLLOW on a symlink
      if (req.directory && found !== "directory") fail("ENOTDIR", path);
      if (found === "directory" && req.write) fail("EISDIR", path);
      if (req.truncate && req.write && found === "file") fs.truncate(ino, 0);
    }
    const type = fs.typeOf(ino);
    const file =
      type !== "chardev"
        ? new InodeFile(fs, ino, req.read || type === "directory", req.write)
        : isTerminalDevice(fs.stat(ino).rdev)
          ? this.openTerminal(ino, req)
          : new DeviceFile(fs, ino, req.read, req.write);
    file.append = req.append;
    return this.install(file);
  }

  /** /dev/tty and /dev/console: the controlling terminal. */
  private openTerminal(ino: number, req: OpenRequest): OpenFile {
    if (!this.tty) fail("ENXIO", "no controlling terminal");
    return new TtyFile(this.tty, { fs: this.fs, ino }, req.read, req.write);
  }

  install(file: OpenFile): number {
    let fd = 0;
    while (this.fds.has(fd)) fd++;
    this.fds.set(fd, file);
    return fd;
  }

  read(fd: number, length: number): Uint8Array {
    const f = this.file(fd);
    if (f instanceof TtyFile) return f.readAs(this, length);
    return f.read(length);
  }

  /** A write to a pipe nobody reads is EPIPE, and SIGPIPE (which kills, unless ignored or caught). */
  write(fd: number, data: Uint8Array): number {
    try {
      return this.file(fd).write(data);
    } catch (e) {
      if (e instanceof ErrnoError && e.errno === "EPIPE") this.raise(SIGPIPE);
      throw e;
    }
  }

  /** A signal to this process from itself (SIGPIPE): pending, delivered on the way out of the call. */
  raise(sig: number): void {
    if (!this.signals.discards(sig)) this.signals.pending |= bit(sig);
  }

  pread(fd: number, length: number, offset: number): Uint8Array {
    return this.file(fd).pread(length, offset);
  }

  pwrite(fd: number, data: Uint8Array, offset: number): number {
    return this.file(fd).pwrite(data, offset);
  }

  seek(fd: number, offset: number, whence: Whence): number {
    return this.file(fd).seek(offset, whence);
  }

  fstat(fd: number): Stat {
    return this.file(fd).stat();
  }

  stat(dirfd: number, path: string, follow: boolean): Stat {
    return this.fs.stat(resolveExisting(this.fs, this.dirIno(dirfd), path, { follow }));
  }

  ftruncate(fd: number, size: number): void {
    const f = this.file(fd);
    if (!f.writable) fail("EINVAL");
    const node = this.inodeOf(f);
    node.fs.truncate(node.ino, size);
  }

  fsetattr(fd: number, changes: AttrChanges): void {
    const node = this.inodeOf(this.file(fd));
    node.fs.setattr(node.ino, changes);
  }

  setattr(dirfd: number, path: string, follow: boolean, changes: AttrChanges): void {
    this.fs.setattr(resolveExisting(this.fs, this.dirIno(dirfd), path, { follow }), changes);
  }

  /**
   * Ownership change: -1 leaves a field as it is. As Linux does, it clears
   * setuid, and setgid when group execute is set (without it, setgid marks
   * mandatory locking and stays), on anything but a directory or symlink.
   */
  chownChanges(ino: number, uid: number, gid: number): AttrChanges {
    const st = this.fs.stat(ino);
    const changes: AttrChanges = {};
    if (uid !== -1) changes.uid = uid;
    if (gid !== -1) changes.gid = gid;
    if (st.type !== "directory" && st.type !== "symlink") {
      const cleared = st.mode & 0o010 ? 0o6000 : 0o4000;
      changes.mode = st.mode & ~cleared;
    }
    return changes;
  }

  /**
   * The owner of a new object in directory `dir`: this process, but with the
   * directory's group when the directory is setgid (as Linux does).
   */
  private ownerIn(dir: number): { uid: number; gid: number } {
    const st = this.fs.stat(dir);
    return { uid: this.uid, gid: st.mode & 0o2000 ? st.gid : this.gid };
  }

  chown(dirfd: number, path: string, follow: boolean, uid: number, gid: number): void {
    const ino = resolveExisting(this.fs, this.dirIno(dirfd), path, { follow });
    this.fs.setattr(ino, this.chownChanges(ino, uid, gid));
  }

  fchown(fd: number, uid: number, gid: number): void {
    const node = this.inodeOf(this.file(fd));
    node.fs.setattr(node.ino, this.chownChanges(node.ino, uid, gid));
  }

  mkdir(dirfd: number, path: string, mode: number): void {
    const r = resolve(this.fs, this.dirIno(dirfd), path, { follow: false });
    if (r.ino !== null) fail("EEXIST", path);
    // mkdir takes permissions and sticky, not setuid or setgid; a new
    // directory in a setgid one inherits setgid, as on Linux.
    const inherited = this.fs.stat(r.dir).mode & 0o2000;
    this.fs.mkdir(r.dir, r.name, (mode & 0o1777 & ~this.umask) | inherited, this.ownerIn(r.dir));
  }

  /**
   * The socket file naming a Unix socket bound to `path` (absolute, or
   * from the working directory): made, with `mode` less the umask;
   * EADDRINUSE if the name is taken, as Linux says.
   */
  makeSocketFile(path: string, mode: number): number {
    const r = resolve(this.fs, this.cwdIno(), path, { follow: false });
    if (r.ino !== null) fail("EADDRINUSE", `${path} exists`);
    if (path.endsWith("/")) fail("ENOENT", path);
    return this.fs.create(r.dir, r.name, {
      type: "socket",
      mode: mode & 0o7777 & ~this.umask,
      ...this.ownerIn(r.dir),
    });
  }

  /** The socket file at `path` (to connect to): ECONNREFUSED if it is another kind of file. */
  socketFile(path: string): number {
    const ino = resolveExisting(this.fs, this.cwdIno(), path, { follow: true });
    if (this.fs.typeOf(ino) !== "socket") fail("ECONNREFUSED", `${path} is not a socket`);
    return ino;
  }

  private cwdIno(): number {
    return resolveExisting(this.fs, this.fs.root, this.cwd, { follow: true });
  }

  /** Makes a fifo, device or socket node (mknod; mkfifo). */
  mknod(dirfd: number, path: string, type: NewNode["type"], mode: number, rdev: number): void {
    const r = this.newName(dirfd, path);
    this.fs.create(r.dir, r.name, {
      type,
      mode: mode & 0o7777 & ~this.umask,
      ...this.ownerIn(r.dir),
      rdev,
    });
  }

  symlink(target: string, dirfd: number, path: string): void {
    const r = this.newName(dirfd, path);
    this.fs.symlink(r.dir, r.name, target, this.ownerIn(r.dir));
  }

  readlink(dirfd: number, path: string): string {
    return this.fs.readlink(resolveExisting(this.fs, this.dirIno(dirfd), path, { follow: false }));
  }

  link(fromDirfd: number, fromPath: string, follow: boolean, toDirfd: number, toPath: string) {
    const ino = resolveExisting(this.fs, this.dirIno(fromDirfd), fromPath, { follow });
    const r = this.newName(toDirfd, toPath);
    this.fs.link(r.dir, r.name, ino);
  }

  unlink(dirfd: number, path: string): void {
    const r = resolve(this.fs, this.dirIno(dirfd), path, { follow: false });
    if (r.ino === null) fail("ENOENT", path);
    if (path.endsWith("/")) fail(this.fs.typeOf(r.ino) === "directory" ? "EISDIR" : "ENOTDIR");
    this.fs.unlink(r.dir, r.name);
  }

  rmdir(dirfd: number, path: string): void {
    const r = resolve(this.fs, this.dirIno(dirfd), path, { follow: false });
    if (r.ino === null) fail("ENOENT", path);
    this.fs.rmdir(r.dir, r.name);
  }

  rename(fromDirfd: number, fromPath: string, toDirfd: number, toPath: string): void {
    const from = resolve(this.fs, this.dirIno(fromDirfd), fromPath, { follow: false });
    if (from.ino === null) fail("ENOENT", fromPath);
    const to = resolve(this.fs, this.dirIno(toDirfd), toPath, { follow: false });
    // A trailing slash says "directory": a file cannot be renamed to or from one.
    if (toPath.endsWith("/") && this.fs.typeOf(from.ino) !== "directory") {
      fail("ENOTDIR", fromPath);
    }
    this.fs.rename(from.dir, from.name, to.dir, to.name);
  }

  /**
   * Where a new non-directory named `path` goes: EEXIST if the name is
   * taken, ENOENT if the path ends in a slash (only a directory may).
   */
  private newName(dirfd: number, path: string): Resolved {
    const r = resolve(this.fs, this.dirIno(dirfd), path, { follow: false });
    if (r.ino !== null) fail("EEXIST", path);
    if (path.endsWith("/")) fail("ENOENT", path);
    return r;
  }

  readdir(fd: number, cookie: number): DirEntry[] {
    const f = this.file(fd);
    if (!(f instanceof InodeFile)) fail("ENOTDIR");
    return f.entries(cookie);
  }

  setTimes(dirfd: number, path: string, follow: boolean, atime?: Timestamp, mtime?: Timestamp) {
    this.setattr(dirfd, path, follow, { atime, mtime });
  }

  /**
   * WASI's sandbox for `path` relative to `dirfd` (core/wasi/preview1.ts):
   * ENOTCAPABLE if it climbs above that directory with `..`, in the path
   * or a relative symlink's target (resolve.ts's `beneath`). Nothing to
   * check from the root; any other error is left to the call itself.
   */
  checkBeneath(dirfd: number, path: string, followLast: boolean): void {
    let start: number;
    try {
      start = this.dirIno(dirfd);
    } catch {
      return;
    }
    if (start === this.fs.root) return;
    try {
      resolve(this.fs, start, path, { follow: followLast, beneath: true });
    } catch (e) {
      if (e instanceof ErrnoError && e.errno === "ENOTCAPABLE") throw e;
    }
  }

  private dirIno(dirfd: number): number {
    const f = this.file(dirfd);
    const node = f.inode;
    if (!node || node.fs.typeOf(node.ino) !== "directory") fail("ENOTDIR");
    return node.ino;
  }

  private inodeOf(f: OpenFile): { fs: Filesystem; ino: number } {
    const node = f.inode;
    if (!node) fail("EINVAL");
    return node;
  }
}
