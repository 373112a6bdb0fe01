// First step of `npm start`, `npm test` and `npm run build`: plain Node, no
// dependencies, because it is what installs them. Installs node_modules when
// they are missing, then hands over to scripts/setup.ts (apt packages, the
// BusyBox source, the wasm build and the image, each cached).
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

function run(command, args) {
  const r = spawnSync(command, args, { cwd: root, stdio: "inherit" });
  if (r.error) {
    console.error(`overbox set-up: cannot run ${command}: ${r.error.message}`);
    process.exit(1);
  }
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// node_modules is (re)installed when missing or installed from another lock file.
const lock = createHash("sha256")
  .update(readFileSync(join(root, "package-lock.json")))
  .digest("hex");
const stamp = join(root, "node_modules", ".overbox-lock");
if (!existsSync(stamp) || readFileSync(stamp, "utf8") !== lock) {
  console.log("overbox set-up: installing npm packages (npm ci)");
  run("npm", ["ci", "--no-audit", "--no-fund"]);
  writeFileSync(stamp, lock);
}
run(process.execPath, [
  join(root, "node_modules", "tsx", "dist", "cli.mjs"),
  join(root, "scripts", "setup.ts"),
  ...process.argv.slice(2),
]);
