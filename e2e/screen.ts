import type { Page } from "playwright-core";
import type {} from "../src/playground.ts";

/**
 * The playground terminal's lines, scrollback included, as xterm.js holds
 * them: wrapped rows joined into one line, trailing spaces and trailing
 * empty lines dropped.
 */
export function screenLines(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const buffer = window.overbox.term.buffer.active;
    const lines: string[] = [];
    for (let y = 0; y < buffer.length; y++) {
      const line = buffer.getLine(y)!;
      const text = line.translateToString(true);
      if (line.isWrapped && lines.length > 0) lines[lines.length - 1] += text;
      else lines.push(text);
    }
    while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
    return lines;
  });
}
