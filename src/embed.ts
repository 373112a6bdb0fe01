/**
 * The embed (embed.html): a container's terminal filling an iframe,
 * configured by URL parameters (src/embed/params.ts) and driven by its
 * host page through postMessage (src/embed-protocol.ts), when the
 * `origins` parameter allows it. `window.overboxEmbed` holds the sandbox
 * and the terminal, for the console and the browser tests.
 */
import type { Terminal } from "@xterm/xterm";
import { HostApi } from "./embed/host-api.ts";
import {
  commandProgram,
  CONTAINER_PREFIX,
  EPHEMERAL,
  networkAllowed,
  parseEmbedParams,
} from "./embed/params.ts";
import { showPreview } from "./embed/preview.ts";
import { Sandbox } from "./index.ts";
import { keepOffline } from "./offline.ts";
import { servePorts } from "./ports.ts";
import { giveUpWhenCached } from "./page-cache.ts";
import { progressBar } from "./progress.ts";

declare global {
  interface Window {
    overboxEmbed?: { box: Sandbox; term: Terminal };
  }
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const params = parseEmbedParams(location.search);
for (const warning of params.warnings) console.warn(`overbox embed: ${warning}`);
document.body.classList.toggle("light", params.theme === "light");

let opened!: (box: Sandbox) => void;
let failed!: (reason: unknown) => void;
const box = new Promise<Sandbox>((resolve, reject) => ((opened = resolve), (failed = reject)));
box.catch(() => undefined); // Said on the page and to the host; requests get it as their error.
const api = new HostApi(params.origins, box);

/**
 * Opens the container. When another tab (or frame) has it open, the
 * embed opens it read-only instead; when the browser gives the embed no
 * storage, an ephemeral container; and says so.
 */
/** The origin of the page framing the embed, where the browser tells it. */
function embedderOrigin(): string | null {
  const ancestors = (location as Location & { ancestorOrigins?: DOMStringList }).ancestorOrigins;
  if (ancestors && ancestors.length > 0) return ancestors.item(0);
  try {
    return document.referrer ? new URL(document.referrer).origin : null;
  } catch {
    return null;
  }
}

async function open(): Promise<Sandbox> {
  const progress = progressBar($("progress"), $<HTMLProgressElement>("progress-bar"));
  const onProgress = progress.onProgress;
  const notice = (text: string) => {
    $("notice").textContent = text;
    $("notice").hidden = false;
  };
  let named = params.container !== EPHEMERAL;
  if (named && !(await storageAllowed())) {
    named = false;
    notice(
      `This browser gives the embed no storage here: the container ${params.container} ` +
        `is not kept, and its changes are thrown away.`,
    );
  }
  const network = networkAllowed(params, window.parent !== window, embedderOrigin());
  if (params.network && !network) {
    notice("The network is off: network=1 is taken only from a page the origins parameter names.");
  }
  const options = {
    image: params.image,
    container: named ? CONTAINER_PREFIX + params.container : EPHEMERAL,
    readOnly: params.readOnly,
    network,
    ...(params.proxy ? { proxy: params.proxy } : {}),
    // The program the command starts compiles while the shell logs in.
    programs: commandProgram(params.command),
    onProgress,
  };
  try {
    const sandbox = await Sandbox.open(options);
    if (named && params.readOnly) {
      notice(`The container ${params.container} is open read-only: changes are not saved.`);
    } else if (named && sandbox.info.unavailable) {
      // What this browser cannot do for a kept container (no replica, say): it works without it.
      notice(`In this browser: ${sandbox.info.unavailable.join("; ")}.`);
    }
    return sandbox;
  } catch (e) {
    if (!named || !String(e).includes("EBUSY")) throw e;
    notice(
      `The container ${params.container} is open in another tab: ` +
        `it is open here read-only, changes are not saved.`,
    );
    return await Sandbox.open({ ...options, readOnly: true });
  } finally {
    progress.done();
  }
}

/**
 * Whether this page may use IndexedDB. A cross-site frame gets none where
 * the browser blocks third-party storage (Chromium off the record, or by
 * the user's choice): opening the container's database would fail, and
 * the Web Lock before it (which would look like EBUSY). Listing the
 * databases fails alike, and creates none.
 */
function storageAllowed(): Promise<boolean> {
  return indexedDB.databases().then(
    () => true,
    () => false,
  );
}

/** Opens the container and its terminal, types the start command, and tells the host. */
async function start(): Promise<void> {
  // The container opens (its worker starting) while xterm.js loads and
  // makes the terminal: neither waits for the other.
  const opening = open();
  const terminal = import("./terminal.ts").then((t) => ({
    ...t,
    term: t.createTerminal($("terminal"), {
      fontSize: params.fontSize,
      theme: params.theme === "light" ? t.LIGHT : t.DARK,
    }),
  }));
  // (A failed opening is the one error said; the terminal's would follow from it.)
  terminal.catch(() => undefined);
  const sandbox = await opening;
  giveUpWhenCached(sandbox);
  // Its servers at this site's /ports/N/, as the playground's.
  servePorts(sandbox);
  // The host page's visits are its own: a frame without offline visits says nothing of it.
  const offline = keepOffline();
  if (params.preview) {
    void showPreview(sandbox, params.preview, offline, {
      section: $("preview"),
      status: $("preview-status"),
      reload: $<HTMLButtonElement>("preview-reload"),
      link: $<HTMLAnchorElement>("preview-open"),
      frame: $<HTMLIFrameElement>("preview-frame"),
    });
  }
  const decoder = new TextDecoder();
  let prompted!: () => void;
  const prompt = new Promise<void>((resolve) => (prompted = resolve));
  const { connectTerminal, term: made } = await terminal;
  const term = await connectTerminal(made, sandbox, {
    autofocus: false,
    onOutput: (data) => {
      prompted();
      if (api.enabled) api.post({ type: "output", data: decoder.decode(data, { stream: true }) });
    },
  });
  window.overboxEmbed = { box: sandbox, term };
  // Typed once the shell shows its first prompt, so that it reads the
  // command with its line editor, as if the reader had typed it.
  await prompt;
  const command = params.command.replace(/[\r\n]+$/, "");
  if (command) await sandbox.input(`${command.replace(/\r?\n/g, "\r")}\r`);
  opened(sandbox);
  const { container, image, readOnly, damage, restored, unavailable } = sandbox.info;
  const name = container === EPHEMERAL ? EPHEMERAL : params.container;
  api.post({
    type: "ready",
    container: name,
    image,
    readOnly,
    damage,
    restored,
    ...(unavailable ? { unavailable } : {}),
  });
}

start().catch((e: unknown) => {
  const message = e instanceof Error ? e.message : String(e);
  $("failure").textContent = `The container could not be opened: ${message}`;
  $("failure").hidden = false;
  failed(e);
  api.post({ type: "failed", message });
});
