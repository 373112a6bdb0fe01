/**
 * The page's small pieces: elements by id, modal questions in index.html's
 * <dialog>s, and bytes offered as a download.
 */

/** The element of index.html with this id (a missing one is a bug of the page). */
export function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`index.html has no #${id}`);
  return element as T;
}

/**
 * Shows a modal <dialog> whose form has method="dialog", and resolves when
 * it closes: true if by its button of value "ok" (the form valid), false if
 * cancelled (its Cancel button, or Escape).
 */
export function ask(dialog: HTMLDialogElement): Promise<boolean> {
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
  });
}

/**
 * Runs `verb` when `button` is clicked; the terminal has the keyboard again
 * afterwards, whether the verb was done or cancelled.
 */
export function onVerb(
  button: HTMLButtonElement,
  terminal: { focus(): void },
  verb: () => Promise<void>,
): void {
  button.addEventListener("click", () => void verb().finally(() => terminal.focus()));
}

/** Asks a yes-or-no question; `verb` names the button that says yes ("Reset"). */
export function confirmAction(question: string, verb: string): Promise<boolean> {
  $("confirm-text").textContent = question;
  $("confirm-ok").textContent = verb;
  return ask($<HTMLDialogElement>("confirm"));
}

/** Offers `bytes` as a download named `name`, through a Blob URL. */
export function save(bytes: Uint8Array, name: string, type = "application/octet-stream"): void {
  const url = URL.createObjectURL(new Blob([bytes.slice()], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.click();
  // The download reads the blob after this task; revoking at once can cut it off.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** "1.5 MB": bytes for people (decimal units, as browsers show sizes). */
export function formatBytes(n: number): string {
  const units = ["bytes", "kB", "MB", "GB", "TB"];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return i === 0
    ? `${n} ${n === 1 ? "byte" : "bytes"}`
    : `${n.toFixed(n < 10 ? 1 : 0)} ${units[i]}`;
}
