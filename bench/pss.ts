/**
 * Memory of processes as Linux counts it: each process's share of its
 * pages (PSS, /proc/PID/smaps_rollup), for the memory.* figures of the
 * browser (a Chromium's processes) and of the command (an `overbox run`).
 */
import { readdirSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";

/** Every process id under /proc with its parent's. */
export function processTable(): Map<number, number> {
  const parents = new Map<number, number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      // pid (comm) state ppid ...: comm may hold spaces and parentheses.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parents.set(Number(name), ppid);
    } catch {
      // Gone since the listing.
    }
  }
  return parents;
}

/** `root` and every process below it. */
export function processTree(root: number, parents = processTable()): number[] {
  const tree = [root];
  for (let i = 0; i < tree.length; i++) {
    for (const [pid, ppid] of parents) if (ppid === tree[i]) tree.push(pid);
  }
  return tree;
}

/** Sums of the processes' smaps_rollup, in bytes: all of Pss, and its file-backed part. */
export interface Pss {
  all: number;
  file: number;
}

export async function pss(pids: number[]): Promise<Pss> {
  const kib = { all: 0, file: 0 };
  for (const pid of pids) {
    try {
      const rollup = await readFile(`/proc/${pid}/smaps_rollup`, "utf8");
      kib.all += Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0);
      kib.file += Number(/^Pss_File:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0);
    } catch {
      // Gone since the listing.
    }
  }
  return { all: kib.all * 1024, file: kib.file * 1024 };
}

/**
 * What the figures take of a reading: Pss less its file-backed part.
 * Chromium's binary and libraries are file pages shared with every other
 * Chromium on the machine, so their share moves whenever one starts or
 * exits (tens of MB, in trials beside the browser tests); a container maps
 * no file, so what it costs is all anonymous or shared memory.
 */
export const counted = (p: Pss) => p.all - p.file;
