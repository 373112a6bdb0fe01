import type { Sandbox } from "./index.ts";

/**
 * Gives the container up when the browser puts the page in its
 * back/forward cache, and opens it afresh when the page is shown again.
 * WebKit caches a page it navigates away from, worker and all, so the
 * worker would go on holding the container's lock: the page that opens
 * the container next (the same one renamed, or this one from another tab)
 * would wait for ever. Closing the tab would end the worker too, so
 * nothing is lost that a close would keep.
 */
export function giveUpWhenCached(box: Sandbox): void {
  addEventListener("pagehide", (e) => {
    if (e.persisted) box.terminate();
  });
  addEventListener("pageshow", (e) => {
    if (e.persisted) location.reload();
  });
}
