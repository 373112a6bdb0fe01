/**
 * The playground (index.html): a full-window terminal logged in to a
 * container's shell, and a toolbar with the container's verbs.
 * `window.overbox` holds the sandbox and the terminal, for the console and
 * the browser tests.
 */
import type { Terminal } from "@xterm/xterm";
import { Sandbox } from "./index.ts";
import { openTerminal } from "./terminal.ts";

declare global {
  interface Window {
    overbox: { box: Sandbox; term: Terminal };
  }
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = $("status");
const progress = $("progress");
const bar = $<HTMLProgressElement>("progress-bar");

const container = new URLSearchParams(location.search).get("container") ?? "default";

/**
 * Opens the container. Another tab holding it (EBUSY) is said, with two
 * ways on: a read-only view of it, or a new container (a page of its own).
 */
async function open(): Promise<Sandbox> {
  const onProgress = (loaded: number, total: number) => {
    progress.hidden = false;
    bar.max = total;
    bar.value = loaded;
  };
  try {
    return await Sandbox.open({ container, onProgress });
  } catch (e) {
    if (!String(e).includes("EBUSY")) throw e;
    const busy = $("busy");
    $("busy-text").textContent =
      `The container ${container} is open in another tab, which writes to it.`;
    busy.hidden = false;
    return new Promise<Sandbox>((resolve, reject) => {
      $("open-read-only").onclick = () => {
        busy.hidden = true;
        Sandbox.open({ container, readOnly: true, onProgress }).then(resolve, reject);
      };
      $("open-new").onclick = () => {
        const fresh = `${container}-${Math.random().toString(36).slice(2, 7)}`;
        location.search = `?container=${fresh}`;
      };
    });
  } finally {
    progress.hidden = true;
  }
}

const box = await open();
$("container-name").textContent = box.info.readOnly
  ? `container ${container} (read-only view: changes are not saved)`
  : `container ${container}`;
const term = await openTerminal(box, $("terminal"));
window.overbox = { box, term };

const reset = $<HTMLButtonElement>("reset");
reset.disabled = false;
reset.addEventListener("click", async () => {
  if (!confirm(`Reset the container ${container}? Every change to its files is lost.`)) return;
  reset.disabled = true;
  status.textContent = "resetting…";
  await box.reset();
  status.textContent = "";
  reset.disabled = false;
  term.focus();
});
