import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchChromium } from "./browser.ts";
import type {} from "../src/playground.ts";

interface Outcome {
  status: number;
  stdout: string;
  stderr: string;
}

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchChromium();
  page = await (await browser.newContext()).newPage();
  await page.goto(inject("baseUrl"));
  await page.waitForFunction(() => window.overbox !== undefined);
});

afterAll(async () => {
  await browser?.close();
});

const run = async (args: string[], stdin?: string): Promise<Outcome> => {
  const r = await page.evaluate(
    ([a, s]) => window.overbox.box.exec(a, s === undefined ? {} : { stdin: s }),
    [args, stdin] as const,
  );
  return { status: r.exitCode, stdout: r.stdout, stderr: r.stderr };
};

describe("the library (Sandbox) in Chromium: a kernel in a Web Worker", () => {
  it("runs an applet of the busybox image and returns its output and status", async () => {
    const r = await run(["ls", "-la", "/"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/drwxrwxrwt\s+\d+ root\s+root\s+\d+ .* tmp\n/);
    expect(r.stdout).toMatch(/ bin\n/);
  });

  it("feeds stdin and reports a failing status", async () => {
    expect(await run(["sort", "-r"], "a\nc\nb\n")).toEqual({
      status: 0,
      stdout: "c\nb\na\n",
      stderr: "",
    });
    const missing = await run(["cat", "/no/such/file"]);
    expect(missing).toEqual({
      status: 1,
      stdout: "",
      stderr: "cat: can't open '/no/such/file': No such file or directory\n",
    });
  });

  it("runs shell pipelines whose stages block on each other (no SharedArrayBuffer)", async () => {
    expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(false);
    expect(await run(["sh", "-c", "yes | head -n 3"])).toEqual({
      status: 0,
      stdout: "y\ny\ny\n",
      stderr: "",
    });
    expect(await run(["sh", "-c", "cat /dev/zero | head -c 10000000 | wc -c"])).toEqual({
      status: 0,
      stdout: "10000000\n",
      stderr: "",
    });
    expect(await run(["sh", "-c", "sleep 5 & kill $!; wait $!; echo $?"])).toEqual({
      status: 0,
      stdout: "143\n",
      stderr: "Terminated\n",
    });
  });

  it("writes files that later programs read", async () => {
    expect((await run(["mkdir", "-p", "/root/notes"])).status).toBe(0);
    expect((await run(["cp", "/etc/os-release", "/root/notes/copy"])).status).toBe(0);
    const r = await run(["sha256sum", "/root/notes/copy", "/etc/os-release"]);
    const [a, b] = r.stdout
      .trim()
      .split("\n")
      .map((l) => l.split(" ")[0]);
    expect(a).toBe(b);
  });

  it("keeps what programs write in the container (IndexedDB) across a reload of the page", async () => {
    expect((await run(["mkdir", "-p", "/root/kept"])).status).toBe(0);
    const note = "written before the reload\n";
    expect((await run(["dd", "of=/root/kept/note", "conv=fsync"], note)).status).toBe(0);
    expect((await run(["rm", "/etc/hostname"])).status).toBe(0);
    expect((await run(["sync"])).status).toBe(0);
    await page.reload();
    await page.waitForFunction(() => window.overbox !== undefined);
    expect(await run(["cat", "/root/kept/note"])).toEqual({ status: 0, stdout: note, stderr: "" });
    expect((await run(["ls", "/etc/hostname"])).status).toBe(1);
  });
});
