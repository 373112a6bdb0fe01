/**
 * BusyBox's own test suite, run inside the container: the source package's
 * testsuite/ (the one the image was built from, found through
 * build/busybox-build.json) is copied into the container and its driver
 * `runtest -v` runs there against the image's /bin/busybox and the build's
 * .config, with the shell, pipes and processes of the kernel.
 *
 * The outcome is compared with rootfs/testsuite.expected, which lists every
 * test expected to fail and every test not run, each with its reason. The
 * test fails when a test fails that is not listed, when a listed failure
 * passes, or when a listed name does not occur at all, so that the file
 * stays true.
 *
 * The suite runs as upstream runs it, with `SKIP_KNOWN_BUGS` set (tests
 * upstream marks as its own known bugs are left out) and every applet the
 * suite has tests for named on runtest's command line (so an applet that is
 * not built says so). Two changes, both driven by the expectations file: a
 * `SKIP: APPLET.tests` entry leaves APPLET off that command line, and the
 * container's copy of testing.sh answers `SKIPPED` for a test a `SKIP: NAME`
 * entry names (see `skipHook`).
 *
 * OVERBOX_TESTSUITE_LOG=FILE keeps runtest's whole output (with -v: the
 * diff of every failure) in FILE.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { DEFAULT_PATH } from "../core/kernel/kernel.ts";
import { InputStream, OutputStream } from "../core/kernel/open-file.ts";
import { SIGKILL } from "../core/kernel/signals.ts";
import { resolve } from "../core/vfs/resolve.ts";
import { busyboxBuild, copyIntoContainer, latin1, loadBaseImage } from "./testing.ts";

const EXPECTED = join(dirname(fileURLToPath(import.meta.url)), "testsuite.expected");
/** The source tree's layout: runtest takes bindir (busybox, .config) to be tsdir's parent. */
const BINDIR = "/usr/src/busybox";
const TSDIR = `${BINDIR}/testsuite`;
/** The whole run; past it the run is killed and the test fails with the output's tail. */
const RUN_TIMEOUT_MS = 10 * 60_000;
const ENV = [
  `PATH=${DEFAULT_PATH}`,
  "HOME=/root",
  "USER=root",
  "LOGNAME=root",
  "SHELL=/bin/sh",
  "LANG=C",
  "SKIP_KNOWN_BUGS=1",
  "SKIP_INTERNET_TESTS=1",
];

interface Expectations {
  /** Tests expected to fail, by name, with the reason. */
  fail: Map<string, string>;
  /** Tests not run, by name. */
  skip: Map<string, string>;
  /** Applets whose APPLET.tests is not run. */
  skipFiles: Map<string, string>;
}

/**
 * testsuite.expected, one entry a line (`#` starts a comment line):
 *
 *     FAIL: NAME — REASON          the test runs and is expected to fail
 *     SKIP: NAME — REASON          the test does not run
 *     SKIP: APPLET.tests — REASON  that file of the suite does not run
 *
 * NAME is what runtest prints after PASS: or FAIL:; the separator is an em
 * dash with a space each side.
 */
function readExpectations(): Expectations {
  const e: Expectations = { fail: new Map(), skip: new Map(), skipFiles: new Map() };
  readFileSync(EXPECTED, "utf8")
    .split("\n")
    .forEach((line, i) => {
      if (line.trim() === "" || line.startsWith("#")) return;
      const m = /^(FAIL|SKIP): (.+?) — (.+)$/.exec(line);
      if (!m) throw new Error(`testsuite.expected:${i + 1}: not "FAIL|SKIP: name — reason"`);
      const [, kind, name, reason] = m as unknown as [string, string, string, string];
      const file = /^(.+)\.tests$/.exec(name);
      const map = kind === "FAIL" ? e.fail : file ? e.skipFiles : e.skip;
      const key = kind === "SKIP" && file ? file[1]! : name;
      if (map.has(key)) throw new Error(`testsuite.expected:${i + 1}: ${name} is listed twice`);
      map.set(key, reason);
    });
  return e;
}

/**
 * The container's testing.sh, with one line added at the top of `testing`:
 * a test named in $OVERBOX_SKIP ("|name|name|") prints SKIPPED, as a test
 * of an option that is not built does, and does not run.
 */
function skipHook(testingSh: string): string {
  const anchor = '  [ -n "$1" ] || NAME="$2"\n';
  if (!testingSh.includes(anchor))
    throw new Error("testing.sh changed: no place for the skip hook");
  return testingSh.replace(
    anchor,
    `${anchor}  case "$OVERBOX_SKIP" in *"|$NAME|"*) echo "SKIPPED: $NAME"; return 0;; esac\n`,
  );
}

/** The applets the suite has tests for: a directory of old-style tests, or APPLET.tests. */
function suiteApplets(testsuite: string): string[] {
  const applets = new Set<string>();
  for (const entry of readdirSync(testsuite)) {
    if (entry.endsWith(".tests")) applets.add(entry.slice(0, -".tests".length));
    else if (statSync(join(testsuite, entry)).isDirectory()) applets.add(entry);
  }
  return [...applets].sort();
}

/** What runtest printed: each test name with its outcomes (a name may occur more than once). */
function outcomes(output: string): Map<string, Set<string>> {
  const seen = new Map<string, Set<string>>();
  for (const line of output.split("\n")) {
    const m = /^(PASS|FAIL|SKIPPED|UNTESTED): (.*)$/.exec(line);
    if (!m) continue;
    const set = seen.get(m[2]!) ?? new Set<string>();
    set.add(m[1]!);
    seen.set(m[2]!, set);
  }
  return seen;
}

describe("BusyBox's test suite", () => {
  it(
    "passes except for the tests listed in testsuite.expected",
    async () => {
      const expected = readExpectations();
      const build = busyboxBuild();
      const testsuite = join(build.source, "testsuite");
      const applets = suiteApplets(testsuite);
      for (const applet of expected.skipFiles.keys()) {
        expect(applets, `SKIP: ${applet}.tests names no file of the suite`).toContain(applet);
      }

      const { fs, runner } = await loadBaseImage();
      const root = { uid: 0, gid: 0 };
      copyIntoContainer(fs, testsuite, TSDIR);
      const bindir = resolve(fs, fs.root, BINDIR, { follow: true }).ino!;
      fs.symlink(bindir, "busybox", "/bin/busybox", root);
      const config = fs.create(bindir, ".config", { type: "file", mode: 0o644, ...root });
      fs.write(config, 0, readFileSync(join(build.out, "busybox.config")));
      const testing = resolve(fs, fs.root, `${TSDIR}/testing.sh`, { follow: true }).ino!;
      const hooked = skipHook(readFileSync(join(testsuite, "testing.sh"), "latin1"));
      fs.truncate(testing, 0);
      fs.write(testing, 0, Buffer.from(hooked, "latin1"));

      const out = new OutputStream();
      const started = Date.now();
      const proc = await runner.spawn({
        args: ["sh", "runtest", "-v", ...applets.filter((a) => !expected.skipFiles.has(a))],
        env: [...ENV, `OVERBOX_SKIP=|${[...expected.skip.keys()].join("|")}|`],
        cwd: TSDIR,
        stdio: [new InputStream(), out, out],
      });
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        runner.signalGroup(proc.pgid, SIGKILL);
      }, RUN_TIMEOUT_MS);
      await runner.waitFor(proc);
      clearTimeout(timer);
      const output = latin1(out.bytes());
      const log = process.env.OVERBOX_TESTSUITE_LOG;
      if (log) writeFileSync(log, output, "latin1");
      const seconds = Math.round((Date.now() - started) / 1000);
      expect(
        timedOut,
        `runtest still running after ${seconds} s; its output ends:\n${output.slice(-3000)}`,
      ).toBe(false);

      const seen = outcomes(output);
      const count = (k: string) => output.split("\n").filter((l) => l.startsWith(`${k}: `)).length;
      console.log(
        `BusyBox's test suite, ${seconds} s: ${count("PASS")} passed, ${count("FAIL")} failed, ` +
          `${count("SKIPPED")} skipped, ${count("UNTESTED")} untested`,
      );

      const problems: string[] = [];
      for (const [name, set] of seen) {
        const reason = expected.fail.get(name);
        if (set.has("FAIL") && reason === undefined) problems.push(`fails, not listed: ${name}`);
        if (reason !== undefined && !set.has("FAIL") && set.has("PASS")) {
          problems.push(`passes, listed as failing (${reason}): ${name}`);
        }
        if (expected.skip.has(name) && !set.has("SKIPPED")) {
          problems.push(`ran, listed as skipped: ${name}`);
        }
      }
      for (const name of [...expected.fail.keys(), ...expected.skip.keys()]) {
        if (!seen.has(name)) problems.push(`listed, but no test has this name: ${name}`);
      }
      expect(
        problems,
        "OVERBOX_TESTSUITE_LOG=FILE keeps runtest's whole output, with the diff of each failure; " +
          `it ends:\n${output.slice(-3000)}`,
      ).toEqual([]);
    },
    RUN_TIMEOUT_MS + 60_000,
  );
});
