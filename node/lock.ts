import { readFileSync } from "node:fs";
import { link, readdir, readFile, unlink, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** Who holds a lock: a process, told apart from a later one with the same pid by its start time. */
export interface Holder {
  pid: number;
  /** The process's start time (/proc/PID/stat field 22), "" where there is no /proc. */
  started: string;
  /** What it is doing, for the message of whoever waits: "overbox exec web". */
  command: string;
}

/**
 * One command at a time on a container (two commands on one container
 * must never both write it). The lock is a file holding the holder's pid,
 * start time and command, put in place whole with link(2), which fails if
 * the name exists; it is released by deleting it. A holder killed with SIGKILL leaves its file behind: a
 * lock whose process is gone (or whose pid now belongs to a process
 * started later) is stale, and the next taker removes it.
 *
 * The race this accepts: two takers that find the same stale lock both
 * re-read it before removing it, so one cannot remove a lock the other has
 * just taken unless both re-read and remove within the same instant.
 */
export class FileLock {
  private constructor(
    readonly path: string,
    private readonly mine: string,
  ) {}

  /**
   * Takes the lock at `path`. While another live process holds it, waits
   * (polling), calling `waiting` once with the holder; with `wait: false`,
   * resolves to that holder instead. Rejects with the file system's error
   * when `path`'s directory is gone (ENOENT).
   */
  static async take(
    path: string,
    command: string,
    options: { wait: boolean; waiting?: (holder: Holder) => void },
  ): Promise<FileLock | Holder> {
    const me = describe({ pid: process.pid, started: startTime(process.pid), command });
    const mine = `${path}.${process.pid}`;
    await sweep(path);
    await writeFile(mine, me);
    try {
      return await FileLock.wait(path, me, mine, options);
    } finally {
      await unlink(mine).catch(() => undefined);
    }
  }

  private static async wait(
    path: string,
    me: string,
    mine: string,
    options: { wait: boolean; waiting?: (holder: Holder) => void },
  ): Promise<FileLock | Holder> {
    let told = false;
    for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
      try {
        await link(mine, path);
        return new FileLock(path, me);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      }
      const text = await readFile(path, "utf8").catch(() => null);
      if (text === null) continue; // released meanwhile
      const holder = parse(text);
      if (!holder || !alive(holder)) {
        // Stale: its holder is gone.
        if ((await readFile(path, "utf8").catch(() => null)) === text) {
          await unlink(path).catch(() => undefined);
        }
        continue;
      }
      if (!options.wait) return holder;
      if (!told) options.waiting?.(holder);
      told = true;
      await sleep(delay);
    }
  }

  /** Who holds the lock at `path` now, if a live process does. */
  static async holder(path: string): Promise<Holder | null> {
    const text = await readFile(path, "utf8").catch(() => null);
    const holder = text === null ? null : parse(text);
    return holder && alive(holder) ? holder : null;
  }

  /** Releases the lock (if it is still this process's: a stale-lock breaker may have erred). */
  async release(): Promise<void> {
    if ((await readFile(this.path, "utf8").catch(() => null)) === this.mine) {
      await unlink(this.path).catch(() => undefined);
    }
  }
}

/** Removes the `PATH.PID` files of takers that were killed while they waited. */
async function sweep(path: string): Promise<void> {
  const prefix = `${basename(path)}.`;
  for (const name of await readdir(dirname(path)).catch(() => [])) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length));
    if (Number.isInteger(pid) && processGone(pid)) {
      await unlink(join(dirname(path), name)).catch(() => undefined);
    }
  }
}

/** Whether no process has `pid`: what a process of that pid left behind can go. */
export function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    // EPERM: it exists, it is someone else's.
    return (e as NodeJS.ErrnoException).code !== "EPERM";
  }
}

function describe(h: Holder): string {
  return `${h.pid} ${h.started} ${h.command}\n`;
}

function parse(text: string): Holder | null {
  const m = /^(\d+) (\S*) (.*)\n$/.exec(text);
  return m ? { pid: Number(m[1]), started: m[2]!, command: m[3]! } : null;
}

function alive(h: Holder): boolean {
  if (processGone(h.pid)) return false;
  return h.started === "" || startTime(h.pid) === h.started;
}

/** A process's start time in clock ticks since boot, or "" if there is no /proc to ask. */
function startTime(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses: count from its end.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? "";
  } catch {
    return "";
  }
}
