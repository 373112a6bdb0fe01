/**
 * Signals, as Linux numbers and treats them (signal(7)). The kernel keeps
 * each process's signal state here; the program keeps its handlers and runs
 * one when the kernel asks (rootfs/compat/signal.c).
 */
export const SIGHUP = 1;
export const SIGINT = 2;
export const SIGQUIT = 3;
export const SIGABRT = 6;
export const SIGFPE = 8;
export const SIGKILL = 9;
export const SIGSEGV = 11;
export const SIGPIPE = 13;
export const SIGALRM = 14;
export const SIGTERM = 15;
export const SIGCHLD = 17;
export const SIGCONT = 18;
export const SIGSTOP = 19;
export const SIGTSTP = 20;
export const SIGTTIN = 21;
export const SIGTTOU = 22;
export const SIGWINCH = 28;
export const NSIG = 65;

/** What a signal does to a process that neither ignores nor catches it. */
export type DefaultAction = "terminate" | "ignore" | "stop" | "continue";

export function defaultAction(sig: number): DefaultAction {
  switch (sig) {
    case SIGCHLD:
    case 23: // SIGURG
    case SIGWINCH:
      return "ignore";
    case SIGCONT:
      return "continue";
    case SIGSTOP:
    case SIGTSTP:
    case SIGTTIN:
    case SIGTTOU:
      return "stop";
    default:
      return "terminate";
  }
}

/** How a process treats a signal (the `overbox.sigaction` values). */
export const enum Disposition {
  Default = 0,
  Ignore = 1,
  Catch = 2,
  /** Caught, and a system call it interrupts is made again (SA_RESTART). */
  CatchRestart = 3,
}

/** A set of signals 1..64 as a bigint: bit sig-1 is signal sig. */
export type SignalSet = bigint;

export const bit = (sig: number): SignalSet => 1n << BigInt(sig - 1);
/** SIGKILL and SIGSTOP can be neither blocked, caught nor ignored. */
const UNBLOCKABLE = bit(SIGKILL) | bit(SIGSTOP);

/**
 * One process's signal state: dispositions, the blocked set and the pending
 * set. fork copies it; exec resets caught signals to their default.
 */
export class SignalState {
  readonly dispositions: Disposition[] = new Array<Disposition>(NSIG).fill(Disposition.Default);
  blocked: SignalSet = 0n;
  pending: SignalSet = 0n;

  clone(): SignalState {
    const copy = new SignalState();
    copy.dispositions.splice(0, NSIG, ...this.dispositions);
    copy.blocked = this.blocked;
    return copy;
  }

  /** At exec: a caught signal goes back to its default (its handler is gone). */
  exec(): void {
    for (let s = 1; s < NSIG; s++) {
      if (this.dispositions[s]! >= Disposition.Catch) this.dispositions[s] = Disposition.Default;
    }
  }

  setBlocked(set: SignalSet): void {
    this.blocked = set & ~UNBLOCKABLE & ((1n << 64n) - 1n);
  }

  /** Whether posting `sig` would change nothing (it is ignored, explicitly or by default). */
  discards(sig: number): boolean {
    const d = this.dispositions[sig]!;
    return (
      d === Disposition.Ignore || (d === Disposition.Default && defaultAction(sig) === "ignore")
    );
  }

  /** The lowest pending signal that is not blocked, or 0. */
  deliverable(): number {
    const ready = this.pending & ~this.blocked;
    if (ready === 0n) return 0;
    for (let s = 1; s < NSIG; s++) if (ready & bit(s)) return s;
    return 0;
  }
}

const names: Record<number, string> = {
  1: "HUP",
  2: "INT",
  3: "QUIT",
  4: "ILL",
  5: "TRAP",
  6: "ABRT",
  7: "BUS",
  8: "FPE",
  9: "KILL",
  10: "USR1",
  11: "SEGV",
  12: "USR2",
  13: "PIPE",
  14: "ALRM",
  15: "TERM",
  16: "STKFLT",
  17: "CHLD",
  18: "CONT",
  19: "STOP",
  20: "TSTP",
  21: "TTIN",
  22: "TTOU",
  23: "URG",
  24: "XCPU",
  25: "XFSZ",
  26: "VTALRM",
  27: "PROF",
  28: "WINCH",
  29: "IO",
  30: "PWR",
  31: "SYS",
};

/** "SIGINT" for 2. */
export function signalName(sig: number): string {
  return `SIG${names[sig] ?? sig}`;
}
