import js from "@eslint/js";
import tseslint from "typescript-eslint";

/**
 * The platform boundaries (README, "A tour of the folders"): which folders
 * a folder's code may not import. The TypeScript project references
 * (core/, browser/, node/, src/ tsconfig.json) refuse the same imports;
 * this says why, in one line, and covers cli/. Tests and test helpers may
 * import across, to run one suite against every platform's stores.
 */
const outside = (folders) => `^(\\.\\./)+(${folders.join("|")})/`;
const boundaries = [
  {
    files: ["core/**/*.ts"],
    forbid: ["browser", "node", "cli", "src", "rootfs", "scripts"],
    why: "the core is platform-neutral: it imports no browser, Node or command code",
    node: true,
  },
  {
    files: ["browser/**/*.ts"],
    forbid: ["node", "cli", "src", "rootfs", "scripts"],
    why: "the browser's code imports the core, never Node's code or the pages",
    node: true,
  },
  {
    files: ["node/**/*.ts"],
    forbid: ["browser", "cli", "src", "rootfs", "scripts"],
    why: "Node's code imports the core, never the browser's code or the command",
  },
  {
    files: ["cli/**/*.ts"],
    forbid: ["browser", "src", "rootfs", "scripts"],
    why: "the command runs on the core and Node's code",
  },
];

export default tseslint.config(
  { ignores: ["build/", "dist/", "node_modules/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["scripts/**/*.mjs", "bin/**/*.mjs", "cli/**/*.mjs", "e2e/**/*.mjs"],
    languageOptions: { globals: { process: "readonly", console: "readonly" } },
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
  ...boundaries.map(({ files, forbid, why, node }) => ({
    files,
    ignores: ["**/*.test.ts", "core/testing/**"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            { regex: outside(forbid), message: `Across a platform boundary: ${why}.` },
            ...(node ? [{ regex: "^node:", message: `A Node module: ${why}.` }] : []),
          ],
        },
      ],
    },
  })),
  {
    // The process kernel depends on the filesystem interface and its own
    // files only: what runs programs implements its Program interface.
    files: ["core/kernel/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^\\.\\./(wasi|overlay|image|container|store)/",
              message:
                "The process kernel imports only vfs/ and its own files: it defines what the rest implements (core/kernel/program.ts).",
            },
            {
              regex: outside(["browser", "node", "cli", "src", "rootfs", "scripts"]),
              message:
                "Across a platform boundary: the core imports no browser, Node or command code.",
            },
            { regex: "^node:", message: "A Node module: the core is platform-neutral." },
          ],
        },
      ],
    },
  },
  {
    // src/ may import the worker's API types, and nothing else of it.
    files: ["src/**/*.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: outside(["core", "node", "cli", "rootfs", "scripts"]),
              message:
                "Across a platform boundary: the pages reach the worker only through browser/protocol.ts's types.",
            },
            {
              regex: "^(\\.\\./)+browser/(?!protocol\\.ts$)",
              message: "The pages import only browser/protocol.ts of the worker.",
            },
            {
              regex: "^(\\.\\./)+browser/protocol\\.ts$",
              allowTypeImports: true,
              message: "The pages import only types from browser/protocol.ts.",
            },
          ],
        },
      ],
    },
  },
);
