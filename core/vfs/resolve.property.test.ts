import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ErrnoError, type Errno } from "../errno.ts";
import { MemoryFilesystem } from "./memory.ts";
import { MAX_SYMLINK_HOPS, PATH_MAX, resolve } from "./resolve.ts";

/**
 * The path walk against a model of Linux's, on arbitrary trees of
 * directories, files and symlinks (to "..", "/", absolute and relative
 * targets, loops) and arbitrary paths. The model walks names, not inodes:
 * where it ends is a list of names from the root, so that nothing it
 * answers can be outside the root, and the walk must end at the same place
 * or with the same errno.
 */

type Node =
  | { type: "directory"; children: Record<string, Node> }
  | { type: "file" }
  | { type: "symlink"; target: string };

/** Names are few, so that paths and targets often meet what the tree holds. */
const NAME = fc.constantFrom("a", "b", "c");
const LONG_NAME = "x".repeat(256);

/** A path's components: names, "." and "..", empty (a doubled slash), too long, with a NUL. */
const COMPONENT = fc.oneof(
  { weight: 12, arbitrary: NAME },
  { weight: 4, arbitrary: fc.constantFrom(".", "..", "") },
  { weight: 1, arbitrary: fc.constantFrom(LONG_NAME, "x".repeat(255), "a\0b") },
);

const PATH = fc
  .tuple(fc.boolean(), fc.array(COMPONENT, { maxLength: 7 }), fc.boolean())
  .map(([absolute, parts, slash]) => `${absolute ? "/" : ""}${parts.join("/")}${slash ? "/" : ""}`);

/** Paths near PATH_MAX: slashes count as bytes too. */
const LONG_PATH = fc
  .tuple(fc.integer({ min: PATH_MAX - 4, max: PATH_MAX + 2 }), PATH)
  .map(([n, rest]) => "/".repeat(Math.max(0, n - rest.length)) + rest);

const { directory: TREE } = fc.letrec<{ node: Node; directory: Node }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small" },
    fc.constant<Node>({ type: "file" }),
    PATH.filter((t) => !t.includes("\0")).map((target): Node => ({ type: "symlink", target })),
    tie("directory"),
  ),
  directory: fc
    .dictionary(NAME, tie("node"), { maxKeys: 3 })
    .map((children): Node => ({ type: "directory", children })),
}));

/** Where the model's walk ends: a node's names from the root, or a missing last name. */
type Outcome = { at: string[] } | { missing: string[] } | { errno: Errno };

function nodeAt(root: Node, names: string[]): Node {
  let node = root;
  for (const name of names) node = (node as { children: Record<string, Node> }).children[name]!;
  return node;
}

function utf8Length(s: string): number {
  return new TextEncoder().encode(s).length;
}

/** Linux's path walk (fs/namei.c), on names. */
function model(root: Node, start: string[], path: string, follow: boolean): Outcome {
  if (path === "") return { errno: "ENOENT" };
  if (path.includes("\0")) return { errno: "EINVAL" };
  if (utf8Length(path) >= PATH_MAX) return { errno: "ENAMETOOLONG" };
  let at = path.startsWith("/") ? [] : start;
  let mustBeDirectory = path.endsWith("/");
  const pending = path.split("/").filter((c) => c !== "");
  let hops = 0;
  while (pending.length > 0) {
    const name = pending.shift()!;
    const last = pending.length === 0;
    if (utf8Length(name) > 255) return { errno: "ENAMETOOLONG" };
    if (name === "." || name === "..") {
      if (name === "..") at = at.slice(0, -1); // the root's parent is the root
      continue;
    }
    const node = (nodeAt(root, at) as { children: Record<string, Node> }).children[name];
    if (node === undefined) return last ? { missing: [...at, name] } : { errno: "ENOENT" };
    if (node.type === "symlink" && (!last || follow || mustBeDirectory)) {
      if (++hops > MAX_SYMLINK_HOPS) return { errno: "ELOOP" };
      if (node.target === "") return { errno: "ENOENT" };
      if (node.target.startsWith("/")) at = [];
      if (last && node.target.endsWith("/")) mustBeDirectory = true;
      pending.unshift(...node.target.split("/").filter((c) => c !== ""));
      continue;
    }
    if (last) {
      if (mustBeDirectory && node.type !== "directory") return { errno: "ENOTDIR" };
      return { at: [...at, name] };
    }
    if (node.type !== "directory") return { errno: "ENOTDIR" };
    at = [...at, name];
  }
  return { at };
}

/** The tree on a MemoryFilesystem, with the names of every inode and its directories. */
function build(root: Node) {
  const fs = new MemoryFilesystem();
  const owner = { uid: 0, gid: 0 };
  const names = new Map<number, string[]>([[fs.root, []]]);
  const directories: string[][] = [[]];
  const make = (dir: number, node: Node, at: string[]) => {
    if (node.type !== "directory") return;
    for (const [name, child] of Object.entries(node.children)) {
      const path = [...at, name];
      let ino: number;
      if (child.type === "directory") {
        ino = fs.mkdir(dir, name, 0o755, owner);
        directories.push(path);
        make(ino, child, path);
      } else if (child.type === "symlink") {
        ino = fs.symlink(dir, name, child.target, owner);
      } else {
        ino = fs.create(dir, name, { type: "file", mode: 0o644, ...owner });
      }
      names.set(ino, path);
    }
  };
  make(fs.root, root, []);
  const inoOf = new Map([...names].map(([ino, path]) => [path.join("/"), ino]));
  return { fs, names, directories, inoOf };
}

/** What `resolve` answers, in the model's terms. */
function walk(
  built: ReturnType<typeof build>,
  start: string[],
  path: string,
  follow: boolean,
): Outcome {
  const { fs, names, inoOf } = built;
  try {
    const r = resolve(fs, inoOf.get(start.join("/"))!, path, { follow });
    const dir = names.get(r.dir);
    expect(dir, "the directory is one of the tree's").toBeDefined();
    if (r.ino === null) return { missing: [...dir!, r.name] };
    const at = names.get(r.ino);
    expect(at, "the inode is one of the tree's, reachable from the root").toBeDefined();
    return { at: at! };
  } catch (e) {
    if (!(e instanceof ErrnoError)) throw e;
    return { errno: e.errno };
  }
}

const RUNS = { numRuns: 400 };

describe("the path walk, on arbitrary trees and paths", () => {
  it("ends where Linux's walk ends, or with its errno, and never outside the root", () => {
    fc.assert(
      fc.property(
        TREE,
        fc.oneof({ weight: 9, arbitrary: PATH }, { weight: 1, arbitrary: LONG_PATH }),
        fc.nat(),
        fc.boolean(),
        (tree, path, pick, follow) => {
          const built = build(tree);
          const start = built.directories[pick % built.directories.length]!;
          expect(walk(built, start, path, follow)).toEqual(model(tree, start, path, follow));
        },
      ),
      RUNS,
    );
  });

  it("keeps .. at the root: any walk of only . and .. from the root ends there", () => {
    fc.assert(
      fc.property(
        TREE,
        fc.array(fc.constantFrom(".", "..", ""), { minLength: 1, maxLength: 10 }),
        fc.boolean(),
        (tree, parts, absolute) => {
          const built = build(tree);
          const path = `${absolute ? "/" : ""}${parts.join("/")}` || "/";
          expect(walk(built, [], path, true)).toEqual({ at: [] });
        },
      ),
      RUNS,
    );
  });

  it("answers ELOOP for a loop of symlinks, however it is entered", () => {
    fc.assert(
      fc.property(
        fc.array(NAME, { minLength: 1, maxLength: 3 }),
        PATH.filter((p) => !p.includes("\0") && p.length < 100),
        (cycle, rest) => {
          // a -> b -> ... -> a, each link a name of the root: never resolves.
          const names = [...new Set(cycle)];
          const children: Record<string, Node> = {};
          names.forEach((name, i) => {
            children[name] = { type: "symlink", target: `/${names[(i + 1) % names.length]}` };
          });
          const built = build({ type: "directory", children });
          expect(walk(built, [], `/${names[0]}/${rest}`, true)).toEqual({ errno: "ELOOP" });
        },
      ),
      RUNS,
    );
  });

  it("answers EINVAL for a path with a NUL byte, wherever the NUL is", () => {
    fc.assert(
      fc.property(TREE, PATH, fc.nat(), (tree, path, at) => {
        const built = build(tree);
        const i = at % (path.length + 1);
        const withNul = `${path.slice(0, i)}\0${path.slice(i)}`;
        expect(walk(built, [], withNul, true)).toEqual({ errno: "EINVAL" });
      }),
      RUNS,
    );
  });
});

describe("the path walk, at Linux's limits", () => {
  const built = build({
    type: "directory",
    children: {
      d: { type: "directory", children: {} },
      f: { type: "file" },
      "to-file-slash": { type: "symlink", target: "f/" },
      "to-dir-slash": { type: "symlink", target: "d/" },
      chain: { type: "symlink", target: "to-file-slash" },
    },
  });

  it.each([
    ["a path of PATH_MAX - 1 bytes", "/".repeat(PATH_MAX - 2) + "d", { at: ["d"] }],
    ["a path of PATH_MAX bytes", "/".repeat(PATH_MAX - 1) + "d", { errno: "ENAMETOOLONG" }],
    ["a name of NAME_MAX bytes", `d/${"x".repeat(255)}`, { missing: ["d", "x".repeat(255)] }],
    ["a name of NAME_MAX + 1 bytes", `d/${"x".repeat(256)}`, { errno: "ENAMETOOLONG" }],
    [
      "a name of 256 bytes in 128 two-byte characters",
      `d/${"é".repeat(128)}`,
      { errno: "ENAMETOOLONG" },
    ],
    ["a long name under a missing directory", `none/${"x".repeat(256)}`, { errno: "ENOENT" }],
    ["a file as a directory", "f/x", { errno: "ENOTDIR" }],
    ["a file with a trailing slash", "f/", { errno: "ENOTDIR" }],
    ["a symlink to `file/`", "to-file-slash", { errno: "ENOTDIR" }],
    ["a symlink to a symlink to `file/`", "chain", { errno: "ENOTDIR" }],
    ["a symlink to `dir/`", "to-dir-slash", { at: ["d"] }],
  ] as Array<[string, string, Outcome]>)("answers as Linux does for %s", (_what, path, outcome) => {
    expect(walk(built, [], path, true)).toEqual(outcome);
  });

  it("does not follow a last symlink to `file/` when told not to", () => {
    expect(walk(built, [], "to-file-slash", false)).toEqual({ at: ["to-file-slash"] });
  });
});
