// `npm test`'s browser suite: every test of e2e/ and faults/ (vitest's
// e2e/vitest.config.ts), once per browser, one after another: Chromium,
// Firefox, WebKit with its defaults, and WebKit with Safari's storage
// features on (OVERBOX_BROWSER, read by e2e/browser.ts). Every one runs
// even when one fails; the last lines say how each did, and the exit
// status is 1 if any failed. Arguments are passed to vitest (a file, -t
// NAME).
//
//   node e2e/engines.mjs [--only BROWSER[,BROWSER]] [VITEST ARGS...]
import { spawnSync } from "node:child_process";
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

const outcomes = [];
for (const engine of engines) {
  console.log(`\nbrowser suite in ${engine}`);
  const started = Date.now();
  const run = spawnSync(
    process.execPath,
    [vitest, "run", "--config", "e2e/vitest.config.ts", ...args],
    { cwd: root, stdio: "inherit", env: { ...process.env, OVERBOX_BROWSER: engine } },
  );
  const seconds = Math.round((Date.now() - started) / 1000);
  const passed = run.status === 0;
  outcomes.push({ engine, passed });
  console.log(`browser suite in ${engine}: ${passed ? "passed" : "FAILED"} (${seconds} s)`);
}

console.log("\nbrowser suite:");
for (const { engine, passed } of outcomes)
  console.log(`  ${engine}: ${passed ? "passed" : "FAILED"}`);
process.exit(outcomes.every((o) => o.passed) ? 0 : 1);
