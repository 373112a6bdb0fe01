/**
 * The embed's preview of a port (`preview=8080/path`): under the
 * terminal, a frame showing the site's /ports/8080/path (the service
 * worker's route to the container's server, src/ports.ts) once a server
 * listens there, with Reload and a link to open it in a tab of its own.
 */
import type { Sandbox } from "../index.ts";

export interface PreviewElements {
  section: HTMLElement;
  status: HTMLElement;
  reload: HTMLButtonElement;
  link: HTMLAnchorElement;
  frame: HTMLIFrameElement;
}

/**
 * Shows `port` once the service worker runs and something listens there;
 * `offline` is the page's keepOffline(): why it has no service worker, if so.
 */
export async function showPreview(
  box: Sandbox,
  preview: { port: number; path: string },
  offline: Promise<string | null>,
  els: PreviewElements,
): Promise<void> {
  const { port } = preview;
  const url = new URL(`ports/${port}${preview.path}`, location.href).href;
  els.section.hidden = false;
  els.link.href = url;
  els.frame.title = `Port ${port} of the container`;
  const say = (text: string) => (els.status.textContent = text);
  say(`Port ${port}: waiting for the site's service worker`);
  const lost = await offline;
  const registration =
    "serviceWorker" in navigator ? await navigator.serviceWorker.getRegistration() : undefined;
  if (lost !== null || !registration) {
    say(
      `Port ${port} cannot be shown: ${lost ?? "no service worker serves this site's ports (the built site has one)"}`,
    );
    els.reload.disabled = true;
    return;
  }
  await navigator.serviceWorker.ready;
  say(`Port ${port}: waiting for a server to listen on it`);
  await box.waitForPort(port);
  say(`Port ${port}`);
  els.frame.src = url;
  els.reload.disabled = false;
  els.reload.onclick = () => {
    // Same origin: the frame's own reload keeps where it has gone since.
    els.frame.contentWindow?.location.reload();
  };
}
