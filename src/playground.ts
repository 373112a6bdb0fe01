/**
 * The playground (index.html): a full-window terminal logged in to a
 * container's shell, a toolbar with the container's verbs, and a footer
 * saying whether changes are saved, the site's storage, and what the last
 * verb did. The container is `?container=NAME` (default "default"); a new
 * one is made from `&image=IMAGE` (default busybox).
 *
 * The verbs live in src/playground/: containers.ts (the picker),
 * images.ts (reset, commit, export, import), files.ts (upload, download),
 * storage.ts (saving, quota, persistence), open.ts (opening, and opening
 * read-only in a second tab). `window.overbox` holds the sandbox and the
 * terminal, for the console and the browser tests.
 */
import { servePorts } from "./ports.ts";
import type { Terminal } from "@xterm/xterm";
import type { Sandbox } from "./index.ts";
import { containerUrl, finishRename, wireContainerPicker } from "./playground/containers.ts";
import { wireFiles } from "./playground/files.ts";
import { wireImageVerbs } from "./playground/images.ts";
import { openContainer } from "./playground/open.ts";
import { StatusLine } from "./playground/status.ts";
import { watchSaving, watchStorage } from "./playground/storage.ts";
import { $ } from "./playground/ui.ts";
import { keepOffline } from "./offline.ts";
import { giveUpWhenCached } from "./page-cache.ts";

declare global {
  interface Window {
    overbox: { box: Sandbox; term: Terminal };
  }
}

const status = new StatusLine($("status"));
// Whatever a verb did not catch is still one line in the status, never a blank page.
addEventListener("unhandledrejection", (e) => status.fail(e.reason));
// (An error event without an error, such as ResizeObserver's loop notice, is no failure.)
addEventListener("error", (e) => {
  if (e.error) status.fail(e.error);
});

async function start(): Promise<void> {
  const query = new URLSearchParams(location.search);
  const container = await finishRename(query.get("container") ?? "default", status);
  // The container opens (its worker starting) while xterm.js loads and
  // makes the terminal: neither waits for the other.
  const opening = openContainer(container, query.get("image") ?? "busybox", query.get("proxy"));
  const terminal = import("./terminal.ts").then((t) => ({
    ...t,
    term: t.createTerminal($("terminal")),
  }));
  // (A failed opening is the one error said; the terminal's would follow from it.)
  terminal.catch(() => undefined);
  const box = await opening;
  giveUpWhenCached(box);
  const offline = await keepOffline();
  // The image only matters when the container is made: a reload need not say it again.
  if (query.has("image")) history.replaceState(null, "", containerUrl(container));

  const title = $("container-name");
  const showTitle = (image: string) => {
    const damaged = box.info.damage.length > 0;
    title.textContent = damaged
      ? `${container} (image ${image}) — damaged, open read-only: changes are not saved`
      : box.info.readOnly
        ? `${container} (image ${image}) — read-only: changes are not saved`
        : `${container} (image ${image})`;
    document.title = `${container} — overbox`;
  };
  showTitle(box.info.image);
  const damage = box.info.damage;
  if (damage.length > 0) {
    const more = damage.length > 1 ? ` and ${damage.length - 1} more` : "";
    status.fail(
      `The storage of container ${container} is damaged (${damage[0]}${more}). ` +
        "It is open read-only: Export saves what can be read.",
    );
  } else if (box.info.restored) {
    status.say(
      `The browser had dropped the database of container ${container}: ` +
        "it was restored from the container's replica, with every change saved before.",
    );
  } else if (box.info.unavailable || offline) {
    // What this browser cannot do here (no replica, no offline visits): the container works without it.
    const missing = [...(box.info.unavailable ?? []), ...(offline ? [offline] : [])];
    status.say(`In this browser: ${missing.join("; ")}.`);
  }

  const { connectTerminal, term: made } = await terminal;
  const term = await connectTerminal(made, box);

  wireContainerPicker(box, status, () => term.focus());
  wireImageVerbs({ box, term, status, onImage: showTitle });
  wireFiles(box, term, status);
  watchSaving(box, $("saved"), status);
  watchStorage($("storage"), $<HTMLButtonElement>("persist"), status);

  for (const button of Array.from($("toolbar").querySelectorAll("button"))) {
    const writes = button.hasAttribute("data-writes");
    // Reset is how a damaged container starts afresh (after an export).
    const fixes = button.id === "reset" && damage.length > 0;
    button.disabled = writes && box.info.readOnly && !fixes;
    if (button.disabled) button.title = "open read-only: it does not write";
  }
  servePorts(box);
  $("preview").onclick = () => {
    const port = prompt("The port a server in the container listens on (httpd -p 8080):", "8080");
    if (port && /^\d{1,5}$/.test(port.trim())) window.open(`ports/${port.trim()}/`, "_blank");
  };
  // Last: the tests take it to mean that the page is ready.
  window.overbox = { box, term };
}

start().catch((e) => status.fail(e));
