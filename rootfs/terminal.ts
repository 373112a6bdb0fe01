/**
 * A user at a terminal, for tests: the kernel's terminal (core/kernel/
 * tty.ts) wired to a headless xterm.js screen, a login shell on it, keys
 * typed in and the screen's text read back.
 */
import xterm from "@xterm/headless";
import type { Kernel } from "../core/kernel/kernel.ts";
import type { Process } from "../core/kernel/process.ts";
import type { Tty } from "../core/kernel/tty.ts";

export class TerminalSession {
  readonly screen: xterm.Terminal;
  readonly tty: Tty;
  shell: Process | null = null;
  private written = Promise.resolve();

  constructor(
    readonly kernel: Kernel,
    size = { rows: 24, cols: 80 },
  ) {
    this.screen = new xterm.Terminal({ rows: size.rows, cols: size.cols, allowProposedApi: true });
    this.tty = kernel.terminal((data) => {
      const bytes = data.slice();
      this.written = this.written.then(() => new Promise((r) => this.screen.write(bytes, r)));
    });
    this.tty.winsize = { ...size };
  }

  /** Starts a login shell and waits for its first prompt. */
  async login(env?: string[]): Promise<void> {
    this.shell = await this.kernel.login(this.tty, env ? { env } : {});
    await this.waitFor(/# $/m);
  }

  /** Keys typed at the keyboard (a string of characters and escape sequences). */
  type(keys: string): void {
    this.tty.input(new TextEncoder().encode(keys));
  }

  /** The screen's text, line by line, trailing spaces trimmed. */
  text(): string {
    const buffer = this.screen.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < buffer.length; i++) {
      lines.push(buffer.getLine(i)?.translateToString(true) ?? "");
    }
    while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
    return lines.join("\n");
  }

  /** The line the cursor is on. */
  cursorLine(): string {
    const buffer = this.screen.buffer.active;
    return buffer.getLine(buffer.baseY + buffer.cursorY)?.translateToString(true) ?? "";
  }

  /** Waits until the screen's text matches (fails with the screen after `ms`). */
  async waitFor(pattern: RegExp | string | (() => boolean), ms = 10_000): Promise<void> {
    const deadline = performance.now() + ms;
    for (;;) {
      await this.written;
      const text = this.text();
      const seen =
        typeof pattern === "string"
          ? text.includes(pattern)
          : pattern instanceof RegExp
            ? pattern.test(text)
            : pattern();
      if (seen) return;
      if (performance.now() > deadline) {
        throw new Error(`screen never showed ${String(pattern)}; it shows:\n${text}`);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Types a command line and waits for the prompt that follows its output. */
  command(line: string, ms = 10_000): Promise<void> {
    return this.keysThenPrompt(`${line}\r`, ms);
  }

  /** Types keys (Ctrl-C, Ctrl-D...) and waits for the next prompt. */
  async keysThenPrompt(keys: string, ms = 10_000): Promise<void> {
    const prompts = this.promptCount();
    this.type(keys);
    const deadline = performance.now() + ms;
    while (this.promptCount() <= prompts) {
      if (performance.now() > deadline) {
        throw new Error(
          `no prompt after ${JSON.stringify(keys)}; the screen shows:\n${this.text()}`,
        );
      }
      await new Promise((r) => setTimeout(r, 10));
      await this.written;
    }
  }

  private promptCount(): number {
    return this.text()
      .split("\n")
      .filter((l) => /^[^\n]*# /.test(l)).length;
  }
}
