/**
 * "Wake me at the next change": one promise shared by every waiter, settled
 * by `notify` and then replaced. Pipes and terminals use it for the
 * processes paused on them (a WouldBlock's `ready`).
 */
export class Changes {
  private wake: (() => void) | null = null;
  private changed: Promise<void> | null = null;

  /** A promise settled at the next notify. */
  next(): Promise<void> {
    this.changed ??= new Promise((resolve) => (this.wake = resolve));
    return this.changed;
  }

  notify(): void {
    const wake = this.wake;
    this.wake = null;
    this.changed = null;
    wake?.();
  }
}
