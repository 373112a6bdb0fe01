/**
 * Where the container is kept: whether its changes are stored yet
 * ("saving…"/"saved"), and the browser's storage for this site (bytes used,
 * the quota, and whether the browser keeps it when space runs low).
 */
import type { Sandbox } from "../index.ts";
import type { StatusLine } from "./status.ts";
import { formatBytes } from "./ui.ts";

/** How often the page asks the worker whether changes wait to be stored. */
const SAVE_POLL_MS = 500;
/** How often the storage figures are refreshed. */
const STORAGE_POLL_MS = 5000;

/**
 * Shows in `element` whether the container's changes are stored: "saving…"
 * while some wait for IndexedDB, "saved" once none do. A container open
 * read-only saves nothing and says so. When storing fails (the site's
 * storage is full), `status` says so once, with the storage figures, and
 * `element` until a later save succeeds.
 */
export function watchSaving(box: Sandbox, element: HTMLElement, status: StatusLine): void {
  if (box.info.readOnly) {
    element.textContent = "read-only: changes are not saved";
    return;
  }
  const show = (text: string) => {
    if (element.textContent !== text) element.textContent = text;
  };
  let failing = false;
  const poll = async () => {
    try {
      const [unsaved, error] = await Promise.all([box.unsaved(), box.saveError()]);
      if (error !== null && !failing) status.fail(await notSavedLine(error));
      failing = error !== null;
      show(failing ? "not saved: storage is full" : unsaved ? "saving…" : "saved");
    } catch (e) {
      show(`cannot tell whether changes are saved (${String(e)})`);
      return;
    }
    setTimeout(poll, SAVE_POLL_MS);
  };
  void poll();
}

/** Why changes are not saved, with the site's storage figures and what to do. */
async function notSavedLine(error: string): Promise<string> {
  const full = error.startsWith("ENOSPC");
  const { usage, quota } = (await navigator.storage?.estimate?.()) ?? {};
  const figures =
    usage === undefined ? "" : ` (${formatBytes(usage)} used of ${formatBytes(quota ?? 0)})`;
  return full
    ? `The site's storage is full${figures}: the container's latest changes are not saved, and its writes fail with "No space left on device". Delete files in it, or free space in this browser.`
    : `The container's latest changes are not saved: ${error}`;
}

/**
 * Shows the site's storage use and quota in `element`, and whether it is
 * persistent; `button` asks the browser to make it so
 * (navigator.storage.persist), and `status` says the answer.
 */
export function watchStorage(
  element: HTMLElement,
  button: HTMLButtonElement,
  status: StatusLine,
): void {
  const storage = navigator.storage as StorageManager | undefined;
  if (!storage?.estimate) {
    element.textContent = window.isSecureContext
      ? "storage figures unavailable (this browser gives the page no Storage API)"
      : "storage figures unavailable (not a secure context)";
    return;
  }
  const refresh = async () => {
    const [{ usage, quota }, persisted] = await Promise.all([
      storage.estimate(),
      storage.persisted(),
    ]);
    const kept = persisted ? "persistent" : "not persistent: the browser may evict it";
    element.textContent = `storage: ${formatBytes(usage ?? 0)} used of ${formatBytes(quota ?? 0)}, ${kept}`;
    button.hidden = persisted;
  };
  const poll = () =>
    refresh().then(
      () => setTimeout(poll, STORAGE_POLL_MS),
      (e) => status.fail(e),
    );
  void poll();
  button.addEventListener("click", async () => {
    await status.run(
      "asking the browser to keep this site's storage…",
      async () => {
        const granted = await storage.persist();
        await refresh();
        return granted
          ? "storage is persistent: the browser will not evict it when space runs low"
          : "the browser declined persistent storage (Chromium grants it to sites that are bookmarked, installed or often used)";
      },
      button,
    );
  });
}
