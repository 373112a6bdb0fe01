/**
 * The `overbox` command: containers and images from a terminal or a script,
 * with Docker's verbs, kept in a state directory (cli/state.ts). Programs
 * run on a worker thread (cli/session.ts, cli/worker-thread.ts); the rest
 * works on the stored layers directly.
 *
 * Exit status: the command's for `run` and `exec` (125 when overbox itself
 * fails, 126 when the command cannot run, 127 when it is not found, as
 * `docker run`); otherwise 0, or 1 with one line on stderr.
 */
import { randomBytes } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { importLayer } from "../core/container/container.ts";
import { describeProblem } from "../core/overlay/fsck.ts";
import { putLayer, withLayer } from "../core/image/image.ts";
import { buildLayer } from "../core/image/layer.ts";
import { packDirectory } from "../node/pack.ts";
import { parseArgs, verbHelp, type Parsed, type VerbSpec } from "./args.ts";
import {
  asksForContents,
  copyTarget,
  destKind,
  readItem,
  writeItem,
} from "../core/container/copy.ts";
import { hostDestKind, readHostItem, writeHostItem } from "../node/copy.ts";
import { writeFileAtomic } from "../node/disk.ts";
import type { Holder } from "../node/lock.ts";
import type { SessionStart } from "./protocol.ts";
import { parsePublish } from "./publish.ts";
import { runSession } from "./session.ts";
import { BASE_IMAGE, checkImageName, describeHolder, reason, State, UserError } from "./state.ts";

interface Verb extends VerbSpec {
  /** A few words for `overbox --help`. */
  brief: string;
  run(state: State, args: Parsed): Promise<number>;
}

const IMAGE_OPTION = { name: "image", value: "IMAGE", help: `the image (default ${BASE_IMAGE})` };
const FROM_OPTION = {
  name: "from",
  value: "IMAGE",
  help: `the image below (default ${BASE_IMAGE})`,
};
const TAG_OPTION = { name: "tag", value: "NAME", help: "the new image's name (required)" };
const WORKDIR_OPTION = {
  name: "workdir",
  short: "w",
  value: "DIR",
  help: "the working directory, absolute (made if missing; default the image's)",
};
const INTERACTIVE_OPTION = {
  name: "interactive",
  short: "i",
  help: "pass stdin to the command (without it, the command reads end-of-file)",
};
const TTY_OPTION = {
  name: "tty",
  short: "t",
  help: "give the command a terminal (with -i: the host's, in raw mode, Ctrl-C included)",
};
const ENV_OPTION = {
  name: "env",
  short: "e",
  value: "K=V",
  multiple: true,
  help: "set an environment variable (K alone: the host's value)",
};

const NETWORK_OPTION = {
  name: "network",
  value: "MODE",
  help: "none: only the container's loopback (default: HTTP out through the host's fetch)",
};

const PUBLISH_OPTION = {
  name: "publish",
  short: "p",
  value: "[IP:]HOST:CONTAINER",
  multiple: true,
  help: "publish a TCP port of the container on the host's port (while the command runs)",
};

const out = (text: string | Uint8Array) => process.stdout.write(text);

/**
 * `NAME:PATH`, a path in container NAME (absolute; a relative one is from
 * `/`), or null for a host path: as in docker cp, a path with a colon
 * that starts with `/` or `.` is the host's.
 */
function containerPath(arg: string): { name: string; path: string } | null {
  const colon = arg.indexOf(":");
  if (colon <= 0 || arg.startsWith("/") || arg.startsWith(".")) return null;
  const path = arg.slice(colon + 1);
  return { name: arg.slice(0, colon), path: path.startsWith("/") ? path : `/${path}` };
}

/** Says once, on a terminal, that a command waits for another to finish with the container. */
function waitingNote(name: string): (holder: Holder) => void {
  return (holder) => {
    if (process.stderr.isTTY) {
      process.stderr.write(
        `overbox: waiting for container ${name}, in use by ${describeHolder(holder)}\n`,
      );
    }
  };
}

function option(args: Parsed, name: string): string | undefined {
  const v = args.options.get(name);
  return typeof v === "string" ? v : undefined;
}

function required(args: Parsed, name: string): string {
  const v = option(args, name);
  if (v === undefined) throw new UserError(`--${name} is required`);
  return v;
}

/** --tag: a valid image name, not one of the set-up's images' (busybox, tools...). */
function newTag(args: Parsed, state: State): string {
  const tag = required(args, "tag");
  checkImageName(tag);
  if (tag === BASE_IMAGE)
    throw new UserError(`${BASE_IMAGE} is the base image: choose another --tag`);
  if (state.isBuilt(tag)) throw new UserError(`${tag} is a built image: choose another --tag`);
  return tag;
}

/** Refuses an output path that names a directory, or whose directory does not exist. */
async function checkOutput(file: string): Promise<void> {
  const found = await stat(file).catch(() => null);
  if (found?.isDirectory()) throw new UserError(`${file} is a directory: give a file's path`);
  const parent = dirname(file);
  const dir = await stat(parent).catch(() => null);
  if (!dir?.isDirectory()) throw new UserError(`no directory ${parent} to write ${file} in`);
}

function humanSize(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let n = bytes;
  let u = 0;
  while (n >= 1000 && u < units.length - 1) {
    n /= 1000;
    u++;
  }
  return u === 0 ? `${n} B` : `${n.toFixed(n < 10 ? 1 : 0)} ${units[u]}`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return (
    rows
      .map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("   "))
      .join("\n") + "\n"
  );
}

/** `-e` values: NAME=value as given; NAME alone takes the host's value, or is left out. */
function environment(args: Parsed): string[] {
  const given = (args.options.get("env") as string[] | undefined) ?? [];
  const out: string[] = [];
  for (const e of given) {
    const eq = e.indexOf("=");
    const name = eq < 0 ? e : e.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      throw new UserError(`invalid variable name in -e ${e}`);
    if (eq >= 0) out.push(e);
    else if (process.env[name] !== undefined) out.push(`${name}=${process.env[name]}`);
  }
  return out;
}

/** What `run` and `exec` start on the worker thread, from their options. */
function sessionStart(state: State, name: string, args: Parsed): SessionStart {
  const cwd = option(args, "workdir");
  if (cwd !== undefined && !cwd.startsWith("/")) {
    throw new UserError(`the working directory "${cwd}" must be an absolute path`);
  }
  const network = option(args, "network");
  if (network !== undefined && network !== "none" && network !== "default") {
    throw new UserError(`--network ${network}: the modes are none and default`);
  }
  const tty = args.options.has("tty");
  const stdin = args.options.has("interactive");
  if (tty && stdin && !process.stdin.isTTY) {
    throw new UserError("-it needs a terminal, and stdin is not one (leave out -t)");
  }
  const start: SessionStart = {
    state: state.dir,
    container: name,
    args: args.command,
    env: environment(args),
    stdin,
    network: network !== "none",
    publish: ((args.options.get("publish") as string[] | undefined) ?? []).map((spec) => {
      const p = parsePublish(spec);
      if (!p) throw new UserError(`-p ${spec}: give HOST_PORT:CONTAINER_PORT, as 8080:80`);
      return p;
    }),
  };
  if (cwd !== undefined) start.cwd = cwd;
  if (tty) {
    start.tty = process.stdout.isTTY
      ? { rows: process.stdout.rows, cols: process.stdout.columns }
      : { rows: 24, cols: 80 };
  }
  return start;
}

const VERBS: Verb[] = [
  {
    name: "images",
    brief: "list images",
    summary: "Lists the images: name, layers, size.",
    positionals: [],
    options: [],
    async run(state) {
      const rows = [["NAME", "LAYERS", "SIZE"]];
      for (const m of await state.images()) {
        let size = 0;
        for (const l of m.layers) size += l.size + (await state.layerDataSize(l.digest));
        rows.push([m.name, String(m.layers.length), humanSize(size)]);
      }
      out(table(rows));
      return 0;
    },
  },
  {
    name: "image build",
    brief: "a directory as a new image layer",
    summary:
      "Makes a new image: the directory DIR (its files, modes, symlinks and hard links, owned by root) as a new top layer on --from.",
    positionals: ["DIR"],
    options: [FROM_OPTION, TAG_OPTION],
    async run(state, args) {
      const dir = args.positionals[0]!;
      const tag = newTag(args, state);
      const from = await state.image(option(args, "from") ?? BASE_IMAGE);
      if (!(await stat(dir).catch(() => null))?.isDirectory()) {
        throw new UserError(`${dir} is not a directory`);
      }
      const entries = await packDirectory(dir, { owner: { uid: 0, gid: 0 } });
      const layer = await buildLayer(entries);
      await putLayer(state.blobs, layer);
      await state.saveImage(withLayer(from, layer, tag).manifest);
      out(`${tag}\n`);
      return 0;
    },
  },
  {
    name: "image import",
    brief: "an OCI layer tar as a new image layer",
    summary:
      "Makes a new image: an OCI layer tar (whiteouts .wh.NAME and opaque markers .wh..wh..opq honoured) as a new top layer on --from. An entry that escapes the root is refused, and nothing is stored.",
    positionals: ["FILE.tar"],
    options: [FROM_OPTION, TAG_OPTION],
    async run(state, args) {
      const file = args.positionals[0]!;
      const tag = newTag(args, state);
      const from = await state.image(option(args, "from") ?? BASE_IMAGE);
      let tar: Uint8Array;
      try {
        tar = await readFile(file);
      } catch (e) {
        throw new UserError(`cannot read ${file}: ${reason(e)}`);
      }
      let image;
      try {
        image = await importLayer(from, tar, state.blobs, tag);
      } catch (e) {
        throw new UserError(`${file}: ${reason(e)}`);
      }
      await state.saveImage(image.manifest);
      out(`${tag}\n`);
      return 0;
    },
  },
  {
    name: "image rm",
    brief: "remove an image",
    summary: "Removes an image (refused while a container runs it).",
    positionals: ["NAME"],
    options: [],
    async run(state, args) {
      await state.removeImage(args.positionals[0]!);
      return 0;
    },
  },
  {
    name: "create",
    brief: "make a container",
    summary: "Makes a container of an image, with an empty upper layer.",
    positionals: ["NAME"],
    options: [IMAGE_OPTION],
    async run(state, args) {
      const name = args.positionals[0]!;
      state.containerDir(name);
      if (!(await state.createContainer(name, option(args, "image") ?? BASE_IMAGE))) {
        throw new UserError(`container ${name} already exists`);
      }
      return 0;
    },
  },
  {
    name: "ps",
    brief: "list containers",
    summary:
      "Lists the containers: name, image, size of the upper layer, and the command using it.",
    positionals: [],
    options: [],
    async run(state) {
      const rows = [["NAME", "IMAGE", "SIZE", "IN USE BY"]];
      for (const c of await state.containers()) {
        rows.push([c.name, c.image, humanSize(c.size), c.user ? describeHolder(c.user) : "-"]);
      }
      out(table(rows));
      return 0;
    },
  },
  {
    name: "rm",
    brief: "remove a container",
    summary: "Removes a container and its upper layer (refused while a command uses it).",
    positionals: ["NAME"],
    options: [],
    async run(state, args) {
      const name = args.positionals[0]!;
      await state.removeContainer(name, `overbox rm ${name}`);
      return 0;
    },
  },
  {
    name: "run",
    brief: "run a command in a container (made if missing)",
    summary:
      "Runs CMD in a container, made first if it does not exist (its name: --name, or a new one). Without CMD, the image's command (a login shell). The exit status is CMD's.",
    positionals: [],
    command: true,
    options: [
      { name: "name", value: "NAME", help: "the container (made from --image if missing)" },
      IMAGE_OPTION,
      { name: "rm", help: "remove the container when CMD ends (it must be a new one)" },
      WORKDIR_OPTION,
      ENV_OPTION,
      NETWORK_OPTION,
      PUBLISH_OPTION,
      INTERACTIVE_OPTION,
      TTY_OPTION,
    ],
    more: "Example: overbox run --rm -it -- sh",
    async run(state, args) {
      const given = option(args, "name");
      const name = given ?? `box-${randomBytes(4).toString("hex")}`;
      const image = option(args, "image");
      const start = sessionStart(state, name, args);
      if (args.options.has("rm") && state.exists(name)) {
        // --rm removes what this run made: never a container kept from before.
        throw new UserError(
          `container ${name} exists: --rm would remove it (use overbox exec ${name}, or another --name)`,
        );
      }
      if (!state.exists(name)) {
        await state.createContainer(name, image ?? BASE_IMAGE);
      } else if (image !== undefined) {
        const running = (await state.container(name))?.image;
        if (running !== image) {
          throw new UserError(`container ${name} exists and runs image ${running}, not ${image}`);
        }
      }
      try {
        return await state.withLock(
          name,
          `overbox run ${name}`,
          () => runSession(start),
          waitingNote(name),
        );
      } finally {
        if (args.options.has("rm")) await state.removeContainer(name, `overbox run --rm ${name}`);
      }
    },
  },
  {
    name: "exec",
    brief: "run a command in a container",
    summary: "Runs CMD in an existing container. The exit status is CMD's.",
    positionals: ["NAME"],
    command: true,
    options: [ENV_OPTION, WORKDIR_OPTION, INTERACTIVE_OPTION, TTY_OPTION, NETWORK_OPTION],
    async run(state, args) {
      const name = args.positionals[0]!;
      if (args.command.length === 0) throw new UserError("missing CMD (see overbox exec --help)");
      const start = sessionStart(state, name, args);
      return state.withLock(
        name,
        `overbox exec ${name}`,
        () => runSession(start),
        waitingNote(name),
      );
    },
  },
  {
    name: "diff",
    brief: "what a container changed",
    summary: "Lists what the container changed in its image: A added, C changed, D deleted.",
    positionals: ["NAME"],
    options: [],
    async run(state, args) {
      const name = args.positionals[0]!;
      const changes = await state.withContainer(
        name,
        `overbox diff ${name}`,
        async (c) => c.diff(),
        waitingNote(name),
      );
      out(changes.map((c) => `${c.kind} ${c.path}\n`).join(""));
      return 0;
    },
  },
  {
    name: "fsck",
    brief: "check a container's stored state",
    summary:
      "Checks the container's stored state and changes nothing: every record readable, every file reachable from /, link counts, every chunk of data present and within its file, copied-up files' bases in the image, no stray whiteout. Prints each problem, then a summary. Exit status 0 when consistent, 1 when not.",
    positionals: ["NAME"],
    options: [],
    async run(state, args) {
      const name = args.positionals[0]!;
      const report = await state.checkContainer(name);
      for (const p of report.problems) out(`${describeProblem(p)}\n`);
      const n = report.problems.length;
      const verdict = n === 0 ? "consistent" : `${n} problem${n === 1 ? "" : "s"}`;
      out(
        `${name}: ${verdict}; ${report.inodes} inodes (${report.directories} directories, ${report.files} files), ` +
          `${report.chunks} chunks (${humanSize(report.bytes)}), ${report.whiteouts} whiteouts` +
          (report.orphans > 0 ? `, ${report.orphans} orphans to remove at the next open` : "") +
          "\n",
      );
      return n === 0 ? 0 : 1;
    },
  },
  {
    name: "export",
    brief: "a container's tree, or its layer, as a tar",
    summary:
      "Writes the container's merged tree as a tar (--layer: its upper layer only, as an OCI layer with whiteouts) to FILE, or to stdout.",
    positionals: ["NAME"],
    options: [
      {
        name: "output",
        short: "o",
        value: "FILE",
        help: "where to write the tar (default stdout)",
      },
      { name: "layer", help: "the upper layer only, as an OCI layer tar" },
    ],
    async run(state, args) {
      const name = args.positionals[0]!;
      const file = option(args, "output");
      if (file === undefined && process.stdout.isTTY) {
        throw new UserError(
          "refusing to write a tar to a terminal: give -o FILE or redirect stdout",
        );
      }
      if (file !== undefined) await checkOutput(file);
      const layer = args.options.has("layer");
      const tar = await state.withContainer(
        name,
        `overbox export ${name}`,
        (c) => (layer ? c.exportLayer() : c.export()),
        waitingNote(name),
      );
      if (file === undefined) out(tar);
      else await writeFileAtomic(file, tar);
      return 0;
    },
  },
  {
    name: "cp",
    brief: "copy files between the host and a container",
    summary:
      "Copies a file or a directory tree from the host into a container (DEST is NAME:PATH) or out of one (SRC is NAME:PATH), as docker cp does: into DEST if it is a directory, else to DEST; SRC ending in /. copies a directory's contents. Modes and mtimes are kept, symlinks are copied as links, and files in the container are root's.",
    positionals: ["SRC", "DEST"],
    options: [],
    more: "Example: overbox cp ./prog.wasm box:/usr/local/bin/",
    async run(state, args) {
      const [src, dest] = args.positionals as [string, string];
      const from = containerPath(src);
      const to = containerPath(dest);
      if ((from === null) === (to === null)) {
        throw new UserError(
          "one of SRC and DEST must be a container's path, NAME:PATH (and only one)",
        );
      }
      if (to) {
        const item = await readHostItem(src);
        await state.withContainer(
          to.name,
          `overbox cp ${to.name}`,
          async (c) => {
            const target = copyTarget(item, to.path, destKind(c.fs, to.path), asksForContents(src));
            await writeItem(c.fs, target, item);
            await c.sync();
          },
          waitingNote(to.name),
        );
      } else {
        const item = await state.withContainer(
          from!.name,
          `overbox cp ${from!.name}`,
          (c) => readItem(c.fs, from!.path),
          waitingNote(from!.name),
        );
        const target = copyTarget(item, dest, await hostDestKind(dest), asksForContents(src));
        await writeHostItem(target, item);
      }
      return 0;
    },
  },
  {
    name: "commit",
    brief: "a container's changes as a new image",
    summary:
      "Makes the container's upper layer a new image layer, tagged --tag; the container goes on from that image with an empty upper layer.",
    positionals: ["NAME"],
    options: [TAG_OPTION],
    async run(state, args) {
      const name = args.positionals[0]!;
      const tag = newTag(args, state);
      await state.withContainer(
        name,
        `overbox commit ${name}`,
        (c) => c.commit(state.blobs, tag, (image) => state.saveImage(image.manifest)),
        waitingNote(name),
      );
      out(`${tag}\n`);
      return 0;
    },
  },
  {
    name: "reset",
    brief: "drop a container's changes",
    summary: "Drops every change of the container: it is its image again.",
    positionals: ["NAME"],
    options: [],
    async run(state, args) {
      const name = args.positionals[0]!;
      await state.withContainer(name, `overbox reset ${name}`, (c) => c.reset(), waitingNote(name));
      return 0;
    },
  },
];

/** `image ls` is `images`, as in docker. */
const ALIASES: Record<string, string> = { "image ls": "images" };

/** The help of the `image` group: its verbs. */
function imageHelp(): string {
  return commandHelp(
    "Usage: overbox image COMMAND [OPTIONS] [ARGS]",
    "Images: read-only layers that containers start from.",
    VERBS.filter((v) => v.name.startsWith("image ")),
  );
}

function overallHelp(): string {
  return commandHelp(
    "Usage: overbox [--state DIR] COMMAND [OPTIONS] [ARGS]",
    "Linux-like containers: BusyBox on WebAssembly over an overlay filesystem.",
    VERBS,
  );
}

/** A usage line, a summary, and each verb with its brief. */
function commandHelp(usage: string, summary: string, verbs: Verb[]): string {
  const rows = verbs.map((v) => {
    const names = v.positionals.join(" ");
    return [`${v.name}${names ? " " + names : ""}${v.command ? " -- CMD" : ""}`, v.brief];
  });
  const width = Math.max(...rows.map(([a]) => a!.length));
  return [
    usage,
    "",
    summary,
    "",
    "Commands:",
    ...rows.map(([a, b]) => `  ${a!.padEnd(width)}  ${b}`),
    "",
    "State: --state DIR, else $OVERBOX_HOME, else ~/.overbox.",
    "Run 'overbox COMMAND --help' for a command's options.",
    "",
  ].join("\n");
}

/**
 * Runs the command line `argv` (without node and the script); resolves with
 * the exit status. `builtImages` is where the set-up writes the base image.
 */
export async function main(argv: string[], builtImages: string): Promise<number> {
  // Options before the verb: only --state and --help.
  let stateFlag: string | undefined;
  let i = 0;
  for (; i < argv.length && argv[i]!.startsWith("-"); i++) {
    const a = argv[i]!;
    if (a === "--help" || a === "-h") {
      out(overallHelp());
      return 0;
    }
    if (a === "--state") {
      if (argv[i + 1] === undefined) {
        process.stderr.write("overbox: option --state needs a value (DIR)\n");
        return 1;
      }
      stateFlag = argv[++i];
    } else if (a.startsWith("--state=")) stateFlag = a.slice("--state=".length);
    else {
      process.stderr.write(`overbox: unknown option ${a} (see overbox --help)\n`);
      return 1;
    }
  }
  const words = argv.slice(i);
  if (words.length === 0) {
    out(overallHelp());
    return 0;
  }
  const two = `${words[0]} ${words[1] ?? ""}`;
  const twoWords = two in ALIASES || VERBS.some((v) => v.name === two);
  const name = ALIASES[two] ?? (twoWords ? two : words[0]!);
  const verb = VERBS.find((v) => v.name === name);
  if (!verb && words[0] === "image" && (words.length === 1 || /^(-h|--help)$/.test(words[1]!))) {
    out(imageHelp());
    return 0;
  }
  if (!verb) {
    const hint =
      words[0] === "image" ? "image build, image import, image rm or image ls" : "overbox --help";
    process.stderr.write(
      `overbox: unknown command "${words.slice(0, words[0] === "image" ? 2 : 1).join(" ")}" (see ${hint})\n`,
    );
    return 1;
  }
  const failure = verb.command ? 125 : 1;
  try {
    const args = parseArgs(verb, words.slice(twoWords ? 2 : 1));
    if (args.options.has("help")) {
      out(verbHelp(verb));
      return 0;
    }
    const state = State.locate(option(args, "state") ?? stateFlag, builtImages);
    return await verb.run(state, args);
  } catch (e) {
    const message = e instanceof UserError ? e.message : reason(e);
    process.stderr.write(`overbox: ${verb.name}: ${message}\n`);
    if (!(e instanceof UserError) && process.env.OVERBOX_DEBUG) console.error(e);
    return failure;
  }
}
