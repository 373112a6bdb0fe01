/**
 * How many open files hold each inode (Filesystem's retain and release): an
 * inode whose last name is gone lives until its count drops to nothing.
 */
export class OpenCounts {
  private readonly counts = new Map<number, number>();

  hold(ino: number): void {
    this.counts.set(ino, (this.counts.get(ino) ?? 0) + 1);
  }

  /** One fewer; true when it was the last. */
  drop(ino: number): boolean {
    const count = (this.counts.get(ino) ?? 0) - 1;
    if (count > 0) {
      this.counts.set(ino, count);
      return false;
    }
    this.counts.delete(ino);
    return true;
  }

  isOpen(ino: number): boolean {
    return this.counts.has(ino);
  }
}
