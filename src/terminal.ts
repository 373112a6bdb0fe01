/**
 * An xterm.js terminal on a Sandbox's terminal: keys in, screen out, its
 * size following the element it fills. Shared by the playground and the
 * embed.
 */
import { FitAddon } from "@xterm/addon-fit";
import { WebLinksAddon } from "@xterm/addon-web-links";
import { Terminal, type ITheme } from "@xterm/xterm";
import "@xterm/xterm/css/xterm.css";
import type { Sandbox } from "./index.ts";

export interface TerminalOptions {
  fontSize?: number;
  theme?: ITheme;
  /** Also gets the bytes the screen is sent (the embed passes them on to its host page). */
  onOutput?: (data: Uint8Array) => void;
  /** Focus the terminal once the shell is up (default true; an embed must not take the host page's focus). */
  autofocus?: boolean;
}

export const DARK: ITheme = { background: "#101216", foreground: "#d8dee9" };
export const LIGHT: ITheme = {
  background: "#fdfdfd",
  foreground: "#1e2329",
  cursor: "#1e2329",
  selectionBackground: "#b3d4fc",
};

/**
 * Puts `text` on the clipboard, in a key press of the user's: through the
 * Clipboard API where the page has it, else (an older browser, a page
 * that is not a secure context) through the copy command of the key press
 * itself, which every engine has.
 */
function copy(text: string): void {
  if (navigator.clipboard?.writeText) {
    void navigator.clipboard.writeText(text).catch(() => copyByCommand(text));
  } else {
    copyByCommand(text);
  }
}

/**
 * The copy command on a hidden textarea holding `text`, selected (WebKit
 * copies nothing without a selection of the page's), then the focus back.
 */
function copyByCommand(text: string): void {
  const focused = document.activeElement as HTMLElement | null;
  const area = document.createElement("textarea");
  area.value = text;
  area.readOnly = true;
  area.setAttribute("aria-hidden", "true");
  Object.assign(area.style, { position: "fixed", top: "0", opacity: "0", pointerEvents: "none" });
  document.body.append(area);
  area.select();
  try {
    // Deprecated, and still the one way to copy without the Clipboard API.
    document.execCommand("copy");
  } finally {
    area.remove();
    focused?.focus();
  }
}

/**
 * A terminal in `element`, sized to it and following its size, with no
 * shell yet: a page makes it while its container opens, so that neither
 * waits for the other. xterm.js's screen-reader mode is on, so the
 * screen's text is in the page's accessibility tree. Ctrl+Shift+C copies
 * the selection (Ctrl+C is the shell's interrupt); Ctrl+Shift+V pastes
 * (Ctrl+V is the shell's "quote next"): xterm.js lets the key through to
 * the browser, whose paste event xterm.js takes, without asking for
 * clipboard permission.
 */
export function createTerminal(element: HTMLElement, options: TerminalOptions = {}): Terminal {
  const term = new Terminal({
    fontSize: options.fontSize ?? 14,
    fontFamily: "ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace",
    theme: options.theme ?? DARK,
    screenReaderMode: true,
    cursorBlink: true,
    scrollback: 5000,
  });
  const fit = new FitAddon();
  term.loadAddon(fit);
  term.loadAddon(new WebLinksAddon());
  term.open(element);
  fit.fit();
  term.attachCustomKeyEventHandler((e) => {
    if (e.type === "keydown" && e.ctrlKey && e.shiftKey && e.code === "KeyC") {
      const text = term.getSelection();
      if (text) copy(text);
      return false;
    }
    if (e.ctrlKey && e.shiftKey && e.code === "KeyV") return false;
    return true;
  });
  new ResizeObserver(() => fit.fit()).observe(element);
  return term;
}

/**
 * Logs `term` (createTerminal's) in to `box`'s shell: keys go to it, its
 * screen comes back, and a resize of the terminal is the shell's too.
 */
export async function connectTerminal(
  term: Terminal,
  box: Sandbox,
  options: TerminalOptions = {},
): Promise<Terminal> {
  const encoder = new TextEncoder();
  term.onData((data) => void box.input(encoder.encode(data)));
  forwardTypedText(term, (text) => void box.input(encoder.encode(text)));
  term.onBinary((data) => void box.input(Uint8Array.from(data, (c) => c.charCodeAt(0))));
  term.onResize(({ rows, cols }) => void box.resize({ rows, cols }));
  // Answered once xterm.js has taken the bytes and a frame was painted
  // after: the worker paces programs to the screen, and a flood of output
  // leaves the page time to paint and to answer the user.
  await box.terminal(
    { rows: term.rows, cols: term.cols },
    (data) =>
      new Promise<void>((drawn) => {
        term.write(data, () => requestAnimationFrame(() => drawn()));
        options.onOutput?.(data);
      }),
  );
  if (options.autofocus ?? true) term.focus();
  return term;
}

/**
 * Text typed without a key press of its own: an input event with no
 * keypress before it (an on-screen keyboard, dictation, an emoji picker, a
 * letter the browser gives that way). xterm.js takes those only outside
 * screen-reader mode, and ours is always on, so they were dropped; they go
 * to `send` here. A key press xterm.js took is followed by its own input
 * event (skipped here) unless it was cancelled; an input method's
 * composition is xterm.js's own (isComposing, or not insertText).
 */
function forwardTypedText(term: Terminal, send: (text: string) => void): void {
  const textarea = term.textarea;
  if (!textarea) return;
  /** A key press whose text the next input event repeats. */
  let pressed = false;
  textarea.addEventListener("keydown", () => (pressed = false));
  // After xterm.js's own listener (added when it opened): a cancelled key press inserts nothing.
  textarea.addEventListener("keypress", (e) => (pressed = !e.defaultPrevented));
  textarea.addEventListener("input", (e) => {
    const event = e as InputEvent;
    const typed = event.inputType === "insertText" || event.inputType === "";
    if (!typed || !event.data || event.isComposing) return;
    if (pressed) {
      pressed = false;
      return;
    }
    send(event.data);
  });
}
