/**
 * The base image's applets, run through the project's program runner and
 * compared byte for byte with Debian's native busybox (apt package
 * `busybox`) doing the same thing on the same files.
 *
 * Every case runs in a directory with the same absolute path on the host
 * and in the container, with the same environment, so that nothing but the
 * implementation can differ. Applets that start others (xargs, find -exec,
 * env, tar -z, time, timeout, nice, nohup, sh pipelines, awk system())
 * run them as child processes of the kernel.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Kernel } from "../core/kernel/kernel.ts";
import type { MemoryFilesystem } from "../core/vfs/memory.ts";
import {
  latin1,
  loadBaseImage,
  NATIVE_BUSYBOX,
  runNative,
  type Outcome,
  mkdirContainer as mkdirInContainer,
} from "./testing.ts";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "fixtures");
const ROOT = `/tmp/overbox-applets-${process.pid}`;
const ENV = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root", "TZ=UTC", "LANG=C", "USER=root"];

type Bytes = string | Uint8Array;

interface Case {
  name: string;
  files?: Record<string, Bytes>;
  /** Commands run first, on both sides, to set the scene (touch -d, chmod...). */
  before?: string[][];
  run: string[];
  stdin?: Bytes;
  /** Commands run after, on both sides, to compare what `run` changed. */
  after?: string[][];
  /**
   * Run this on the host instead of `busybox RUN...`: for host state (the
   * hostname), or where Debian's busybox lacks the applet or the feature.
   */
  nativeCommand?: string[];
}

const md5 = (s: string) => createHash("md5").update(s).digest("hex");
const lines = (n: number, f: (i: number) => string) =>
  Array.from({ length: n }, (_, i) => f(i) + "\n").join("");
// Deterministic pseudo-random numbers (a linear congruential generator).
const numbers = (n: number) => {
  let x = 12345;
  return lines(n, () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return String((x % 200001) - 100000);
  });
};
const binary = Uint8Array.from({ length: 300 }, (_, i) => (i * 37 + 11) & 0xff);
const text = "The quick brown fox\njumps over\nthe lazy dog.\nThe end\n";
const STAMP = ["touch", "-d", "2024-01-02 03:04:05"];

const cases: Case[] = [
  // Text tools
  { name: "cat -n", files: { a: "one\ntwo\n", b: "three\n" }, run: ["cat", "-n", "a", "b"] },
  {
    name: "grep -in",
    files: { t: "apple\nbanana\nApple pie\ncherry\n" },
    run: ["grep", "-in", "apple", "t"],
  },
  { name: "grep -vc and exit status", files: { t: "a\nb\nab\n" }, run: ["grep", "-vc", "a", "t"] },
  { name: "grep -E with no match", files: { t: text }, run: ["grep", "-E", "zebra|yak", "t"] },
  {
    name: "sed",
    files: { t: text },
    run: ["sed", "-e", "s/o/0/g", "-e", "2d", "-e", "$a\\\nappended", "t"],
  },
  {
    name: "sed -n with ranges",
    files: { t: lines(20, (i) => `line ${i}`) },
    run: ["sed", "-n", "3,5p;/1[5-7]/p", "t"],
  },
  {
    name: "awk",
    files: { t: lines(50, (i) => `user${i}:x:${i * 7}:${i % 3}`) },
    run: [
      "awk",
      "-F:",
      '{ s += $3; n[$4]++ } END { print NR, s; for (k = 0; k < 3; k++) printf "%d=%d\\n", k, n[k] }',
      "t",
    ],
  },
  {
    name: "awk string functions",
    run: [
      "awk",
      'BEGIN { s = "hello, world"; gsub(/o/, "0", s); printf "%s %s %d %s\\n", toupper(substr(s, 1, 5)), s, index(s, "w"), sprintf("%05.1f", 3.14159) }',
    ],
  },
  // Debian builds busybox without FEATURE_AWK_LIBM: the reference is the host's awk.
  {
    name: "awk math",
    run: ["awk", 'BEGIN { printf "%.3f %.4f %.2f\\n", atan2(0, -1), exp(1), sqrt(2) }'],
    nativeCommand: ["awk", 'BEGIN { printf "%.3f %.4f %.2f\\n", atan2(0, -1), exp(1), sqrt(2) }'],
  },
  {
    name: "sort -t -k",
    files: { t: "b,2\na,10\nc,2\nd,1\n" },
    run: ["sort", "-t,", "-k2,2n", "-k1,1r", "t"],
  },
  { name: "sort -n of 3000 numbers", files: { t: numbers(3000) }, run: ["sort", "-n", "t"] },
  {
    // Numbers compat/fastpath.c's strtod parses itself, and those it leaves to
    // libc's. No "nan": it compares equal to everything, so the order would be
    // the sorting algorithm's, not the numbers'.
    name: "sort -n of numbers in every form strtod reads",
    files: {
      t:
        [
          "-0",
          "0",
          ".5",
          "1.",
          "  7",
          "+3",
          "-2.25",
          "1e3",
          "1E-2",
          "0x10",
          "inf",
          "-inf",
          "12345678901234567890",
          "1234567890123456789",
          "0.1",
          "0.30000000000000004",
          "9007199254740993.5",
          "3.14159265358979323846",
          "1.0000000000000000000001",
          "abc",
          "",
          "007",
          "-.75",
          "+.25e1",
          "2.5x",
        ].join("\n") + "\n",
    },
    run: ["sort", "-sn", "t"],
  },
  {
    name: "awk sums and prints numbers strtod reads in every form",
    files: { t: "0.1\n0.2\n1e3\n-7.25\n12345678901234567890\n0x10\n  42\n.5\n9007199254740993\n" },
    run: ["awk", '{ s += $1; printf "%.17g %.17g\\n", $1 + 0, s }', "t"],
  },
  { name: "sort -u from stdin", stdin: "pear\napple\npear\nfig\n", run: ["sort", "-u"] },
  { name: "uniq -c", files: { t: "a\na\nb\nc\nc\nc\n" }, run: ["uniq", "-c", "t"] },
  { name: "wc", files: { a: text, b: "x y z\n" }, run: ["wc", "a", "b"] },
  { name: "head -n", files: { t: lines(30, (i) => `${i}`) }, run: ["head", "-n", "3", "t"] },
  {
    name: "tail -c and -n",
    files: { t: lines(30, (i) => `row ${i}`) },
    run: ["tail", "-n", "4", "t"],
  },
  { name: "tr", stdin: text, run: ["tr", "a-z", "A-Z"] },
  { name: "tr -d -s", stdin: "aaabbbccc  dd\n", run: ["tr", "-s", "a-c "] },
  { name: "cut", files: { t: "root:x:0:0\nbin:x:1:1\n" }, run: ["cut", "-d:", "-f1,3", "t"] },
  { name: "paste", files: { a: "1\n2\n3\n", b: "x\ny\n" }, run: ["paste", "-d,", "a", "b"] },
  // Debian's busybox has no comm, split or cksum: the reference is coreutils.
  {
    name: "comm",
    files: { a: "a\nb\nc\n", b: "b\nc\nd\n" },
    run: ["comm", "a", "b"],
    nativeCommand: ["comm", "a", "b"],
  },
  {
    name: "diff -u",
    files: { old: "one\ntwo\nthree\nfour\n", new: "one\n2\nthree\nfour\nfive\n" },
    before: [[...STAMP, "old", "new"]],
    run: ["diff", "-u", "old", "new"],
  },
  { name: "od", files: { bin: binary }, run: ["od", "-A", "x", "-t", "x1z", "bin"] },
  { name: "hexdump -C", files: { bin: binary }, run: ["hexdump", "-C", "bin"] },
  { name: "xxd", files: { bin: binary }, run: ["xxd", "bin"] },
  { name: "base64", files: { bin: binary }, run: ["base64", "bin"] },
  { name: "base64 -d", files: { t: "aGVsbG8gd29ybGQK\n" }, run: ["base64", "-d", "t"] },
  { name: "nl", files: { t: text }, run: ["nl", "t"] },
  { name: "fold", files: { t: text }, run: ["fold", "-w", "7", "t"] },
  { name: "rev", files: { t: text }, run: ["rev", "t"] },
  { name: "tac", files: { t: text }, run: ["tac", "t"] },
  { name: "cmp", files: { a: "abcdef", b: "abcXef" }, run: ["cmp", "a", "b"] },
  {
    name: "strings",
    files: {
      bin: new Uint8Array([0, 1, 104, 101, 108, 108, 111, 33, 0, 2, 3, 119, 111, 114, 108, 100, 0]),
    },
    run: ["strings", "-n", "4", "bin"],
  },

  // File tools
  {
    name: "ls -la",
    files: { "sub/a": "x", "sub/bb": "yy", "sub/.hidden": "" },
    before: [
      ["chmod", "600", "sub/a"],
      ["chmod", "4755", "sub/bb"],
      [...STAMP, "sub/a", "sub/bb", "sub/.hidden", "sub", "."],
    ],
    run: ["ls", "-la", "sub"],
  },
  {
    name: "cp -a",
    files: { "src/f": "data", "src/d/g": "g" },
    before: [
      ["chmod", "750", "src/d"],
      ["ln", "-s", "f", "src/link"],
      [...STAMP, "src/f", "src/d/g", "src/d", "src"],
    ],
    run: ["cp", "-a", "src", "dst"],
    after: [
      ["ls", "-lR", "dst"],
      ["cat", "dst/f", "dst/d/g"],
    ],
  },
  {
    name: "mv",
    files: { a: "moved\n" },
    run: ["mv", "a", "b"],
    after: [
      ["ls", "-1"],
      ["cat", "b"],
    ],
  },
  {
    name: "mv into a directory",
    files: { a: "1", "d/x": "" },
    run: ["mv", "a", "d/"],
    after: [["ls", "-1", "d"]],
  },
  {
    name: "rm -r",
    files: { "d/e/f": "x", "d/g": "", keep: "k" },
    run: ["rm", "-r", "d"],
    after: [["ls", "-1A"]],
  },
  { name: "rm of a missing file", run: ["rm", "nothing-here"] },
  {
    name: "mkdir -p -m",
    run: ["mkdir", "-p", "-m", "700", "x/y/z"],
    after: [["stat", "-c", "%A %n", "x", "x/y", "x/y/z"]],
  },
  { name: "mkdir of an existing directory", files: { "d/f": "" }, run: ["mkdir", "d"] },
  { name: "rmdir", files: { "d/e/f": "" }, run: ["rmdir", "d/e"], after: [["ls", "-R"]] },
  {
    name: "ln -s",
    files: { target: "t" },
    run: ["ln", "-s", "target", "link"],
    after: [
      ["readlink", "link"],
      ["stat", "-c", "%F %N", "link"],
      ["cat", "link"],
    ],
  },
  {
    name: "ln (hard link)",
    files: { a: "shared\n" },
    run: ["ln", "a", "b"],
    after: [["stat", "-c", "%h %s %n", "a", "b"]],
  },
  {
    name: "find -name",
    files: { "a/b/c/x.txt": "", "a/y.log": "", "z.txt": "" },
    run: ["find", "a", "-name", "*.txt"],
  },
  {
    name: "find -type d",
    files: { "a/b/c/x.txt": "", "a/y.log": "" },
    run: ["find", ".", "-type", "d"],
  },
  {
    name: "du -s",
    files: { "d/f1": "x".repeat(5000), "d/f2": "y", "d/e/f3": "z".repeat(9000) },
    run: ["du", "-s", "d"],
    after: [["du", "-k", "d/f1"]],
  },
  {
    name: "stat -c",
    files: { f: "12345", "d/x": "" },
    before: [["chmod", "640", "f"]],
    run: ["stat", "-c", "%n %s %a %A %F %U %G %h", "f", "d"],
  },
  {
    name: "touch -d",
    run: ["touch", "-d", "2001-02-03 04:05:06", "new"],
    after: [["stat", "-c", "%y %s %n", "new"]],
  },
  {
    name: "chmod -R",
    files: { "d/f": "", "d/e/g": "" },
    run: ["chmod", "-R", "u=rwx,g=rx,o=", "d"],
    after: [["stat", "-c", "%a %n", "d", "d/f", "d/e", "d/e/g"]],
  },
  {
    name: "chmod with octal and symbolic modes",
    files: { f: "" },
    run: ["chmod", "2755", "f"],
    after: [
      ["stat", "-c", "%a %A", "f"],
      ["chmod", "a-x,+t", "f"],
      ["stat", "-c", "%a %A", "f"],
    ],
  },
  {
    name: "readlink -f",
    files: { "real/file": "" },
    before: [
      ["ln", "-s", "real", "l1"],
      ["ln", "-s", "l1/file", "l2"],
    ],
    run: ["readlink", "-f", "l2"],
  },
  { name: "realpath", files: { "b/c": "" }, run: ["realpath", "b/../b/./c"] },
  {
    name: "truncate",
    files: { f: "0123456789abcdef" },
    run: ["truncate", "-s", "5", "f"],
    after: [
      ["od", "-c", "f"],
      ["truncate", "-s", "9", "f"],
      ["od", "-c", "f"],
    ],
  },
  {
    name: "dd",
    files: { in: "0123456789abcdefghij" },
    run: ["dd", "if=in", "of=out", "bs=3", "count=2", "skip=1", "status=noxfer"],
    after: [["cat", "out"]],
  },
  {
    name: "dd from stdin",
    stdin: "hello dd, from stdin\n",
    run: ["dd", "bs=4", "count=3", "status=noxfer"],
  },
  {
    name: "split",
    files: { f: "abcdefghij" },
    run: ["split", "-b", "4", "f", "part-"],
    nativeCommand: ["split", "-b", "4", "f", "part-"],
    after: [
      ["ls", "-1"],
      ["cat", "part-ab"],
    ],
  },

  // Archives
  {
    name: "tar c",
    files: { "t/a": "a\n", "t/b": "bb\n" },
    before: [[...STAMP, "t/a", "t/b", "t"]],
    run: ["tar", "cf", "out.tar", "t/a", "t/b"],
    after: [
      ["md5sum", "out.tar"],
      ["tar", "tvf", "out.tar"],
      ["mkdir", "x"],
      ["tar", "xf", "out.tar", "-C", "x"],
      ["cat", "x/t/a", "x/t/b"],
    ],
  },
  {
    name: "gzip",
    files: { f: text.repeat(50) },
    before: [[...STAMP, "f"]],
    run: ["gzip", "-9", "f"],
    after: [
      ["md5sum", "f.gz"],
      ["ls", "-1"],
    ],
  },
  {
    name: "gunzip -c",
    files: { "z.gz": gzipSync(Buffer.from(text.repeat(20))) },
    run: ["gunzip", "-c", "z.gz"],
  },
  {
    name: "gzip -d",
    files: { "z.gz": gzipSync(Buffer.from(text)) },
    run: ["gzip", "-d", "z.gz"],
    after: [["cat", "z"]],
  },
  { name: "bzip2", files: { f: text.repeat(40) }, run: ["bzip2", "-c", "f"] },
  {
    name: "bunzip2",
    files: { f: text.repeat(40) },
    before: [["bzip2", "f"]],
    run: ["bunzip2", "-c", "f.bz2"],
  },
  {
    name: "xz -d",
    files: { "h.xz": readFileSync(join(FIXTURES, "hello.txt.xz")) },
    run: ["xz", "-dc", "h.xz"],
  },
  {
    name: "unxz",
    files: { "h.xz": readFileSync(join(FIXTURES, "hello.txt.xz")) },
    run: ["unxz", "h.xz"],
    after: [["cat", "h"]],
  },
  {
    name: "cpio -i",
    files: {},
    stdin: "CPIO",
    run: ["cpio", "-i", "-d"],
    after: [["cat", "a", "d/b"]],
  },
  { name: "cpio -t", files: {}, stdin: "CPIO", run: ["cpio", "-t"] },
  {
    name: "unzip",
    files: { "h.zip": readFileSync(join(FIXTURES, "hello.zip")) },
    run: ["unzip", "h.zip"],
    after: [["cat", "hello.txt", "dir/nested.txt"]],
  },
  {
    name: "unzip -l",
    files: { "h.zip": readFileSync(join(FIXTURES, "hello.zip")) },
    run: ["unzip", "-l", "h.zip"],
  },

  // Checksums
  { name: "md5sum", files: { a: text, b: binary }, run: ["md5sum", "a", "b"] },
  { name: "sha1sum", files: { a: text, b: binary }, run: ["sha1sum", "a", "b"] },
  { name: "sha256sum", files: { a: text, b: binary }, run: ["sha256sum", "a", "b"] },
  { name: "sha512sum", files: { a: text, b: binary }, run: ["sha512sum", "a", "b"] },
  {
    name: "md5sum -c",
    files: { a: text, b: "x", sums: `${md5(text)}  a\n${md5("y")}  b\n` },
    run: ["md5sum", "-c", "sums"],
  },
  { name: "cksum", files: { a: text }, run: ["cksum", "a"], nativeCommand: ["cksum", "a"] },

  // Everything else
  { name: "date -d @", run: ["date", "-d", "@1234567890"] },
  {
    name: "date -d with a format",
    run: ["date", "-d", "2024-02-29 12:34:56", "+%s %A %j %Y-%m-%d"],
  },
  { name: "seq", run: ["seq", "-w", "1", "3", "20"] },
  { name: "seq -s", run: ["seq", "-s", ",", "5"] },
  { name: "expr", run: ["expr", "(", "7", "*", "6", ")", "+", "1"] },
  { name: "expr match and status", run: ["expr", "abc", ":", "x"] },
  { name: "printf", run: ["printf", "%5.2f|%-4s|%x|%b\\n", "3.14159", "ab", "255", "tab\\there"] },
  { name: "test (true)", files: { "d/f": "" }, run: ["test", "-d", "d", "-a", "!", "-f", "d"] },
  { name: "test (false)", run: ["test", "5", "-gt", "7"] },
  { name: "[ with strings", run: ["[", "abc", "=", "abc", "]"] },
  { name: "env -i", run: ["env", "-i", "A=1", "B=two words"] },
  { name: "env", run: ["env"] },
  { name: "basename", run: ["basename", "/a/b/c.txt", ".txt"] },
  { name: "dirname", run: ["dirname", "/a/b/c.txt"] },
  { name: "uname -s", run: ["uname", "-s"] },
  // A login gives root the supplementary group 0, as overbox does; this test process may have none.
  { name: "id", run: ["id"], nativeCommand: ["setpriv", "--groups=0", NATIVE_BUSYBOX, "id"] },
  { name: "id -un and -gn", run: ["id", "-un"], after: [["id", "-gn"]] },
  { name: "whoami", run: ["whoami"] },
  {
    name: "hostname",
    run: ["hostname"],
    nativeCommand: ["unshare", "-u", "sh", "-c", `hostname overbox && ${NATIVE_BUSYBOX} hostname`],
  },
  { name: "sleep", run: ["sleep", "0.1"] },
  { name: "bc", stdin: "scale=20\n4*a(1)\n2^100\n17 % 5\n", run: ["bc", "-l"] },
  { name: "dc", run: ["dc", "-e", "2 10 ^ p 7 3 / p"] },
  { name: "factor", run: ["factor", "360", "97", "1000001"] },
  { name: "echo", run: ["echo", "-e", "a\\tb\\nc"] },
  { name: "true and false", run: ["false"], after: [["true"]] },
  {
    name: "yes is cut by head (no pipe needed: head reads a file)",
    files: { t: "y\n".repeat(100) },
    run: ["head", "-n", "2", "t"],
  },

  // Applets that start other programs.
  {
    name: "xargs",
    stdin: "a b c\n",
    run: ["xargs", "echo", "got"],
  },
  {
    name: "find -exec",
    files: { "a.txt": "hi\n" },
    run: ["find", ".", "-name", "a.txt", "-exec", "cat", "{}", ";"],
  },
  {
    name: "env with a command",
    run: ["env", "FOO=bar", "printenv", "FOO"],
  },
  {
    name: "tar -z",
    files: { f: text },
    before: [[...STAMP, "f"]],
    run: ["tar", "czf", "o.tgz", "f"],
    after: [["tar", "tzf", "o.tgz"]],
  },
  // The format leaves out the times themselves, which differ from run to run.
  { name: "time", run: ["time", "-f", "%C exited %x", "true"] },
  {
    name: "timeout",
    run: ["timeout", "5", "true"],
  },
  {
    name: "nice",
    run: ["nice", "-n", "5", "true"],
    nativeCommand: ["nice", "-n", "5", "true"], // Debian's busybox has no nice
  },
  { name: "nohup", run: ["nohup", "true"], nativeCommand: ["nohup", "true"] }, // nor nohup
  {
    name: "sh pipeline",
    run: ["sh", "-c", "echo abc | tr a-c A-C"],
  },
  {
    name: "awk system()",
    run: ["awk", 'BEGIN { system("echo hi") }'],
  },
];

/**
 * Applets whose usage line differs only because Debian configures BusyBox
 * differently from defconfig (debian/config/pkg/deb), which overbox keeps.
 */
const CONFIGURED_DIFFERENTLY: Record<string, string> = {
  cpio: "Debian turns off FEATURE_CPIO_P (cpio -p)",
  grep: "Debian turns on EXTRA_COMPAT (grep -z)",
  ip: "overbox builds `ip` with its addr command only (the loopback has no routes, links to set, tunnels, rules or neighbours)",
  last: "Debian turns off FEATURE_LAST_FANCY (-H, -W, -f)",
  nc: "Debian turns off NC_110_COMPAT: its nc is the small one, without nc 1.10's -u, -v, -z",
  nslookup:
    "overbox turns off FEATURE_NSLOOKUP_BIG: its nslookup asks getaddrinfo (/etc/hosts, then the gateway), not a DNS server",
  pidof: "Debian turns off FEATURE_PIDOF_SINGLE and FEATURE_PIDOF_OMIT (-s, -o)",
  "run-parts": "Debian turns off FEATURE_RUN_PARTS_FANCY (--list)",
  tar: "Debian turns on FEATURE_SEAMLESS_Z (-Z) and off FEATURE_TAR_FROM (-T, -X)",
  top: "Debian turns off FEATURE_TOPMEM (-m)",
  umount: "overbox turns off FEATURE_MOUNT_LOOP (-d): a browser tab has no loop devices",
};

let fs: MemoryFilesystem;
let runner: Kernel;
let cpioArchive: Uint8Array;

beforeAll(async () => {
  ({ fs, runner } = await loadBaseImage());
  rmSync(ROOT, { recursive: true, force: true });
  mkdirSync(ROOT, { recursive: true });
  // A cpio archive made by the native busybox, extracted by both.
  const scratch = join(ROOT, "cpio-source");
  mkdirSync(join(scratch, "d"), { recursive: true });
  writeFileSync(join(scratch, "a"), "file a\n");
  writeFileSync(join(scratch, "d", "b"), "file b\n");
  execFileSync("touch", [
    "-d",
    "2024-01-02",
    join(scratch, "a"),
    join(scratch, "d", "b"),
    join(scratch, "d"),
  ]);
  cpioArchive = execFileSync(NATIVE_BUSYBOX, ["cpio", "-o", "-H", "newc"], {
    cwd: scratch,
    input: "a\nd\nd/b\n",
    stdio: ["pipe", "pipe", "ignore"],
  });
  mkdirContainer(ROOT);
});

afterAll(() => rmSync(ROOT, { recursive: true, force: true }));

const mkdirContainer = (path: string): number => mkdirInContainer(fs, path);

function setUpFiles(dir: string, files: Record<string, Bytes>) {
  for (const [path, content] of Object.entries(files)) {
    const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content;
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), bytes);
    const parent = mkdirContainer(dirname(join(dir, path)));
    const ino = fs.create(parent, path.split("/").pop()!, {
      type: "file",
      mode: 0o644,
      uid: 0,
      gid: 0,
    });
    fs.write(ino, 0, bytes);
  }
}

async function runOurs(argv: string[], cwd: string, stdin?: Bytes): Promise<Outcome> {
  const r = await runner.run({ args: argv, env: ENV, cwd, stdin });
  return { status: r.status, stdout: latin1(r.stdout), stderr: latin1(r.stderr) };
}

function runHost(c: Case, argv: string[], cwd: string, stdin?: Bytes): Outcome {
  if (!c.nativeCommand || argv !== c.run) return runNative(argv, { cwd, env: ENV, stdin });
  const r = spawnSync(c.nativeCommand[0]!, c.nativeCommand.slice(1), {
    cwd,
    encoding: "latin1",
    env: Object.fromEntries(ENV.map((e) => e.split("=", 2) as [string, string])),
  });
  return { status: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
}

describe("applets match native busybox byte for byte", () => {
  cases.forEach((c, i) => {
    it(c.name, async () => {
      const dir = `${ROOT}/case-${i}`;
      mkdirSync(dir);
      mkdirContainer(dir);
      setUpFiles(dir, c.files ?? {});
      const stdin = c.stdin === "CPIO" ? cpioArchive : c.stdin;
      const steps: Array<[string[], Bytes | undefined]> = [
        ...(c.before ?? []).map((b): [string[], undefined] => [b, undefined]),
        [c.run, stdin],
        ...(c.after ?? []).map((a): [string[], undefined] => [a, undefined]),
      ];
      for (const [argv, input] of steps) {
        const native = runHost(c, argv, dir, input);
        const ours = await runOurs(argv, dir, input);
        expect({ command: argv.join(" "), ...ours }).toEqual({
          command: argv.join(" "),
          ...native,
        });
      }
    });
  });

  it("covers at least 60 applets doing real work", () => {
    const applets = new Set(cases.flatMap((c) => [c.run, ...(c.after ?? [])].map((a) => a[0])));
    expect(applets.size).toBeGreaterThanOrEqual(60);
  });
});

describe("--help", () => {
  it("every applet in the image answers --help as native busybox does", async () => {
    const nativeApplets = new Set(
      execFileSync(NATIVE_BUSYBOX, ["--list"], { encoding: "utf8" }).split("\n"),
    );
    const ours = (await runOurs(["busybox", "--list"], "/")).stdout.split("\n").filter(Boolean);
    expect(ours.length).toBeGreaterThan(200);
    const usageLine = (o: Outcome) =>
      (o.stdout + o.stderr).split("\n").find((l) => l.startsWith("Usage:"));
    const mismatches: string[] = [];
    const stillDifferent = new Set<string>();
    let compared = 0;
    for (const applet of ours) {
      const mine = await runOurs([applet, "--help"], "/");
      const mineUsage = usageLine(mine);
      // An applet without usage text (true, pipe_progress...) prints none, natively too.
      const ownUsage = mineUsage === undefined || mineUsage.startsWith(`Usage: ${applet}`);
      if (!ownUsage) mismatches.push(`${applet}: usage of another applet: "${mineUsage}"`);
      if (!nativeApplets.has(applet)) {
        // Not in Debian's build: BusyBox's rule is usage and status 0.
        if (mine.status !== 0) mismatches.push(`${applet}: --help exits ${mine.status}`);
        continue;
      }
      compared++;
      const native = runNative([applet, "--help"], { cwd: "/", env: ENV });
      const a = `${mine.status} ${mineUsage}`;
      const b = `${native.status} ${usageLine(native)}`;
      if (a === b) continue;
      if (applet in CONFIGURED_DIFFERENTLY) stillDifferent.add(applet);
      else mismatches.push(`${applet}: ours "${a}", native "${b}"`);
    }
    expect(mismatches).toEqual([]);
    // The list of configuration differences holds no stale entry.
    expect([...stillDifferent].sort()).toEqual(Object.keys(CONFIGURED_DIFFERENTLY).sort());
    expect(compared).toBeGreaterThan(150);
  });
});
