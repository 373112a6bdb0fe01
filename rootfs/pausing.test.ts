/**
 * Programs paused in system calls (core/wasi/program.ts) go on as if
 * nothing happened, setjmp/longjmp included (core/wasi/sjlj.ts).
 */
import { describe, expect, it } from "vitest";
import { InputStream } from "../core/kernel/open-file.ts";
import { WouldBlock } from "../core/vfs/would-block.ts";
import { latin1, loadBaseImage } from "./testing.ts";

/** Standard input that hands out one line per read and makes the reader wait before each. */
class SlowLines extends InputStream {
  private ready = false;
  private readonly text: Uint8Array;
  private at = 0;
  constructor(text: string) {
    super();
    this.text = new TextEncoder().encode(text);
  }
  override read(length: number): Uint8Array {
    this.ready = !this.ready;
    if (this.ready) throw new WouldBlock(Promise.resolve(), "the next line is on its way");
    const newline = this.text.indexOf(10, this.at);
    const end = Math.min(newline < 0 ? this.text.length : newline + 1, this.at + length);
    const line = this.text.subarray(this.at, end);
    this.at = end;
    return line;
  }
}

describe("a paused program", () => {
  it("runs a shell reading commands one pause at a time, as if it never paused", async () => {
    const { runner } = await loadBaseImage();
    const script = "x=0\nfor i in 1 2 3; do x=$((x + i)); done\necho $x\nf() { echo in f; }\nf\n";
    const r = await runner.run({ args: ["sh"], stdin: new SlowLines(script) });
    expect(latin1(r.stdout)).toBe("6\nin f\n");
    expect(r.status).toBe(0);
    expect(runner.pauses).toBeGreaterThan(5);
  });

  it("keeps its stack through thousands of longjmps made after pauses", async () => {
    // Each syntax error longjmps back to the interactive shell's main loop,
    // from an invoke re-entered by the rewind after the read paused; 232
    // bytes lost at each would overflow the 1 MiB stack before the end.
    const { runner } = await loadBaseImage();
    const lines = Array.from({ length: 6000 }, (_, i) => (i % 2 ? "echo ok\n" : "if then fi (\n"));
    const r = await runner.run({
      args: ["sh", "-i"],
      env: ["PATH=/bin:/usr/bin", "PS1="],
      stdin: new SlowLines(`${lines.join("")}exit 7\n`),
    });
    expect(latin1(r.stdout).split("ok\n")).toHaveLength(3001);
    expect(r.status).toBe(7);
  });
});
