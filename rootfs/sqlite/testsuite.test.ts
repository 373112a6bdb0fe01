/**
 * SQLite's own test cases (test/*.test of the same Debian source), those
 * that are SQL alone: every `do_execsql_test NAME {SQL} {EXPECTED}` of the
 * files below, run in order by `sqlite3` in a container of the `tools`
 * image, its results held to the file's EXPECTED. SQLite's harness is Tcl
 * (testfixture), which has no build here, so the Tcl around the cases
 * (procedures, loops, `db func`, `ifcapable`) does not run: a case that
 * needs it cannot pass. So each script runs natively too, with Debian's
 * sqlite3 (the same 3.40.1), and the cases native sqlite3 gets right are
 * the ones held: each must be right here as well.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flattenImage, parseManifest } from "../../core/image/image.ts";
import { Kernel } from "../../core/kernel/kernel.ts";
import { WasmLoader } from "../../core/wasi/loader.ts";
import type { MemoryFilesystem } from "../../core/vfs/memory.ts";
import { FileBlobs } from "../../node/blobs.ts";
import { IMAGES, mkdirContainer } from "../testing.ts";

const ROOT = join(import.meta.dirname, "..", "..");

/** Files of SQL-only cases: windows, CTEs, JSON, upserts, joins, SELECT. */
const FILES = [
  "select1",
  "select4",
  "window1",
  "window2",
  "with1",
  "with2",
  "json101",
  "json102",
  "json104",
  "upsert1",
  "upsert2",
  "func3",
  "join",
  "join5",
  "like",
  "distinct",
  "aggnested",
  "e_select",
];

/** SQLite's test folder in the source the set-up unpacked. */
function testFolder(): string {
  const base = join(ROOT, "build", "sqlite3-src");
  for (const version of existsSync(base) ? readdirSync(base) : []) {
    const tree = readdirSync(join(base, version)).find((f) => f.startsWith("sqlite3-"));
    if (tree && existsSync(join(base, version, tree, "test")))
      return join(base, version, tree, "test");
  }
  throw new Error(`no sqlite3 source in ${base}: run the set-up (npm test does)`);
}

interface Case {
  name: string;
  sql: string;
  /** The values the case expects, as a flat list; none: a set-up case. */
  expected: string[] | null;
}

/** The Tcl word in braces that starts at text[at] (which is "{"): its content and where it ends. */
function braced(text: string, at: number): { body: string; end: number } {
  let depth = 0;
  for (let i = at; i < text.length; i++) {
    const c = text[i];
    if (c === "\\") i++;
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return { body: text.slice(at + 1, i), end: i + 1 };
  }
  throw new Error("unbalanced braces");
}

/** A Tcl list's elements (braces group, backslashes escape; no substitution). */
export function tclList(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (i >= text.length) break;
    if (text[i] === "{") {
      const { body, end } = braced(text, i);
      out.push(body);
      i = end;
    } else if (text[i] === '"') {
      let j = i + 1;
      let word = "";
      for (; j < text.length && text[j] !== '"'; j++) {
        if (text[j] === "\\") j++;
        word += text[j];
      }
      out.push(word);
      i = j + 1;
    } else {
      let word = "";
      for (; i < text.length && !/\s/.test(text[i]!); i++) {
        if (text[i] === "\\") i++;
        word += text[i];
      }
      out.push(word);
    }
  }
  return out;
}

/**
 * The file's `do_execsql_test NAME {SQL} ?{EXPECTED}?` cases, in order: only
 * those with both words braced (no Tcl substitution) and no host
 * parameter ($x, which Tcl's `db eval` binds from its variables).
 */
export function cases(text: string): Case[] {
  const out: Case[] = [];
  const re = /^[ \t]*do_execsql_test\s+(\S+)\s+\{/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const sql = braced(text, m.index + m[0].length - 1);
    let rest = sql.end;
    while (text[rest] === " " || text[rest] === "\t") rest++;
    let expected: string[] | null = null;
    if (text[rest] === "{") expected = tclList(braced(text, rest).body);
    else if (text[rest] !== "\n") continue; // an expected result Tcl computes
    if (/\$\w/.test(sql.body)) continue;
    out.push({ name: m[1]!, sql: sql.body, expected });
  }
  return out;
}

const MARK = "@@case ";

/** One sqlite3 script for the cases: each announced by a line, its values one per line. */
function script(list: Case[]): string {
  const lines = [".mode list", '.separator "\\n" "\\n"', ".nullvalue ''"];
  list.forEach((c, n) => {
    lines.push(`.print ${MARK}${n}`);
    lines.push(c.sql.trim().replace(/;?\s*$/, ";"));
  });
  lines.push(`.print ${MARK}end`);
  return lines.join("\n") + "\n";
}

/** Each case's values in the script's output, by case. */
function results(output: string, count: number): string[][] {
  const out: string[][] = Array.from({ length: count }, () => []);
  let current = -1;
  for (const line of output.split("\n")) {
    if (line.startsWith(MARK)) {
      const n = line.slice(MARK.length);
      current = n === "end" ? -1 : Number(n);
    } else if (current >= 0) out[current]!.push(line);
  }
  return out;
}

let kernel: Kernel;
let fs: MemoryFilesystem;
let scratch: string;

beforeAll(async () => {
  const manifest = parseManifest(readFileSync(join(IMAGES, "tools.json")));
  fs = await flattenImage(new FileBlobs(join(IMAGES, "blobs")), manifest);
  kernel = new Kernel(fs, new WasmLoader());
  scratch = mkdtempSync(join(tmpdir(), "overbox-sqlite-tests-"));
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("SQLite's own test cases (SQL alone) in a container of the tools image", () => {
  it("reads cases and Tcl lists as the test files write them", () => {
    expect(tclList('1 {} {a b} "c d" e\\ f {x {y}}')).toEqual([
      "1",
      "",
      "a b",
      "c d",
      "e f",
      "x {y}",
    ]);
    const text =
      "do_execsql_test 1.0 {\n  CREATE TABLE t(a);\n}\ndo_execsql_test 1.1 {\n  SELECT 1, NULL\n} {1 {}}\ndo_execsql_test 1.2 { SELECT $x } {2}\n";
    expect(cases(text)).toEqual([
      { name: "1.0", sql: "\n  CREATE TABLE t(a);\n", expected: null },
      { name: "1.1", sql: "\n  SELECT 1, NULL\n", expected: ["1", ""] },
    ]);
  });

  for (const file of FILES) {
    it(
      `${file}.test: every case native sqlite3 gets right is right here too`,
      { timeout: 300_000 },
      async () => {
        const list = cases(readFileSync(join(testFolder(), `${file}.test`), "utf8"));
        const input = script(list);
        const dir = join(scratch, file);
        mkdirContainer(fs, dir);
        const ours = await kernel.run({
          args: ["sqlite3", "test.db"],
          env: ["PATH=/usr/bin:/bin", "HOME=/root", "TZ=UTC", "LANG=C"],
          cwd: dir,
          stdin: input,
        });
        const native = spawnSync("sqlite3", [join(scratch, `${file}.native.db`)], {
          input,
          encoding: "utf8",
          maxBuffer: 64 << 20,
        });
        const mine = results(new TextDecoder().decode(ours.stdout), list.length);
        const theirs = results(native.stdout, list.length);
        let held = 0;
        let checked = 0;
        const wrong: string[] = [];
        list.forEach((c, n) => {
          if (!c.expected) return;
          checked++;
          if (JSON.stringify(theirs[n]) !== JSON.stringify(c.expected)) return;
          held++;
          if (JSON.stringify(mine[n]) !== JSON.stringify(c.expected)) {
            wrong.push(
              `${c.name}: expected ${JSON.stringify(c.expected)}, got ${JSON.stringify(mine[n])}`,
            );
          }
        });
        console.log(`${file}.test: ${held} of ${checked} cases held (those native sqlite3 passes)`);
        expect(wrong).toEqual([]);
        expect(held).toBeGreaterThan(0);
      },
    );
  }
});
