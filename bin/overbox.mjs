#!/usr/bin/env node
// The `overbox` command (package.json "bin"): cli/main.ts, run from its
// bundle (cli/compile.mjs says why and when it is made).
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { compiled } from "../cli/compile.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { main } = await import(pathToFileURL(join(await compiled(), "main.js")).href);
process.exit(await main(process.argv.slice(2), join(root, "build", "public", "images")));
