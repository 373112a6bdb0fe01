import { fail } from "../errno.ts";
import type { Filesystem, Stat } from "../vfs/filesystem.ts";
import { now } from "../vfs/filesystem.ts";
import { WouldBlock } from "../vfs/would-block.ts";
import { Changes } from "./changes.ts";
import { nextStreamIno, OpenFile, type Readiness } from "./open-file.ts";
import type { Process } from "./process.ts";
import { bit, SIGHUP, SIGINT, SIGQUIT, SIGTSTP, SIGTTIN, SIGWINCH } from "./signals.ts";

/** How long a process that read typed input runs before it yields its time slice. */
const INTERACTIVE_MS = 50;

/** Linux's struct termios, field by field (<asm-generic/termbits.h>). */
export interface Termios {
  iflag: number;
  oflag: number;
  cflag: number;
  lflag: number;
  line: number;
  /** The control characters, indexed by V* (32 of them). */
  cc: Uint8Array;
  ispeed: number;
  ospeed: number;
}

// c_iflag
const ICRNL = 0o400;
const IGNCR = 0o200;
const INLCR = 0o100;
const IXON = 0o2000;
const IUTF8 = 0o40000;
// c_oflag
const OPOST = 0o1;
const ONLCR = 0o4;
// c_lflag
const ISIG = 0o1;
const ICANON = 0o2;
const ECHO = 0o10;
const ECHOE = 0o20;
const ECHOK = 0o40;
const ECHONL = 0o100;
const ECHOCTL = 0o1000;
const ECHOKE = 0o4000;
const IEXTEN = 0o100000;
// c_cc indexes
const VINTR = 0;
const VQUIT = 1;
const VERASE = 2;
const VKILL = 3;
const VEOF = 4;
const VTIME = 5;
const VMIN = 6;
const VSUSP = 10;
const VEOL = 11;
const VWERASE = 14;
const VLNEXT = 15;
const B38400 = 0o17;

/** A new terminal's settings, as Linux gives them (stty sane). */
export function saneTermios(): Termios {
  const cc = new Uint8Array(32);
  cc.set([3, 0x1c, 0x7f, 0x15, 4, 0, 1, 0, 0x11, 0x13, 0x1a, 0, 0x12, 0x0f, 0x17, 0x16, 0]);
  return {
    iflag: ICRNL | IXON | IUTF8,
    oflag: OPOST | ONLCR,
    cflag: B38400 | 0o60 /* CS8 */ | 0o200 /* CREAD */,
    lflag: ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN,
    line: 0,
    cc,
    ispeed: B38400,
    ospeed: B38400,
  };
}

export interface Winsize {
  rows: number;
  cols: number;
}

/** What a terminal needs from the kernel: signalling a process group, and the processes (job control). */
export interface TtyOwner {
  signalGroup(pgid: number, sig: number): void;
  processes(): Process[];
}

/**
 * A terminal: the line discipline between a screen and keyboard (xterm.js
 * in the page, the host's terminal for the CLI) and the programs that read
 * and write it (Linux's n_tty).
 *
 * In canonical mode (ICANON) input is edited a line at a time (erase, kill,
 * word erase) and a read returns at most one line; Ctrl-D at the start of a
 * line is end of file. With ISIG, Ctrl-C, Ctrl-\ and Ctrl-Z send SIGINT,
 * SIGQUIT and SIGTSTP to the foreground process group. ECHO echoes what is
 * typed; OPOST|ONLCR turns "\n" into "\r\n" on output. Raw mode (what ash's
 * line editor, vi and less use) hands every byte over as it comes, VMIN and
 * VTIME deciding when a read returns.
 */
export class Tty {
  termios = saneTermios();
  winsize: Winsize = { rows: 24, cols: 80 };
  /** The session that owns this terminal, and its foreground process group (0: none). */
  session = 0;
  foreground = 0;
  readonly ino = nextStreamIno();
  /** Input ready to be read (canonical: completed lines). */
  private ready: number[] = [];
  /** Canonical mode: the line being edited. */
  private line: number[] = [];
  /** Ctrl-D seen at the start of a line: the next read returns 0. */
  private eofs = 0;
  private lnext = false;
  private readonly changes = new Changes();
  /** A raw read's VTIME ran out with nothing typed: the read returns 0. */
  private timedOut = false;
  /** Set when the host's end of the terminal has gone (no more input, ever). */
  private hungUp = false;

  constructor(
    /** Where output goes (the screen). */
    private readonly output: (data: Uint8Array) => void,
    readonly owner: TtyOwner,
    /**
     * Null while the screen takes more output; else a promise for when it
     * will (it is behind, drawing what it was sent). Programs' writes wait
     * for it, so a flood of output runs at the screen's pace.
     */
    readonly room: () => Promise<unknown> | null = () => null,
  ) {}

  /** Bytes typed at the keyboard. */
  input(data: Uint8Array): void {
    const t = this.termios;
    for (let c of data) {
      if (this.lnext) {
        this.lnext = false;
        this.accept(c);
        continue;
      }
      if (c === 13 && t.iflag & IGNCR) continue;
      if (c === 13 && t.iflag & ICRNL) c = 10;
      else if (c === 10 && t.iflag & INLCR) c = 13;
      if (t.lflag & ISIG) {
        const sig =
          c === t.cc[VINTR]
            ? SIGINT
            : c === t.cc[VQUIT]
              ? SIGQUIT
              : c === t.cc[VSUSP]
                ? SIGTSTP
                : 0;
        if (sig && c !== 0) {
          this.line = [];
          this.ready = [];
          this.echoControl(c);
          if (this.foreground) this.owner.signalGroup(this.foreground, sig);
          continue;
        }
      }
      if (t.lflag & ICANON) {
        if (c === t.cc[VLNEXT] && t.lflag & IEXTEN) {
          this.lnext = true;
          continue;
        }
        if (c === t.cc[VERASE] || c === 8) {
          this.erase(1);
          continue;
        }
        if (c === t.cc[VWERASE] && t.lflag & IEXTEN) {
          let n = 0;
          while (n < this.line.length && this.line[this.line.length - 1 - n] === 32) n++;
          while (n < this.line.length && this.line[this.line.length - 1 - n] !== 32) n++;
          this.erase(n);
          continue;
        }
        if (c === t.cc[VKILL]) {
          this.erase(this.line.length);
          continue;
        }
        if (c === t.cc[VEOF]) {
          if (this.line.length === 0) this.eofs++;
          this.ready.push(...this.line);
          this.line = [];
          this.notify();
          continue;
        }
      }
      this.accept(c);
    }
  }

  // ---- job control: the session and its foreground group -------------------
  // The rules of Linux's tty_jobctrl.c; the ioctls (TIOCSCTTY, TIOCSPGRP,
  // ...) only translate to these.

  /** `proc` takes this terminal as its controlling terminal (TIOCSCTTY): a session leader's, if no other session has it. */
  makeControlling(proc: Process): void {
    if (proc.sid !== proc.pid || (this.session && this.session !== proc.sid)) fail("EPERM");
    this.attach(proc);
  }

  /** The session of `proc` (its leader) owns this terminal from now on, `proc`'s group in the foreground. */
  attach(proc: Process): void {
    this.session = proc.sid;
    this.foreground = proc.pgid;
    proc.tty = this;
  }

  /** `proc` gives up its controlling terminal (TIOCNOTTY). */
  detach(proc: Process): void {
    this.controlledBy(proc);
    proc.tty = null;
  }

  /** The foreground group, as `proc` may ask it (TIOCGPGRP). */
  foregroundFor(proc: Process): number {
    return this.controlledBy(proc).foreground;
  }

  /** The session, as `proc` may ask it (TIOCGSID). */
  sessionFor(proc: Process): number {
    return this.controlledBy(proc).session;
  }

  /** `proc` puts group `pgrp` of its own session in the foreground (TIOCSPGRP). */
  setForeground(proc: Process, pgrp: number): void {
    this.controlledBy(proc);
    if (!this.owner.processes().some((p) => p.pgid === pgrp && p.sid === proc.sid)) fail("EPERM");
    this.foreground = pgrp;
  }

  /**
   * The session leader `proc` ended: if this is its controlling terminal,
   * the session lets go of it, and the foreground group (unless its own)
   * hears SIGHUP.
   */
  leaderExited(proc: Process): void {
    if (proc.sid !== proc.pid || this.session !== proc.sid) return;
    const fg = this.foreground;
    this.session = 0;
    this.foreground = 0;
    if (fg && fg !== proc.pgid) this.owner.signalGroup(fg, SIGHUP);
  }

  /** This terminal, if it is `proc`'s controlling terminal; ENOTTY otherwise. */
  private controlledBy(proc: Process): this {
    if (proc.tty !== this) fail("ENOTTY");
    return this;
  }

  /** The host's terminal resized: programs hear SIGWINCH. */
  resize(size: Winsize): void {
    this.winsize = { ...size };
    if (this.foreground) this.owner.signalGroup(this.foreground, SIGWINCH);
  }

  /** No more input will come: readers get end of file. */
  hangUp(): void {
    this.hungUp = true;
    this.notify();
  }

  private accept(c: number): void {
    const t = this.termios;
    if (!(t.lflag & ICANON)) {
      this.ready.push(c);
      if (t.lflag & ECHO) this.echo([c]);
      this.notify();
      return;
    }
    this.line.push(c);
    if (t.lflag & ECHO) {
      if (c < 32 && c !== 10 && c !== 9 && t.lflag & ECHOCTL) this.echoControl(c);
      else this.echo([c]);
    } else if (c === 10 && t.lflag & ECHONL) this.echo([10]);
    if (c === 10 || (c === t.cc[VEOL] && c !== 0)) {
      this.ready.push(...this.line);
      this.line = [];
      this.notify();
    }
  }

  private erase(n: number): void {
    const t = this.termios;
    for (let i = 0; i < n && this.line.length > 0; i++) {
      const c = this.line.pop()!;
      if (t.lflag & ECHO && t.lflag & ECHOE) {
        // A control character was echoed as two cells (^X).
        const cells = c < 32 && t.lflag & ECHOCTL ? 2 : 1;
        this.echo(new Array<number>(cells).fill(0).flatMap(() => [8, 32, 8]));
      }
    }
  }

  private echoControl(c: number): void {
    if (!(this.termios.lflag & ECHO)) return;
    if (this.termios.lflag & ECHOCTL) this.echo([94, c ^ 0x40]);
    if (
      c === this.termios.cc[VINTR] ||
      c === this.termios.cc[VQUIT] ||
      c === this.termios.cc[VSUSP]
    ) {
      this.echo([10]);
    }
  }

  private echo(bytes: number[]): void {
    this.write(new Uint8Array(bytes));
  }

  /** Bytes a read would return now (FIONREAD). */
  get available(): number {
    return this.ready.length;
  }

  /** Whether a read would return at once (poll). */
  get readable(): boolean {
    return this.ready.length > 0 || this.eofs > 0 || this.hungUp;
  }

  /**
   * A read by `proc`. A process outside the foreground group gets SIGTTIN
   * and waits. One that reads typed input is answering a user: it runs on
   * for INTERACTIVE_MS before it yields its time slice
   * (Process.interactiveUntil), so a shell echoes and runs what is typed
   * even while a fork bomb or a busy loop keeps every other process busy.
   */
  read(proc: Process, length: number, nonblocking: boolean): Uint8Array {
    const data = this.take(proc, length, nonblocking);
    if (data.length > 0) proc.interactiveUntil = performance.now() + INTERACTIVE_MS;
    return data;
  }

  private take(proc: Process, length: number, nonblocking: boolean): Uint8Array {
    if (proc.tty === this && this.foreground && proc.pgid !== this.foreground) {
      if (proc.signals.discards(SIGTTIN) || proc.signals.blocked & bit(SIGTTIN)) {
        fail("EIO");
      }
      this.owner.signalGroup(proc.pgid, SIGTTIN);
      throw new WouldBlock(this.nextChange(), "reading the terminal from the background");
    }
    const t = this.termios;
    if (t.lflag & ICANON) {
      const nl = this.ready.indexOf(10);
      if (nl < 0 && this.ready.length === 0) {
        if (this.eofs > 0) {
          this.eofs--;
          return new Uint8Array(0);
        }
        if (this.hungUp) return new Uint8Array(0);
        if (nonblocking) fail("EAGAIN");
        throw new WouldBlock(this.nextChange(), "reading the terminal");
      }
      // One line at most (or what Ctrl-D pushed without a newline).
      const end = nl < 0 ? this.ready.length : nl + 1;
      return new Uint8Array(this.ready.splice(0, Math.min(end, length)));
    }
    const min = t.cc[VMIN]!;
    const time = t.cc[VTIME]!;
    if (this.ready.length === 0 || this.ready.length < Math.min(min, length)) {
      if (this.hungUp) return new Uint8Array(this.ready.splice(0, length));
      if (min === 0 && time === 0) return new Uint8Array(0);
      if (nonblocking) fail("EAGAIN");
      if (time > 0 && (min === 0 || this.ready.length > 0)) {
        // VTIME in tenths of a second: a read that times out returns what there is.
        const timer = new Promise<void>((r) => setTimeout(r, time * 100));
        if (this.ready.length === 0) {
          throw new WouldBlock(
            Promise.race([this.nextChange(), timer]).then(() => {
              if (this.ready.length === 0) this.timedOut = true;
            }),
            "reading the terminal (VTIME)",
          );
        }
      } else {
        throw new WouldBlock(this.nextChange(), "reading the terminal");
      }
    }
    if (this.timedOut) {
      this.timedOut = false;
      if (this.ready.length === 0) return new Uint8Array(0);
    }
    return new Uint8Array(this.ready.splice(0, length));
  }

  /** Output from programs: OPOST|ONLCR turns "\n" into "\r\n". */
  write(data: Uint8Array): number {
    const t = this.termios;
    if (t.oflag & OPOST && t.oflag & ONLCR && data.includes(10)) {
      const out: number[] = [];
      for (const c of data) {
        if (c === 10) out.push(13);
        out.push(c);
      }
      this.output(new Uint8Array(out));
    } else {
      this.output(data.slice());
    }
    return data.length;
  }

  /** TCSAFLUSH and TCFLSH: input not yet read is dropped. */
  flushInput(): void {
    this.ready = [];
    this.line = [];
    this.eofs = 0;
  }

  setTermios(next: Termios): void {
    const wasCanonical = this.termios.lflag & ICANON;
    this.termios = { ...next, cc: next.cc.slice() };
    // Leaving canonical mode: the line being edited becomes input.
    if (wasCanonical && !(next.lflag & ICANON) && this.line.length > 0) {
      this.ready.push(...this.line);
      this.line = [];
    }
    this.notify();
  }

  /** A promise settled at the next change (input, a setting, a hang-up). */
  nextChange(): Promise<void> {
    return this.changes.next();
  }

  private notify(): void {
    this.changes.notify();
  }

  stat(): Stat {
    const t = now();
    return {
      ino: this.ino,
      type: "chardev",
      mode: 0o620,
      nlink: 1,
      uid: 0,
      gid: 5,
      size: 0,
      rdev: (136 << 8) | 0,
      atime: t,
      mtime: t,
      ctime: t,
    };
  }
}

/** An open terminal: fds 0-2 of a login shell, or /dev/tty opened. */
export class TtyFile extends OpenFile {
  constructor(
    readonly tty: Tty,
    /** The device node it was opened through, if any (for fstat and ttyname). */
    private readonly node: { fs: Filesystem; ino: number } | null,
    readable: boolean,
    writable: boolean,
  ) {
    super(readable, writable);
  }

  stat(): Stat {
    return this.node ? this.node.fs.stat(this.node.ino) : this.tty.stat();
  }

  override readiness(): Readiness {
    const t = this.tty;
    return {
      readable: this.readable && t.readable,
      writable: this.writable,
      available: t.available,
      hangup: false,
      changed: t.nextChange(),
    };
  }

  /** Reads need the reader: a background process may not read. */
  readAs(proc: Process, length: number): Uint8Array {
    if (!this.readable) fail("EBADF");
    return this.tty.read(proc, length, this.nonblocking);
  }

  override read(): Uint8Array {
    fail("EIO", "a terminal is read through its process");
  }

  override write(data: Uint8Array): number {
    if (!this.writable) fail("EBADF");
    const room = this.tty.room();
    if (room) {
      if (this.nonblocking) fail("EAGAIN", "the screen is behind");
      throw new WouldBlock(room, "waiting for the screen to show earlier output");
    }
    return this.tty.write(data);
  }
}
