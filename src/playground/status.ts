/**
 * The status line: one line, read out by screen readers (aria-live), that
 * says what the last verb did or why it failed. The worker's errors are
 * Errors whose message starts with an errno ("EBUSY: the container ... is
 * open in a tab"); such a message is the line.
 */
export class StatusLine {
  constructor(private readonly element: HTMLElement) {}

  say(text: string): void {
    this.element.classList.remove("error");
    this.element.textContent = text;
  }

  fail(error: unknown): void {
    this.element.classList.add("error");
    this.element.textContent = errorLine(error);
  }

  /**
   * Runs a verb: `doing` is said meanwhile, then the line `body` returns;
   * an error is said instead of thrown. `button` is disabled while it runs.
   */
  async run(
    doing: string,
    body: () => Promise<string>,
    button?: HTMLButtonElement,
  ): Promise<boolean> {
    const wasDisabled = button?.disabled ?? false;
    if (button) button.disabled = true;
    this.say(doing);
    try {
      this.say(await body());
      return true;
    } catch (e) {
      this.fail(e);
      return false;
    } finally {
      if (button) button.disabled = wasDisabled;
    }
  }
}

/** An error as one line: its message's first line ("EBUSY: ..."), without a leading "Error: ". */
export function errorLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const line = message
    .split("\n", 1)[0]!
    .replace(/^Error: /, "")
    .trim();
  return line || "something failed, without a message";
}
