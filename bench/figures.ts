/**
 * Every figure the suite measures, and the target it is held to (issue 7).
 * A target is an absolute limit in the figure's unit, or a multiple of
 * another subject's median in the same run (native busybox, raw
 * IndexedDB), so that it holds on a noisy machine. Figures without a
 * target are comparisons: the report shows their ratio to `compare`.
 */
import { DEFAULT_CHUNK_SIZE } from "../core/overlay/upper-format.ts";
import type { Subject, Unit } from "./measure.ts";

export interface Target {
  /** "max": the median must be at most the limit; "min": at least. */
  bound: "max" | "min";
  /**
   * In the figure's unit; or, with `of`, a multiple of that subject's
   * median of this figure (or of `of.figure`) in the same run.
   */
  limit: number;
  of?: { subject: Subject; figure?: string };
  /** The subjects the target is for: overbox's. */
  for: Subject[];
  /** How the target reads in the report ("≤ 1 s"). */
  text: string;
}

export interface Figure {
  id: string;
  title: string;
  unit: Unit;
  better: "lower" | "higher";
  /** What is measured, in one sentence, for the report's notes. */
  how: string;
  target?: Target;
  /** The subject the others are compared to, where the figure has no target for them. */
  compare?: Subject;
}

const BROWSER: Subject = "overbox (browser)";
const CLI: Subject = "overbox (CLI)";
const NATIVE: Subject = "native busybox";
const OVERBOX = [BROWSER, CLI];

/** The same C source built natively with clang-19 (bench/programs). */
const CLANG: Subject = "native (clang)";
const PYTHON: Subject = "native (python3.11)";

const nativeTimes = (times: number): Target => ({
  bound: "max",
  limit: times,
  of: { subject: NATIVE },
  for: OVERBOX,
  text: `≤ ${times}× native`,
});

/** One chunk, plus 1 KiB for the records that say where it is (inode, size). */
export const ONE_CHUNK = DEFAULT_CHUNK_SIZE + 1024;

export const FIGURES: Figure[] = [
  {
    id: "start.cold",
    title: "start to a prompt, first visit",
    unit: "ms",
    better: "lower",
    how: "a fresh browser profile opens the playground; from navigation to the shell's prompt on screen",
    compare: BROWSER,
    target: { bound: "max", limit: 1000, for: [BROWSER], text: "≤ 1 s" },
  },
  {
    id: "start.warm",
    title: "start to a prompt, second visit",
    unit: "ms",
    better: "lower",
    how: "the same profile opens the playground again (service worker and caches warm)",
    compare: BROWSER,
    target: { bound: "max", limit: 150, for: [BROWSER], text: "≤ 150 ms" },
  },
  {
    id: "start.bytes",
    title: "bytes transferred on a first visit",
    unit: "bytes",
    better: "lower",
    how: "bytes on the wire (gzip where the server offers it) for a first visit to the playground, until the prompt",
    compare: BROWSER,
    target: { bound: "max", limit: 1_000_000, for: [BROWSER], text: "≤ 1 MB" },
  },
  {
    id: "start.reset",
    title: "Reset to a prompt",
    unit: "ms",
    better: "lower",
    how: "the playground's Reset container, confirmed: from the click to the new shell's prompt alone on a cleared screen",
    compare: BROWSER,
    target: { bound: "max", limit: 1000, for: [BROWSER], text: "≤ 1 s" },
  },
  {
    id: "start.embed.cold",
    title: "an embed to a prompt, first visit",
    unit: "ms",
    better: "lower",
    how: "a fresh browser profile opens a page of the built site framing one embed.html; from the page's navigation to the embed's prompt on screen",
    compare: BROWSER,
    target: { bound: "max", limit: 1000, for: [BROWSER], text: "≤ 1 s" },
  },
  {
    id: "start.embed.warm",
    title: "an embed to a prompt, second visit",
    unit: "ms",
    better: "lower",
    how: "the same profile opens that page again (the service worker the embed registered, and the caches, warm)",
    compare: BROWSER,
    target: { bound: "max", limit: 150, for: [BROWSER], text: "≤ 150 ms" },
  },
  {
    id: "start.embeds",
    title: "three embeds to their prompts, second visit",
    unit: "ms",
    better: "lower",
    how: "the same profile opens a page framing three embeds; from its navigation to the last of the three prompts on screen",
    compare: BROWSER,
    target: {
      bound: "max",
      limit: 2,
      of: { subject: BROWSER, figure: "start.embed.warm" },
      for: [BROWSER],
      text: "≤ 2× one embed",
    },
  },
  {
    id: "spawn.shell",
    title: "spawn and exit, from a shell loop",
    unit: "ms",
    better: "lower",
    how: "`/bin/true` 1000 times in an sh while loop, less the same loop running `:`; per process",
    target: { bound: "max", limit: 2, for: OVERBOX, text: "≤ 2 ms" },
    compare: NATIVE,
  },
  {
    id: "spawn.subshell",
    title: "a subshell, from a shell loop",
    unit: "ms",
    better: "lower",
    how: "`(true)` 1000 times in an sh while loop (a fork and an exit, no exec), less the same loop running `:`; per subshell",
    target: { bound: "max", limit: 1, of: { subject: NATIVE }, for: OVERBOX, text: "≤ native" },
  },
  {
    id: "spawn.pipe",
    title: "a pipe of two builtins, from a shell loop",
    unit: "ms",
    better: "lower",
    how: "`true | true` 1000 times in an sh while loop (two forks, a pipe, two waits), less the same loop running `:`; per pipe",
    target: { bound: "max", limit: 1, of: { subject: NATIVE }, for: OVERBOX, text: "≤ native" },
  },
  {
    id: "spawn.api",
    title: "spawn and exit, from the library",
    unit: "ms",
    better: "lower",
    how: "`exec(['true'])` from the page, one after another; per call",
    target: { bound: "max", limit: 2, for: [BROWSER], text: "≤ 2 ms" },
    compare: BROWSER,
  },
  {
    id: "pipeline",
    title: "pipeline throughput",
    unit: "MB/s",
    better: "higher",
    how: "`cat /dev/zero | head -c 1G | wc -c`, 2^30 bytes over the time",
    compare: NATIVE,
  },
  {
    id: "applet.sha256sum",
    title: "sha256sum of 64 MiB",
    unit: "ms",
    better: "lower",
    how: "`sha256sum` of a 64 MiB file of pseudo-random bytes; outputs checked against native",
    target: nativeTimes(1.5),
  },
  {
    id: "applet.gzip",
    title: "gzip of 16 MB of text",
    unit: "ms",
    better: "lower",
    how: "`gzip -c` of 16 MB of pseudo-random words to /dev/null",
    target: nativeTimes(1.5),
  },
  {
    id: "applet.sort",
    title: "sort -n of 300k lines",
    unit: "ms",
    better: "lower",
    how: "`sort -n` of 300,000 pseudo-random integers to /dev/null",
    target: nativeTimes(1.5),
  },
  {
    id: "applet.awk",
    title: "awk summing 1M numbers",
    unit: "ms",
    better: "lower",
    how: "`awk '{ s += $1 } END { print s }'` over 1,000,000 lines; outputs checked against native",
    target: nativeTimes(1.5),
  },
  {
    id: "metadata.create",
    title: "create 10,000 files",
    unit: "ops/s",
    better: "higher",
    how: "`seq 10000 | xargs touch` in an empty directory (native: on the host's tmpfs)",
    compare: NATIVE,
  },
  {
    id: "metadata.stat",
    title: "stat 10,000 files",
    unit: "ops/s",
    better: "higher",
    how: "`seq 10000 | xargs stat -c %s` on those files",
    compare: NATIVE,
  },
  {
    id: "metadata.unlink",
    title: "unlink 10,000 files",
    unit: "ops/s",
    better: "higher",
    how: "`seq 10000 | xargs rm` on those files",
    compare: NATIVE,
  },
  {
    id: "net.loopback",
    title: "TCP throughput over loopback",
    unit: "MB/s",
    better: "higher",
    how: "256 MiB of zeros from `nc` to `nc -l -p PORT -e wc -c` over 127.0.0.1, counted on the listener's side; from the shell's start to the count",
    target: {
      bound: "min",
      limit: 0.5,
      of: { subject: NATIVE },
      for: [CLI],
      text: "≥ 0.5× native",
    },
  },
  {
    id: "net.http",
    title: "an HTTP request to httpd over loopback",
    unit: "ms",
    better: "lower",
    how: "`wget -q -O /dev/null` of a small file from `httpd -f` on 127.0.0.1, 300 times in an sh loop (a connection and a wget process each), less the same script with no request; per request",
    target: { bound: "max", limit: 2, of: { subject: NATIVE }, for: [CLI], text: "≤ 2× native" },
  },
  {
    id: "net.fetch",
    title: "download from the web through the gateway",
    unit: "MB/s",
    better: "higher",
    how: "`wget -q -O /dev/null` of a 64 MiB file from an HTTP server on localhost (another origin, with CORS), reached through the gateway's fetch in the page's worker; the page's own fetch reads the same URL to its end; timed in the page",
    target: {
      bound: "min",
      limit: 0.8,
      of: { subject: "the page's fetch" },
      for: [BROWSER],
      text: "≥ 0.8× the page's fetch",
    },
  },
  {
    id: "persist.write",
    title: "write 100 MB and sync",
    unit: "MB/s",
    better: "higher",
    how: "one 100 MB file of pseudo-random bytes written through the library, then sync (raw IndexedDB: the same bytes put in 64 KiB values, one transaction)",
    target: {
      bound: "min",
      limit: 0.5,
      of: { subject: "raw IndexedDB" },
      for: [BROWSER],
      text: "≥ 50% of raw IndexedDB",
    },
  },
  {
    id: "persist.open",
    title: "open a container holding 100 MB",
    unit: "ms",
    better: "lower",
    how: "from open() to a container that answers, its upper layer holding the 100 MB file",
    target: { bound: "max", limit: 200, for: [BROWSER], text: "≤ 200 ms" },
  },
  {
    id: "persist.read",
    title: "read back 100 MB after reopening",
    unit: "MB/s",
    better: "higher",
    how: "the 100 MB file read whole through the library after a reopen",
    compare: "raw IndexedDB",
  },
  {
    id: "persist.small-write",
    title: "write 10,000 small files and sync",
    unit: "ops/s",
    better: "higher",
    how: "10,000 files of 100 bytes in one directory, written through each one's file API, then sync",
    compare: BROWSER,
  },
  {
    id: "persist.small-read",
    title: "reopen and read back 10,000 small files",
    unit: "ops/s",
    better: "higher",
    how: "the store reopened, then every file read back and checked",
    compare: BROWSER,
  },
  {
    id: "persist.one-byte",
    title: "bytes stored for a 1-byte write into a 64 MiB lower file",
    unit: "bytes",
    better: "lower",
    how: "growth of the container's stored bytes after one byte is written into a 64 MiB file of its image, then sync",
    target: {
      bound: "max",
      limit: ONE_CHUNK,
      for: OVERBOX,
      text: `one chunk (${DEFAULT_CHUNK_SIZE / 1024} KiB, + 1 KiB of records)`,
    },
  },
  {
    id: "memory.image",
    title: "the image's size",
    unit: "MB",
    better: "lower",
    how: "bytes of the image's layers (its blobs), for memory.extra's target",
  },
  {
    id: "memory.one",
    title: "memory of one container",
    unit: "MB",
    better: "lower",
    how: "the page's processes' memory (PSS) with one container open and a shell run in it, less a blank page's",
  },
  {
    id: "memory.extra",
    title: "memory of each container past the first",
    unit: "MB",
    better: "lower",
    how: "(memory with ten containers of one image − memory with one) / 9; an image held once per container would cost at least its size each",
    target: {
      bound: "max",
      limit: 1,
      of: { subject: BROWSER, figure: "memory.image" },
      for: [BROWSER],
      text: "< the image's size (held once)",
    },
  },
  {
    id: "memory.cli",
    title: "memory of a second `overbox run` while one runs",
    unit: "MB",
    better: "lower",
    how: "the second of two `overbox run`s of the busybox image, each a Node process: its PSS less file-backed pages (Node's binary), once its shell is up",
  },
  {
    id: "wasi.first",
    title: "a 1 MB program built elsewhere, first run",
    unit: "ms",
    better: "lower",
    how: "`overbox exec` of bench/programs/crunch.c built for WASI with clang (1.1 MB, no Asyncify), 1 round, with nothing prepared: the command's whole time, its preparation (prepare.ts) included",
    compare: CLANG,
  },
  {
    id: "wasi.again",
    title: "the same program, run again",
    unit: "ms",
    better: "lower",
    how: "the same `overbox exec`, once the prepared module is kept: the command's whole time",
    compare: CLANG,
  },
  {
    id: "wasi.cpu",
    title: "a CPU-bound program built elsewhere",
    unit: "ms",
    better: "lower",
    how: "the work crunch.c times itself (its rounds of 5,120 functions and a sort, by the monotonic clock), prepared and run by the `overbox` command, against the same source built natively with clang -O2",
    target: { bound: "max", limit: 1.5, of: { subject: CLANG }, for: [CLI], text: "≤ 1.5× native" },
  },
  {
    id: "python.cold",
    title: "a python container to >>>, first visit",
    unit: "ms",
    better: "lower",
    how: "a fresh browser profile opens embed.html?image=python&command=python3 of the built site; from navigation to the REPL's prompt on screen",
    target: { bound: "max", limit: 3000, for: [BROWSER], text: "≤ 3 s" },
  },
  {
    id: "python.warm",
    title: "a python container to >>>, second visit",
    unit: "ms",
    better: "lower",
    how: "the same, in a new tab of the same profile once its service worker is in control",
    target: { bound: "max", limit: 1000, for: [BROWSER], text: "≤ 1 s" },
  },
  {
    id: "python.bytes",
    title: "bytes of a first visit to a python container",
    unit: "bytes",
    better: "lower",
    how: "bytes on the wire (gzip where the server offers it) until the REPL's prompt, on the first visit",
    target: { bound: "max", limit: 12_000_000, for: [BROWSER], text: "≤ 12 MB" },
  },
  {
    id: "python.start",
    title: "python3 -c pass",
    unit: "ms",
    better: "lower",
    how: "each start of `python3 -c pass` in a shell loop of ten in a warm container of the python image (the loop's time without the starts taken off), against Debian's python3.11 in the same loop",
    target: { bound: "max", limit: 3, of: { subject: PYTHON }, for: [CLI], text: "≤ 3× native" },
  },
  {
    id: "python.cpu",
    title: "a CPU-bound Python loop",
    unit: "ms",
    better: "lower",
    how: "2 million turns of integer arithmetic and 300,000 dictionary inserts, timed by the program (time.perf_counter), against Debian's python3.11",
    target: { bound: "max", limit: 2, of: { subject: PYTHON }, for: [CLI], text: "≤ 2× native" },
  },
  {
    id: "python.sqlite",
    title: "SQLite over 100,000 rows, from Python",
    unit: "ms",
    better: "lower",
    how: "100,000 rows inserted into an in-memory table by Python's sqlite3 and a grouped, sorted query over them, timed by the program, against Debian's python3.11 and its SQLite",
    target: { bound: "max", limit: 2, of: { subject: PYTHON }, for: [CLI], text: "≤ 2× native" },
  },
];

export function figure(id: string): Figure {
  const found = FIGURES.find((f) => f.id === id);
  if (!found) throw new Error(`no figure ${id}`);
  return found;
}
