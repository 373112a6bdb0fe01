// `npm test`'s browser suite: every test of e2e/ and faults/ (vitest's
// e2e/vitest.config.ts), once per browser, one after another: Chromium,
// Firefox, WebKit with its defaults, and WebKit with Safari's storage
// features on (OVERBOX_BROWSER, read by e2e/browser.ts). Every one runs
// even when one fails; the last lines say how each did, naming each failed
// test with the first line of its error (CI keeps only the tail of the
// output), and the exit status is 1 if any failed. Arguments are passed to vitest (a file, -t
// NAME).
//
//   node e2e/engines.mjs [--only BROWSER[,BROWSER]] [VITEST ARGS...]
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The browsers, as e2e/browser.ts names them (its RUNS). */
const ENGINES = ["chromium", "firefox", "webkit", "webkit-safari"];

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const vitest = join(root, "node_modules", "vitest", "vitest.mjs");

let engines = ENGINES;
const args = process.argv.slice(2);
const only = args.indexOf("--only");
if (only >= 0) {
  engines = (args[only + 1] ?? "").split(",").filter(Boolean);
  args.splice(only, 2);
  const unknown = engines.filter((e) => !ENGINES.includes(e));
  if (engines.length === 0 || unknown.length > 0) {
    console.error(`e2e/engines.mjs: --only takes some of ${ENGINES.join(", ")}`);
    process.exit(2);
  }
}

/**
 * The failed tests of a vitest JSON report, each as "file > name: first
 * line of its error"; none when the report is missing (vitest did not get
 * as far as writing it).
 */
function failuresIn(report) {
  let parsed;
  try {
    parsed = JSON.parse(readFileSync(report, "utf8"));
  } catch {
    return [];
  }
  const failed = [];
  for (const file of parsed.testResults ?? []) {
    const name = file.name.startsWith(root) ? file.name.slice(root.length + 1) : file.name;
    const tests = (file.assertionResults ?? []).filter((t) => t.status === "failed");
    for (const test of tests) {
      const error = String(test.failureMessages?.[0] ?? "").split("\n")[0];
      failed.push(`${name} > ${test.title}: ${error.slice(0, 300)}`);
    }
    if (tests.length === 0 && file.status === "failed")
      failed.push(
        `${name}: ${String(file.message ?? "")
          .split("\n")[0]
          .slice(0, 300)}`,
      );
  }
  return failed;
}

const reports = join(root, "build", "e2e-reports");
mkdirSync(reports, { recursive: true });
const outcomes = [];
for (const engine of engines) {
  console.log(`\nbrowser suite in ${engine}`);
  const report = join(reports, `${engine}.json`);
  rmSync(report, { force: true });
  const started = Date.now();
  const run = spawnSync(
    process.execPath,
    [
      vitest,
      "run",
      "--config",
      "e2e/vitest.config.ts",
      "--reporter=default",
      "--reporter=json",
      `--outputFile.json=${report}`,
      ...args,
    ],
    { cwd: root, stdio: "inherit", env: { ...process.env, OVERBOX_BROWSER: engine } },
  );
  const seconds = Math.round((Date.now() - started) / 1000);
  const passed = run.status === 0;
  outcomes.push({ engine, passed, failures: passed ? [] : failuresIn(report) });
  console.log(`browser suite in ${engine}: ${passed ? "passed" : "FAILED"} (${seconds} s)`);
}

console.log("\nbrowser suite:");
for (const { engine, passed, failures } of outcomes) {
  console.log(`  ${engine}: ${passed ? "passed" : "FAILED"}`);
  for (const failure of failures) console.log(`    ${failure}`);
}
process.exit(outcomes.every((o) => o.passed) ? 0 : 1);
