#!/usr/bin/env node
// The `overbox` command (package.json "bin"): the CLI is TypeScript, run
// through tsx's loader (cli/main.ts).
import { register } from "tsx/esm/api";

register();
const { main } = await import("../cli/main.ts");
process.exit(await main(process.argv.slice(2)));
