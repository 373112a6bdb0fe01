/**
 * How a process ends, and the wait statuses that tell of it (Linux's
 * <bits/waitstatus.h>). A leaf: the kernel and whatever runs programs
 * both use it, and it imports nothing.
 */

/** The wait status of a process that exited with `code`. */
export const exited = (code: number): number => (code & 0xff) << 8;

/** The wait status of a process stopped by `sig` (what WUNTRACED reports). */
export const stoppedStatus = (sig: number): number => (sig << 8) | 0x7f;

/** The wait status of a stopped process that was continued (what WCONTINUED reports). */
export const CONTINUED = 0xffff;

/** The status a shell shows for a wait status: the exit code, or 128 + the signal. */
export function shellStatus(waitStatus: number): number {
  const sig = waitStatus & 0x7f;
  if (sig === 0) return (waitStatus >> 8) & 0xff;
  if (sig === 0x7f) return 128 + ((waitStatus >> 8) & 0xff);
  return 128 + sig;
}

/**
 * Thrown out of the running program when it exits. Not an Error: it needs
 * no stack trace, whose capture walks the program's wasm frames.
 */
export class ProcessExit {
  constructor(readonly status: number) {}
}

/** Thrown out of the running program: the process dies of a signal (its wait status is the signal). */
export class Killed {
  constructor(readonly signal: number) {}
}
