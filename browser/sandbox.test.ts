/**
 * The worker's API (SandboxService) in Node: the image served over HTTP
 * from the set-up's build, containers in (fake) IndexedDB. The same API in
 * Chromium is e2e/sandbox.e2e.ts's.
 */
import "fake-indexeddb/auto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { serveStatic } from "../e2e/static-server.ts";
import { IMAGES } from "../rootfs/testing.ts";
import { SandboxService } from "./sandbox.ts";
import { readTar } from "../core/image/tar.ts";

let server: { url: string; close: () => Promise<void> };
const text = (b: Uint8Array) => new TextDecoder().decode(b);

beforeAll(async () => {
  server = await serveStatic(IMAGES);
});

afterAll(async () => {
  await server?.close();
});

async function opened(container: string, image?: string) {
  const box = new SandboxService();
  await box.open({
    container,
    imagesUrl: server.url.replace(/\/$/, ""),
    ...(image ? { image } : {}),
  });
  return box;
}

describe("the sandbox service", () => {
  it("compiles the programs it is asked for as it opens, before their first run", async () => {
    // Node's fetch compiles a module of its own on its first use: not counted below.
    await (await fetch(server.url)).arrayBuffer();
    const compile = vi.spyOn(WebAssembly, "compile");
    try {
      const box = new SandboxService();
      await box.open({
        container: "ephemeral",
        image: "tools",
        imagesUrl: server.url.replace(/\/$/, ""),
        programs: ["lua", "no-such-program"],
      });
      // The login shell, and lua (its layer's bytes fetched for it).
      await vi.waitFor(() => expect(compile).toHaveBeenCalledTimes(2), { timeout: 10_000 });
      expect((await box.exec(["lua", "-e", "print(6*7)"])).stdout).toBe("42\n");
      expect(compile).toHaveBeenCalledTimes(2);
      await box.close();
    } finally {
      compile.mockRestore();
    }
  });

  it("runs commands, and a string through sh -c", async () => {
    const box = await opened("exec");
    expect(await box.exec("echo $((6*7)); echo err >&2; exit 3")).toEqual({
      exitCode: 3,
      stdout: "42\n",
      stderr: "err\n",
    });
    expect(await box.exec(["tr", "a-z", "A-Z"], { stdin: "up\n", env: { X: "1" } })).toMatchObject({
      exitCode: 0,
      stdout: "UP\n",
    });
    await box.close();
  });

  it("streams a spawned program's stdin and stdout", async () => {
    const box = await opened("spawn");
    const out: string[] = [];
    let status = -1;
    const exited = new Promise<void>((resolve) => {
      void box
        .spawn(
          ["sh", "-c", "while read l; do echo got $l; done"],
          {},
          (d) => out.push(text(d)),
          () => undefined,
          (s) => {
            status = s;
            resolve();
          },
        )
        .then(async (pid) => {
          await box.writeStdin(pid, new TextEncoder().encode("a\nb\n"));
          await box.writeStdin(pid, null);
        });
    });
    await exited;
    expect(out.join("")).toBe("got a\ngot b\n");
    expect(status).toBe(0);
    await box.close();
  });

  it("reads, writes and lists files by path, and keeps them across opens", async () => {
    const box = await opened("files");
    await box.writeFile("/root/hello.txt", "hello\n");
    expect(text(await box.readFile("/root/hello.txt"))).toBe("hello\n");
    expect((await box.readdir("/root")).map((f) => f.name)).toContain("hello.txt");
    await expect(box.readFile("/root/missing")).rejects.toThrow(/ENOENT/);
    await box.close();
    const again = await opened("files");
    expect((await again.exec("cat /root/hello.txt")).stdout).toBe("hello\n");
    await again.close();
  });

  it("gives a terminal with a login shell, and a new shell when it exits", async () => {
    const box = await opened("tty");
    let screen = "";
    await box.terminal({ rows: 24, cols: 80 }, (d) => void (screen += text(d)));
    const until = async (s: string) => {
      for (let i = 0; i < 200 && !screen.includes(s); i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(screen).toContain(s);
    };
    await until("# ");
    await box.input(new TextEncoder().encode("echo $((7*6))\r"));
    await until("42");
    expect(await box.shellCwd()).toBe("/root");
    await box.input(new TextEncoder().encode("cd /tmp; exit\r"));
    await until("a new one starts");
    await box.close();
  });

  it("reset drops the changes; commit makes an image a new container can run", async () => {
    const box = await opened("verbs");
    await box.exec("echo one > /root/one; rm /etc/hostname");
    await box.reset();
    expect((await box.exec("ls /root/one; cat /etc/hostname")).stdout).toBe("overbox\n");
    await box.exec("echo committed > /root/c");
    await box.commit("verbs-image");
    // The images the site was built with (images/index.json), then those made here.
    expect(await box.images()).toEqual(["busybox", "tools", "python", "verbs-image"]);
    await box.close();
    const fresh = await opened("from-image", "verbs-image");
    expect((await fresh.exec("cat /root/c")).stdout).toBe("committed\n");
    await fresh.close();
  });

  it("exports a layer that imports as an image with the same files", async () => {
    const box = await opened("export");
    await box.exec("mkdir /srv; echo x > /srv/x; rm -r /var/log");
    const layer = await box.exportTar(true);
    expect(readTar(layer).map((e) => `${e.type} ${e.path}`)).toContain("whiteout var/log");
    await box.importTar(layer, "imported");
    await expect(box.importTar(new Uint8Array(100), "broken")).rejects.toThrow();
    await box.close();
    const copy = await opened("import", "imported");
    expect((await copy.exec("cat /srv/x; ls /var/log")).stdout).toBe("x\n");
    await copy.close();
  });

  it("lists, renames and deletes containers", async () => {
    const box = await opened("listed");
    await box.exec("echo keep > /root/k");
    await box.close();
    const admin = new SandboxService();
    expect(await admin.containers()).toContainEqual({ name: "listed", image: "busybox" });
    await admin.renameContainer("listed", "renamed");
    const names = (await admin.containers()).map((c) => c.name);
    expect(names).toContain("renamed");
    expect(names).not.toContain("listed");
    const renamed = await opened("renamed");
    expect((await renamed.exec("cat /root/k")).stdout).toBe("keep\n");
    await renamed.close();
    await admin.deleteContainer("renamed");
    expect((await admin.containers()).map((c) => c.name)).not.toContain("renamed");
    await expect(admin.renameContainer("nope", "x")).rejects.toThrow(/ENOENT/);
  });

  it("an ephemeral container and one opened read-only save nothing", async () => {
    const eph = await opened("ephemeral");
    await eph.exec("echo gone > /root/g");
    await eph.close();
    expect((await new SandboxService().containers()).map((c) => c.name)).not.toContain("ephemeral");
    const owner = await opened("viewed");
    await owner.exec("echo mine > /root/m; sync");
    const reader = new SandboxService();
    await reader.open({
      container: "viewed",
      readOnly: true,
      imagesUrl: server.url.replace(/\/$/, ""),
    });
    expect((await reader.exec("cat /root/m; echo theirs > /root/t")).stdout).toBe("mine\n");
    await reader.close();
    expect((await owner.exec("ls /root/t")).exitCode).toBe(1);
    await owner.close();
  });

  it("paces a flood of terminal output to the page: programs wait while it is far behind drawing", async () => {
    const box = await opened("flood");
    let received = 0;
    let screen = "";
    const undrawn: Array<() => void> = [];
    let drawing = true;
    await box.terminal({ rows: 24, cols: 80 }, (d) => {
      received += d.length;
      screen = (screen + text(d)).slice(-200);
      if (drawing) return;
      return new Promise<void>((drawn) => undrawn.push(drawn));
    });
    const settle = () => new Promise((r) => setTimeout(r, 300));
    await settle();
    drawing = false;
    await box.input(new TextEncoder().encode("yes\r"));
    await settle();
    const stalled = received;
    await settle();
    // Nothing drawn: `yes` waits, after about a window (64 KiB) and a chunk.
    expect(received).toBe(stalled);
    expect(stalled).toBeLessThan(1024 * 1024);
    drawing = true;
    for (const drawn of undrawn.splice(0)) drawn();
    await settle();
    expect(received).toBeGreaterThan(stalled);
    await box.input(new Uint8Array([3]));
    await settle();
    await box.input(new TextEncoder().encode("echo stopped-$?\r"));
    for (let i = 0; i < 100 && !screen.includes("stopped-130"); i++) await settle();
    expect(screen).toContain("stopped-130");
    await box.close();
  });

  it("no path reaches another container's files: not .., not a symlink, not /proc", async () => {
    const alice = await opened("alice");
    await alice.exec("echo alice-secret > /root/secret; sync");
    const bob = await opened("bob");
    const tries = [
      "cat /root/secret",
      "cat /../../root/secret /root/../../../root/secret",
      "ln -s /../../.. /tmp/up; ls -a /tmp/up/ /tmp/up/root; cat /tmp/up/root/secret",
      "ls -la /proc/1/ /proc/self/; cat /proc/1/root/root/secret /proc/self/cwd/secret",
      "grep -rs alice-secret /root /tmp /etc /home /var; find / -name secret",
    ];
    for (const script of tries) {
      const r = await bob.exec(script);
      expect(r.stdout + r.stderr, script).not.toContain("alice-secret");
    }
    // The same search in alice's container finds it: the searches can find a file.
    expect((await alice.exec("grep -rs alice-secret /root")).stdout).toBe(
      "/root/secret:alice-secret\n",
    );
    await bob.close();
    await alice.close();
  });

  it("fsck finds a container consistent while programs write in it, with what it holds", async () => {
    const box = await opened("checked");
    await box.exec("mkdir -p /data && head -c 200000 /dev/zero > /data/big && rm /etc/shells");
    const writing = box.exec("for i in 1 2 3 4 5 6 7 8; do echo $i > /data/f$i; done");
    const report = await box.fsck();
    await writing;
    expect(report.problems).toEqual([]);
    expect(report.chunks).toBeGreaterThanOrEqual(4);
    expect(report.whiteouts).toBe(1);
    expect((await box.fsck()).problems).toEqual([]);
    await box.close();
  });
});
