/**
 * The `overbox` command, spawned as a user runs it (bin/overbox.mjs), each
 * invocation a separate process on one state directory.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readTar } from "../core/image/tar.ts";
import { FileStore } from "../node/file-store.ts";

const BIN = join(import.meta.dirname, "..", "bin", "overbox.mjs");
let home: string;
let scratch: string;

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), "overbox-cli-state-"));
  scratch = mkdtempSync(join(tmpdir(), "overbox-cli-files-"));
});

afterAll(() => {
  rmSync(home, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
});

interface Outcome {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Starts `overbox ARGS...` on the test's state directory. */
function start(args: string[], options: { input?: string } = {}): ChildProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, OVERBOX_HOME: home },
    stdio: ["pipe", "pipe", "pipe"],
  });
  child.stdin!.end(options.input ?? "");
  return child;
}

function finish(child: ChildProcess): Promise<Outcome> {
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString("latin1")));
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString("latin1")));
  return new Promise((resolve) =>
    child.on("close", (status) => resolve({ status, stdout, stderr })),
  );
}

const overbox = (args: string[], options: { input?: string } = {}) => finish(start(args, options));

/** A digest of every file under the state directory: proof that a refused command stored nothing. */
function stateDigest(): string {
  const hash = createHash("sha256");
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      hash.update(path);
      try {
        hash.update(readFileSync(path));
      } catch {
        walk(path);
      }
    }
  };
  walk(home);
  return hash.digest("hex");
}

/** A tar's entries as comparable text: path, type, mode, owner, target, and a digest of the bytes. */
function tarListing(bytes: Uint8Array): string[] {
  return readTar(bytes)
    .map((e) => {
      const data = e.data ? createHash("sha256").update(e.data).digest("hex").slice(0, 16) : "";
      return `${e.path} ${e.type} ${e.mode.toString(8)} ${e.uid}:${e.gid} ${e.target ?? ""} ${data}`;
    })
    .sort();
}

describe("the command line", () => {
  it("prints help for the whole and for each verb", async () => {
    const all = await overbox(["--help"]);
    expect(all.status).toBe(0);
    const verbs = [
      "images",
      "image build",
      "image import",
      "image rm",
      "create",
      "ps",
      "rm",
      "run",
      "exec",
      "diff",
      "export",
      "commit",
      "reset",
    ];
    for (const verb of verbs) expect(all.stdout).toContain(`  ${verb}`);
    for (const verb of verbs) {
      const one = await overbox([...verb.split(" "), "--help"]);
      expect(one, verb).toMatchObject({ status: 0, stderr: "" });
      expect(one.stdout).toContain(`Usage: overbox ${verb} `);
    }
    const image = await overbox(["image", "--help"]);
    expect(image).toMatchObject({ status: 0, stderr: "" });
    for (const verb of verbs.filter((v) => v.startsWith("image "))) {
      expect(image.stdout).toContain(`  ${verb}`);
    }
  }, 120_000);

  it("lists the base image", async () => {
    const r = await overbox(["images"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^NAME +LAYERS +SIZE\nbusybox +1 +\d/);
  });

  it("runs python3 in a container of the python image, a new state's first, and its files persist", async () => {
    const state = mkdtempSync(join(scratch, "python-state-"));
    const r = await overbox([
      "--state",
      state,
      "run",
      "--name",
      "py",
      "--image",
      "python",
      "--",
      "python3",
      "-c",
      "import pathlib; pathlib.Path('/root/n').write_text(str(2**100)); print(2**100)",
    ]);
    expect(r).toEqual({ status: 0, stdout: "1267650600228229401496703205376\n", stderr: "" });
    const again = await overbox(["--state", state, "exec", "py", "--", "cat", "/root/n"]);
    expect(again).toEqual({ status: 0, stdout: "1267650600228229401496703205376", stderr: "" });
    const images = await overbox(["--state", state, "images"]);
    expect(images.stdout).toMatch(/^python +2 +\d+ MB$/m);
  }, 120_000);
});

describe("the network", () => {
  it("publishes a container's port on the host with -p, as docker run -p does: the host's curl reaches httpd", async () => {
    const free = createServer();
    await new Promise<void>((r) => free.listen(0, "127.0.0.1", r));
    const port = (free.address() as AddressInfo).port;
    await new Promise((r) => free.close(r));
    const child = start([
      ...["run", "--name", "web", "-p", `127.0.0.1:${port}:80`, "--"],
      ...[
        "sh",
        "-c",
        "mkdir -p /www && echo 'from the container' > /www/index.html && httpd -f -p 80 -h /www",
      ],
    ]);
    const outcome = finish(child);
    const curl = (path: string) =>
      spawnSync("curl", ["-s", "-S", "--fail", `http://127.0.0.1:${port}${path}`], {
        encoding: "utf8",
      });
    let got = curl("/index.html");
    for (let tries = 0; got.status !== 0 && tries < 300; tries++) {
      await new Promise((r) => setTimeout(r, 50));
      got = curl("/index.html");
    }
    expect(got).toMatchObject({ status: 0, stdout: "from the container\n" });
    expect(curl("/missing")).toMatchObject({ status: 22 });
    child.kill("SIGTERM");
    expect((await outcome).status).toBe(143);
    // The port is the host's again once the command is over.
    expect(curl("/index.html").status).toBe(7);
  });

  it("refuses a malformed -p, and a host port in use, in one line", async () => {
    expect(await overbox(["run", "--rm", "-p", "80", "--", "true"])).toMatchObject({
      status: 125,
      stderr: "overbox: run: -p 80: give HOST_PORT:CONTAINER_PORT, as 8080:80\n",
    });
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, "127.0.0.1", r));
    const port = (taken.address() as AddressInfo).port;
    try {
      expect(
        await overbox(["run", "--rm", "-p", `127.0.0.1:${port}:80`, "--", "true"]),
      ).toMatchObject({
        status: 125,
        stderr: `overbox: -p ${port}:80: port ${port} of the host is in use\n`,
      });
    } finally {
      taken.close();
    }
  });

  it("leaves a container of --network none only its loopback", async () => {
    expect(
      await overbox([
        "run",
        "--rm",
        "--network",
        "none",
        "--",
        "wget",
        "-q",
        "http://example.org/",
      ]),
    ).toMatchObject({
      status: 1,
      stderr: "wget: bad address 'example.org'\n",
    });
    expect(await overbox(["run", "--rm", "--network", "bridge", "--", "true"])).toMatchObject({
      status: 125,
      stderr: "overbox: run: --network bridge: the modes are none and default\n",
    });
  });
});

describe("containers", () => {
  it("keep their files across separate invocations", async () => {
    expect(await overbox(["create", "keep"])).toEqual({ status: 0, stdout: "", stderr: "" });
    const write = await overbox([
      "exec",
      "keep",
      "--",
      "sh",
      "-c",
      "echo kept > /root/note; mkdir /var/data; echo $((6*7)) > /var/data/n",
    ]);
    expect(write).toEqual({ status: 0, stdout: "", stderr: "" });
    const read = await overbox(["exec", "keep", "--", "cat", "/root/note", "/var/data/n"]);
    expect(read).toEqual({ status: 0, stdout: "kept\n42\n", stderr: "" });
    const diff = await overbox(["diff", "keep"]);
    expect(diff.stdout).toBe("C /root\nA /root/note\nC /var\nA /var/data\nA /var/data/n\n");
    const ps = await overbox(["ps"]);
    expect(ps.stdout).toMatch(/\nkeep +busybox +[\d.]+ k?B +-\n/);
  }, 60_000);

  it("run passes stdin, stdout, stderr, the environment, the directory and the exit status", async () => {
    const r = await overbox(
      [
        "run",
        "--rm",
        "-i",
        "-e",
        "GREETING=hello",
        "-w",
        "/work/here",
        "--",
        "sh",
        "-c",
        'echo "$GREETING from $(pwd)"; tr a-z A-Z; echo oops >&2; exit 7',
      ],
      { input: "shout\n" },
    );
    expect(r).toEqual({ status: 7, stdout: "hello from /work/here\nSHOUT\n", stderr: "oops\n" });
    expect((await overbox(["ps"])).stdout).not.toMatch(/box-/);
  });

  it("a command writing to a closed stdout gets SIGPIPE, as in a host pipeline", async () => {
    const child = start(["run", "--rm", "--", "yes"]);
    await new Promise<void>((resolve) => child.stdout!.once("data", () => resolve()));
    child.stdout!.destroy();
    const r = await finish(child);
    expect(r).toMatchObject({ status: 141, stderr: "" });
  });

  it("reset drops every change", async () => {
    await overbox([
      "run",
      "--name",
      "again",
      "--",
      "sh",
      "-c",
      "echo x > /root/x; rm /etc/hostname",
    ]);
    expect((await overbox(["diff", "again"])).stdout).toContain("D /etc/hostname");
    expect(await overbox(["reset", "again"])).toMatchObject({ status: 0, stderr: "" });
    expect((await overbox(["diff", "again"])).stdout).toBe("");
    const r = await overbox(["exec", "again", "--", "sh", "-c", "cat /etc/hostname; ls /root/x"]);
    expect(r.stdout).toBe("overbox\n");
    expect(r.stderr).toContain("/root/x: No such file or directory");
  }, 60_000);

  it("rm removes a container, and an unknown one is one clear line", async () => {
    await overbox(["create", "gone"]);
    expect(await overbox(["rm", "gone"])).toEqual({ status: 0, stdout: "", stderr: "" });
    expect(await overbox(["exec", "gone", "--", "true"])).toEqual({
      status: 125,
      stdout: "",
      stderr: "overbox: exec: no such container: gone\n",
    });
  });
});

describe("images", () => {
  it("image build makes a directory a layer that containers run on", async () => {
    const dir = join(scratch, "site");
    mkdirSync(join(dir, "www"), { recursive: true });
    writeFileSync(join(dir, "www", "index.html"), "<h1>hi</h1>\n");
    symlinkSync("index.html", join(dir, "www", "home.html"));
    writeFileSync(join(dir, "www", "run.sh"), "#!/bin/sh\necho running in $(pwd)\n", {
      mode: 0o755,
    });
    expect(await overbox(["image", "build", dir, "--tag", "site"])).toEqual({
      status: 0,
      stdout: "site\n",
      stderr: "",
    });
    expect((await overbox(["images"])).stdout).toMatch(/\nsite +2 +/);
    const r = await overbox([
      "run",
      "--rm",
      "--image",
      "site",
      "-w",
      "/www",
      "--",
      "sh",
      "-c",
      "cat home.html; ./run.sh; stat -c '%U %a' index.html",
    ]);
    expect(r).toEqual({
      status: 0,
      stdout: "<h1>hi</h1>\nrunning in /www\nroot 644\n",
      stderr: "",
    });
  });

  it("a layer exported and imported on the base image gives the same merged tree", async () => {
    const changes = [
      "echo new > /root/new",
      "echo changed >> /etc/profile",
      "rm /etc/hostname",
      "rm -r /var/log",
      "rm -r /home && mkdir /home && echo only > /home/only",
      "mkdir -p /opt/a/b && ln -s ../a /opt/a/b/up && echo data > /opt/a/f && ln /opt/a/f /opt/a/hard",
      "mv /mnt /mnt2",
    ].join(" && ");
    expect(await overbox(["run", "--name", "source", "--", "sh", "-c", changes])).toEqual({
      status: 0,
      stdout: "",
      stderr: "",
    });
    const layer = join(scratch, "source-layer.tar");
    expect(await overbox(["export", "source", "--layer", "-o", layer])).toEqual({
      status: 0,
      stdout: "",
      stderr: "",
    });
    expect(await overbox(["image", "import", layer, "--tag", "imported"])).toEqual({
      status: 0,
      stdout: "imported\n",
      stderr: "",
    });
    await overbox(["create", "copy", "--image", "imported"]);
    const a = join(scratch, "source.tar");
    const b = join(scratch, "copy.tar");
    await overbox(["export", "source", "-o", a]);
    await overbox(["export", "copy", "-o", b]);
    const left = tarListing(readFileSync(a));
    expect(left.some((l) => l.startsWith("home/only file"))).toBe(true);
    expect(left.some((l) => l.startsWith("etc/hostname "))).toBe(false);
    expect(tarListing(readFileSync(b))).toEqual(left);
  }, 60_000);

  it("an unchanged container's layer exports as an empty tar, which imports as an empty layer", async () => {
    await overbox(["create", "untouched"]);
    const layer = join(scratch, "untouched-layer.tar");
    expect((await overbox(["export", "untouched", "--layer", "-o", layer])).status).toBe(0);
    expect(readTar(readFileSync(layer))).toEqual([]);
    expect(await overbox(["image", "import", layer, "--tag", "untouched-image"])).toEqual({
      status: 0,
      stdout: "untouched-image\n",
      stderr: "",
    });
    expect((await overbox(["images"])).stdout).toMatch(/^untouched-image +2 /m);
  });

  it("image rm removes an image, but not one a container runs", async () => {
    await overbox(["create", "user", "--image", "imported"]);
    expect(await overbox(["image", "rm", "imported"])).toEqual({
      status: 1,
      stdout: "",
      stderr: "overbox: image rm: image imported is used by container copy: remove it first\n",
    });
    await overbox(["rm", "copy"]);
    await overbox(["rm", "user"]);
    expect(await overbox(["image", "rm", "imported"])).toEqual({
      status: 0,
      stdout: "",
      stderr: "",
    });
    expect((await overbox(["images"])).stdout).not.toContain("imported");
  }, 60_000);

  it("commit makes a container's changes an image", async () => {
    await overbox(["run", "--name", "tocommit", "--", "sh", "-c", "echo committed > /root/c"]);
    expect(await overbox(["commit", "tocommit", "--tag", "committed"])).toEqual({
      status: 0,
      stdout: "committed\n",
      stderr: "",
    });
    expect((await overbox(["diff", "tocommit"])).stdout).toBe("");
    const r = await overbox(["run", "--rm", "--image", "committed", "--", "cat", "/root/c"]);
    expect(r).toEqual({ status: 0, stdout: "committed\n", stderr: "" });
    expect((await overbox(["ps"])).stdout).toMatch(/\ntocommit +committed +/);
  }, 60_000);
});

describe("cp", () => {
  const sh = (name: string, script: string) => overbox(["exec", name, "--", "sh", "-c", script]);

  it("copies a file and a tree into a container and back out, with modes, mtimes and symlinks", async () => {
    expect((await overbox(["run", "--name", "cp-box", "--", "true"])).status).toBe(0);
    const tree = join(scratch, "cp-tree");
    mkdirSync(join(tree, "sub"), { recursive: true });
    writeFileSync(join(tree, "run.sh"), "#!/bin/sh\necho ran\n", { mode: 0o750 });
    writeFileSync(join(tree, "sub", "data"), "data\n", { mode: 0o600 });
    symlinkSync("../run.sh", join(tree, "sub", "link"));
    utimesSync(join(tree, "sub", "data"), 1_000_000_000, 1_000_000_000);
    writeFileSync(join(scratch, "one.txt"), "one\n");

    expect(await overbox(["cp", join(scratch, "one.txt"), "cp-box:/root/"])).toEqual({
      status: 0,
      stdout: "",
      stderr: "",
    });
    expect(await overbox(["cp", tree, "cp-box:/tmp/t"])).toMatchObject({ status: 0, stderr: "" });
    expect(await overbox(["cp", `${tree}/.`, "cp-box:/root"])).toMatchObject({ status: 0 });
    expect(
      (
        await sh(
          "cp-box",
          "cat /root/one.txt; /tmp/t/run.sh; stat -c '%n %a %U %Y' /tmp/t/run.sh /tmp/t/sub/data /root/run.sh; readlink /tmp/t/sub/link",
        )
      ).stdout,
    ).toBe(
      "one\nran\n/tmp/t/run.sh 750 root " +
        String(Math.floor(statSync(join(tree, "run.sh")).mtimeMs / 1000)) +
        "\n/tmp/t/sub/data 600 root 1000000000\n/root/run.sh 750 root " +
        String(Math.floor(statSync(join(tree, "run.sh")).mtimeMs / 1000)) +
        "\n../run.sh\n",
    );

    const back = join(scratch, "cp-back");
    mkdirSync(back);
    expect(await overbox(["cp", "cp-box:/tmp/t", back])).toMatchObject({ status: 0, stderr: "" });
    expect(readFileSync(join(back, "t", "sub", "data"), "utf8")).toBe("data\n");
    expect(statSync(join(back, "t", "sub", "data")).mode & 0o777).toBe(0o600);
    expect(statSync(join(back, "t", "sub", "data")).mtimeMs).toBe(1_000_000_000_000);
    expect(statSync(join(back, "t", "run.sh")).mode & 0o777).toBe(0o750);
    expect(readlinkSync(join(back, "t", "sub", "link"))).toBe("../run.sh");
    expect(await overbox(["cp", "cp-box:/root/one.txt", join(back, "renamed.txt")])).toMatchObject({
      status: 0,
    });
    expect(readFileSync(join(back, "renamed.txt"), "utf8")).toBe("one\n");
  });

  it("copies a container's symlink as a link, and never writes through a symlink on the host", async () => {
    expect(
      (await sh("cp-box", "mkdir -p /evil && ln -s /etc /evil/sub && ln -s /etc/passwd /evil/pw"))
        .status,
    ).toBe(0);
    const out = join(scratch, "cp-out");
    mkdirSync(out);
    expect(await overbox(["cp", "cp-box:/evil", out])).toMatchObject({ status: 0 });
    expect(readlinkSync(join(out, "evil", "pw"))).toBe("/etc/passwd");
    // A host tree where the directory a copy needs is a symlink elsewhere: refused.
    const victim = join(scratch, "cp-victim");
    mkdirSync(victim);
    const trap = join(scratch, "cp-trap");
    mkdirSync(trap);
    symlinkSync(victim, join(trap, "t"));
    const r = await overbox(["cp", "cp-box:/tmp/t", trap]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`overbox: cp: ${join(trap, "t")}: refusing to write through a symlink\n`);
    expect(readdirSync(victim)).toEqual([]);
  });

  it("refuses two host paths, a missing source and a directory onto a file, in one line", async () => {
    expect(await overbox(["cp", "/tmp/a", "/tmp/b"])).toEqual({
      status: 1,
      stdout: "",
      stderr:
        "overbox: cp: one of SRC and DEST must be a container's path, NAME:PATH (and only one)\n",
    });
    expect(await overbox(["cp", "cp-box:/nothing", scratch])).toEqual({
      status: 1,
      stdout: "",
      stderr: "overbox: cp: /nothing: no such file or directory\n",
    });
    expect(await overbox(["cp", join(scratch, "one.txt"), "cp-box:/no/such/place"])).toEqual({
      status: 1,
      stdout: "",
      stderr: "overbox: cp: /no/such: no such directory\n",
    });
    expect(await overbox(["cp", join(scratch, "cp-tree"), "cp-box:/root/one.txt"])).toEqual({
      status: 1,
      stdout: "",
      stderr: "overbox: cp: /root/one.txt: cannot copy a directory onto a file\n",
    });
  });

  it("brings in a WASI program built elsewhere, which runs by path once executable, in a container and from a built image", async () => {
    const wasm = join(import.meta.dirname, "..", "build", "wasi-programs", "args.wasm");
    expect(await overbox(["cp", wasm, "cp-box:/usr/local/bin/"])).toMatchObject({ status: 0 });
    expect((await sh("cp-box", "GREETING=cp args.wasm x")).stdout).toBe(
      "argv[0]=args.wasm\nargv[1]=x\nGREETING=cp\n",
    );
    const dir = join(scratch, "wasi-image");
    mkdirSync(join(dir, "bin"), { recursive: true });
    writeFileSync(join(dir, "bin", "args.wasm"), readFileSync(wasm), { mode: 0o755 });
    expect((await overbox(["image", "build", dir, "--tag", "wasi-tools"])).status).toBe(0);
    // Prepared again, from the image's layer: exec'd by env, then run
    // again from the same layer (the layer's bytes must survive being
    // sent to the preparing worker).
    rmSync(join(home, "prepared"), { recursive: true, force: true });
    const script = "env /bin/args.wasm from-image && /bin/args.wasm again";
    expect(
      await overbox(["run", "--rm", "--image", "wasi-tools", "--", "sh", "-c", script]),
    ).toEqual({
      status: 0,
      stdout:
        "argv[0]=/bin/args.wasm\nargv[1]=from-image\nGREETING=(unset)\n" +
        "argv[0]=/bin/args.wasm\nargv[1]=again\nGREETING=(unset)\n",
      stderr: "",
    });
  });
});

describe("bad input is one line on stderr and changes nothing stored", () => {
  /**
   * A tar of `entries` written by hand (writeTar refuses what these hold):
   * [name, type flag, link target or file content].
   */
  const rawTar = (file: string, entries: Array<[string, "0" | "1" | "2" | "5", string]>) => {
    const encode = (text: string) => new TextEncoder().encode(text);
    const header = (name: string, type: string, link: string, size: number) => {
      const h = new Uint8Array(512);
      const put = (at: number, text: string) => h.set(encode(text), at);
      put(0, name);
      put(100, type === "5" ? "0000755\0" : "0000644\0");
      put(108, "0000000\0");
      put(116, "0000000\0");
      put(124, size.toString(8).padStart(11, "0") + "\0");
      put(136, "00000000000\0");
      put(156, type);
      put(157, link);
      put(257, "ustar\0");
      put(263, "00");
      put(148, "        ");
      const sum = h.reduce((a, b) => a + b, 0);
      put(148, sum.toString(8).padStart(6, "0") + "\0 ");
      return h;
    };
    const parts: Uint8Array[] = [];
    for (const [name, type, text] of entries) {
      const data = type === "0" ? encode(text) : new Uint8Array(0);
      parts.push(header(name, type, type === "0" ? "" : text, data.length));
      const padded = new Uint8Array(Math.ceil(data.length / 512) * 512);
      padded.set(data);
      parts.push(padded);
    }
    parts.push(new Uint8Array(1024));
    const path = join(scratch, file);
    writeFileSync(path, Buffer.concat(parts));
    return path;
  };
  const importing =
    (file: string, entries: Array<[string, "0" | "1" | "2" | "5", string]>) => () => [
      "image",
      "import",
      rawTar(file, entries),
      "--tag",
      "evil",
    ];
  const cases: Array<[string, () => string[], RegExp, number]> = [
    [
      "an unknown image",
      () => ["create", "x", "--image", "nope"],
      /^overbox: create: no such image: nope\n$/,
      1,
    ],
    [
      "an unknown container",
      () => ["diff", "nope"],
      /^overbox: diff: no such container: nope\n$/,
      1,
    ],
    [
      "an unknown flag",
      () => ["ps", "--bogus"],
      /^overbox: ps: unknown option --bogus \(see overbox ps --help\)\n$/,
      1,
    ],
    [
      "an unknown command",
      () => ["frobnicate"],
      /^overbox: unknown command "frobnicate" \(see overbox --help\)\n$/,
      1,
    ],
    [
      "a bad flag to run",
      () => ["run", "--rm", "-x", "--", "true"],
      /^overbox: run: unknown option -x/,
      125,
    ],
    [
      "a relative working directory",
      () => ["run", "-w", "rel", "--", "true"],
      /must be an absolute path\n$/,
      125,
    ],
    [
      "a bad container name",
      () => ["create", "../evil"],
      /^overbox: create: invalid container name "\.\.\/evil"/,
      1,
    ],
    [
      "a missing tar",
      () => ["image", "import", join(scratch, "missing.tar"), "--tag", "t"],
      /^overbox: image import: cannot read .*missing\.tar/,
      1,
    ],
    [
      "a tar that is not one",
      () => {
        const f = join(scratch, "junk.tar");
        writeFileSync(f, "this is not a tar archive at all, just text".repeat(20));
        return ["image", "import", f, "--tag", "junk"];
      },
      /^overbox: image import: .*junk\.tar: /,
      1,
    ],
    [
      "a tar with a path out of the root",
      importing("dotdot.tar", [
        ["ok", "0", "fine"],
        ["../escape", "0", "evil"],
      ]),
      /^overbox: image import: .*dotdot\.tar: .*\.\./,
      1,
    ],
    [
      "a tar with an absolute path",
      importing("absolute.tar", [["/etc/evil", "0", "evil"]]),
      /^overbox: image import: .*absolute\.tar: /,
      1,
    ],
    [
      "a tar with a symlink out, then a file written through it",
      importing("symlink.tar", [
        ["up", "2", "../../.."],
        ["up/etc/passwd", "0", "evil"],
      ]),
      /^overbox: image import: .*symlink\.tar: /,
      1,
    ],
    [
      "a tar with a hard link out of the root",
      importing("hardlink.tar", [["x", "1", "../../etc/passwd"]]),
      /^overbox: image import: .*hardlink\.tar: /,
      1,
    ],
    [
      "a tag on the base image's name",
      () => ["commit", "keep", "--tag", "busybox"],
      /^overbox: commit: busybox is the base image/,
      1,
    ],
    [
      "a missing --tag",
      () => ["image", "build", scratch],
      /^overbox: image build: --tag is required\n$/,
      1,
    ],
    [
      "an empty file as a tar",
      () => {
        const f = join(scratch, "zero.tar");
        writeFileSync(f, "");
        return ["image", "import", f, "--tag", "zero"];
      },
      /^overbox: image import: .*zero\.tar: the archive is empty \(0 bytes\), not a tar\n$/,
      1,
    ],
    [
      "run --rm on a container kept from before (it would be removed)",
      () => ["run", "--rm", "--name", "keep", "--", "true"],
      /^overbox: run: container keep exists: --rm would remove it/,
      125,
    ],
    [
      "export -o to a directory",
      () => ["export", "keep", "-o", scratch],
      /^overbox: export: .* is a directory: give a file's path\n$/,
      1,
    ],
    [
      "export -o into a directory that is not there",
      () => ["export", "keep", "-o", join(scratch, "no-such-dir", "keep.tar")],
      /^overbox: export: no directory .*no-such-dir to write/,
      1,
    ],
    ["--state with no value", () => ["--state"], /^overbox: option --state needs a value/, 1],
    [
      "an empty --state",
      () => ["--state", "", "ps"],
      /^overbox: ps: --state needs a directory, not an empty string\n$/,
      1,
    ],
    [
      "a --state where no directory can be made (under /proc, where Node's own mkdir -p loops)",
      () => ["--state", "/proc/overbox-nope", "images"],
      /^overbox: images: ENOENT: no such file or directory, mkdir '\/proc\/overbox-nope'\n$/,
      1,
    ],
    [
      "a --state under a file",
      () => {
        writeFileSync(join(scratch, "a-file"), "not a directory\n");
        return ["--state", join(scratch, "a-file", "state"), "images"];
      },
      /^overbox: images: ENOTDIR: not a directory: \/.*\/a-file\n$/,
      1,
    ],
  ];
  it.each(cases)("%s", async (_, args, message, status) => {
    await overbox(["images"]); // the base image is in place before the digest
    const before = stateDigest();
    const r = await overbox(args());
    expect(r.stderr).toMatch(message);
    expect(r.stderr.split("\n").length).toBe(2);
    expect(r.status).toBe(status);
    expect(stateDigest()).toBe(before);
  });

  it("a command that is not there is 127, as in a shell", async () => {
    expect(await overbox(["run", "--rm", "--", "nosuchcommand"])).toEqual({
      status: 127,
      stdout: "",
      stderr: "overbox: nosuchcommand: command not found\n",
    });
  });
});

describe("a damaged container", () => {
  it("runs read-only with a note on stderr, exports what can be read, and reset starts it afresh", async () => {
    await overbox([
      "run",
      "--name",
      "wrecked",
      "--",
      "sh",
      "-c",
      "echo keep > /root/keep; seq 1 30000 > /root/numbers",
    ]);
    const store = await FileStore.open(join(home, "containers", "wrecked"));
    const chunk = (await store.keys("c/"))[1]!;
    await store.commit({ puts: new Map(), deletes: new Set([chunk]) });
    await store.close();
    const before = stateDigest();

    const read = await overbox([
      "exec",
      "wrecked",
      "--",
      "sh",
      "-c",
      "cat /root/keep; echo new > /root/new",
    ]);
    expect(read.stdout).toBe("keep\n");
    expect(read.stderr).toMatch(
      /^overbox: container wrecked is damaged \(i\/\d+: 1 of its 3 chunks are missing\): it runs read-only, and its changes are not saved; 'overbox fsck wrecked' lists the problems/,
    );
    expect((await overbox(["exec", "wrecked", "--", "ls", "/root/new"])).status).toBe(1);
    const tar = join(scratch, "wrecked.tar");
    expect((await overbox(["export", "wrecked", "-o", tar])).status).toBe(0);
    expect(readTar(readFileSync(tar)).map((e) => e.path)).toContain("root/keep");
    expect(stateDigest()).toBe(before);

    expect(await overbox(["reset", "wrecked"])).toMatchObject({ status: 0, stderr: "" });
    expect((await overbox(["fsck", "wrecked"])).status).toBe(0);
    expect(
      await overbox(["exec", "wrecked", "--", "sh", "-c", "echo saved > /root/s; cat /root/s"]),
    ).toEqual({
      status: 0,
      stdout: "saved\n",
      stderr: "",
    });
    expect((await overbox(["exec", "wrecked", "--", "cat", "/root/s"])).stdout).toBe("saved\n");
  }, 60_000);
});

describe("crashes and concurrency", () => {
  it("a killed run leaves a container that opens and holds every synced write", async () => {
    // Each number is printed only after `sync` returned: it must survive.
    const writer = start([
      "run",
      "--name",
      "killed",
      "--",
      "sh",
      "-c",
      "i=0; while :; do i=$((i+1)); dd if=/dev/zero of=/root/f.$i bs=1k count=64 2>/dev/null; echo $i > /root/last; sync; echo $i; done",
    ]);
    let printed = 0;
    await new Promise<void>((resolve) => {
      writer.stdout!.on("data", (d: Buffer) => {
        const numbers = d.toString().trim().split("\n").map(Number);
        printed = Math.max(printed, ...numbers);
        if (printed >= 15) resolve();
      });
    });
    writer.kill("SIGKILL");
    await new Promise((r) => writer.on("close", r));
    const r = await overbox([
      "exec",
      "killed",
      "--",
      "sh",
      "-c",
      "cat /root/last; ls /root | grep -c '^f\\.'; du -k /root/f.1 | cut -f1",
    ]);
    expect(r.stderr).toBe("");
    const [last, files, size] = r.stdout.trim().split("\n").map(Number);
    expect(last).toBeGreaterThanOrEqual(printed);
    // Every file up to the last synced one, whole.
    expect(files).toBeGreaterThanOrEqual(last!);
    expect(size).toBe(64);
    const sizes = await overbox([
      "exec",
      "killed",
      "--",
      "sh",
      "-c",
      `for i in $(seq 1 ${last}); do wc -c < /root/f.$i; done | sort -u`,
    ]);
    expect(sizes.stdout).toBe("65536\n");
    const check = await overbox(["fsck", "killed"]);
    expect(check.stdout).toMatch(/^killed: consistent; \d+ inodes/);
    expect(check.status).toBe(0);
  }, 60_000);

  it("fsck names what is wrong in a damaged container, with status 1, and changes nothing", async () => {
    await overbox(["run", "--name", "damaged", "--", "sh", "-c", "seq 1 30000 > /root/numbers"]);
    const store = await FileStore.open(join(home, "containers", "damaged"));
    const chunk = (await store.keys("c/"))[1]!;
    await store.commit({ puts: new Map(), deletes: new Set([chunk]) });
    await store.close();
    const before = stateDigest();
    const check = await overbox(["fsck", "damaged"]);
    expect(check.stdout).toMatch(/^\/root\/numbers \(i\/\d+\): 1 of its 3 chunks are missing\n/);
    expect(check.stdout).toMatch(/\ndamaged: 1 problem; /);
    expect(check.status).toBe(1);
    expect(stateDigest()).toBe(before);
    expect(await overbox(["fsck", "nothing"])).toMatchObject({
      status: 1,
      stderr: "overbox: fsck: no such container: nothing\n",
    });
  }, 60_000);

  it("a host signal that comes while the container opens reaches the command once it runs", async () => {
    const child = start([
      "run",
      "--rm",
      "--name",
      "early",
      "--",
      "sh",
      "-c",
      "sleep 3; echo finished",
    ]);
    const outcome = finish(child);
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on("exit", (_, signal) => resolve(signal)),
    );
    // The session starts once the lock is taken; its worker thread then
    // takes a few hundred ms to open the container and start the command.
    // The signal comes in between (without the fix, it was lost there).
    const lock = join(home, "containers", "early", "lock");
    while (!existsSync(lock)) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 75));
    child.kill("SIGINT");
    const r = await outcome;
    expect(r.stdout).not.toContain("finished");
    // 130 once the command had it; killed by SIGINT if it came before overbox forwards signals.
    if (r.status === null) expect(await exited).toBe("SIGINT");
    else expect(r.status).toBe(130);
  });

  it("what killed commands left (a waiting taker's lock file, a half-made container) goes with the next command", async () => {
    await overbox(["create", "swept"]);
    const gone = spawnSync(process.execPath, ["-e", "0"]).pid!;
    const waiter = join(home, "containers", "swept", `lock.${gone}`);
    const halfMade = join(home, "containers", `.new-${gone}-abcdef`);
    writeFileSync(waiter, `${gone} 1 overbox exec swept\n`);
    mkdirSync(halfMade);
    expect((await overbox(["exec", "swept", "--", "true"])).status).toBe(0);
    expect(existsSync(waiter)).toBe(false);
    expect((await overbox(["create", "swept-2"])).status).toBe(0);
    expect(existsSync(halfMade)).toBe(false);
  });

  it("two execs on one container at once both run, one after the other, and lose nothing", async () => {
    await overbox(["create", "shared"]);
    const append = (tag: string) =>
      overbox([
        "exec",
        "shared",
        "--",
        "sh",
        "-c",
        `for i in $(seq 1 30); do echo ${tag}$i >> /root/log; done; echo ${tag} done`,
      ]);
    const [a, b] = await Promise.all([append("a"), append("b")]);
    expect(a).toEqual({ status: 0, stdout: "a done\n", stderr: "" });
    expect(b).toEqual({ status: 0, stdout: "b done\n", stderr: "" });
    const log = (await overbox(["exec", "shared", "--", "cat", "/root/log"])).stdout
      .trim()
      .split("\n");
    expect(log).toHaveLength(60);
    // Serialised: each exec's lines are together.
    const order = log.map((l) => l[0]).join("");
    expect(order).toMatch(/^(a{30}b{30}|b{30}a{30})$/);
  }, 60_000);

  it("rm of a container in use is refused with who uses it", async () => {
    const busy = start(["exec", "shared", "--", "sh", "-c", "echo started; sleep 30"]);
    await new Promise<void>((resolve) => busy.stdout!.once("data", () => resolve()));
    const r = await overbox(["rm", "shared"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /^overbox: rm: container shared is in use by pid \d+ \(overbox exec shared\)\n$/,
    );
    expect((await overbox(["ps"])).stdout).toMatch(
      /\nshared +busybox +.* pid \d+ \(overbox exec shared\)\n/,
    );
    busy.kill("SIGTERM");
    expect((await finish(busy)).status).toBe(143);
    expect(await overbox(["rm", "shared"])).toMatchObject({ status: 0 });
  }, 60_000);
});

const script = spawnSync("script", ["--version"]).status === 0;

describe.runIf(script)("a terminal (-it), through script(1)'s pseudo-terminal", () => {
  it("has the host's size and follows it, raw keys, and Ctrl-C that stops a program, not the session", async () => {
    const child = spawn(
      "script",
      [
        "-qfec",
        `stty rows 30 cols 100; ${process.execPath} ${BIN} run --rm -it --name on-a-tty -- sh`,
        "/dev/null",
      ],
      {
        env: { ...process.env, OVERBOX_HOME: home },
        stdio: ["pipe", "pipe", "pipe"],
      },
    );
    let screen = "";
    child.stdout!.on("data", (d: Buffer) => (screen += d.toString()));
    const until = async (text: string) => {
      for (let i = 0; i < 300 && !screen.includes(text); i++)
        await new Promise((r) => setTimeout(r, 50));
      expect(screen).toContain(text);
    };
    await until("# ");
    child.stdin!.write("stty size; echo $((6*7))\r");
    await until("42");
    expect(screen).toContain("30 100");
    // The host's terminal is resized (as a window is): overbox gets SIGWINCH
    // and the container's terminal follows.
    const overboxPid = readdirSync("/proc").find((pid) => {
      try {
        const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
        return argv[0] === process.execPath && argv.includes("on-a-tty");
      } catch {
        return false;
      }
    });
    const pts = readlinkSync(`/proc/${overboxPid}/fd/0`);
    expect(spawnSync("stty", ["-F", pts, "rows", "40", "cols", "120"]).status).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    child.stdin!.write("stty size\r");
    await until("40 120");
    child.stdin!.write("yes > /dev/null\r");
    await new Promise((r) => setTimeout(r, 500));
    child.stdin!.write("\x03");
    child.stdin!.write("echo after-$?\r");
    await until("after-130");
    child.stdin!.write("exit 5\r");
    const status = await new Promise((r) => child.on("close", r));
    expect(status).toBe(5);
  }, 60_000);
});

describe("the state directory", () => {
  it("is --state, else $OVERBOX_HOME", async () => {
    const other = mkdtempSync(join(tmpdir(), "overbox-cli-other-"));
    try {
      const r = await overbox(["--state", other, "create", "elsewhere"]);
      expect(r.status).toBe(0);
      expect(existsSync(join(other, "containers", "elsewhere", "upper.log"))).toBe(true);
      expect(existsSync(join(home, "containers", "elsewhere"))).toBe(false);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it("is ~/.overbox without --state or $OVERBOX_HOME", async () => {
    const user = mkdtempSync(join(tmpdir(), "overbox-cli-home-"));
    try {
      const env: NodeJS.ProcessEnv = { ...process.env, HOME: user };
      delete env.OVERBOX_HOME;
      const r = spawnSync(process.execPath, [BIN, "create", "at-home"], { env, encoding: "utf8" });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      expect(existsSync(join(user, ".overbox", "containers", "at-home", "upper.log"))).toBe(true);
    } finally {
      rmSync(user, { recursive: true, force: true });
    }
  });
});
