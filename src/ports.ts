/**
 * A container's servers, reachable at the site's `/ports/N/...` (the
 * service worker's route, src/sw/service-worker.ts): the worker asks the
 * pages that have a container open, and a page answers with its box's
 * `fetch(N, path)`, the request sent to what listens on the container's
 * TCP port N. So `httpd -p 8080` in the playground is a page of the site
 * at /ports/8080/, which a new tab can open.
 *
 * The messages, on a channel the worker's question brings:
 *   worker → page  { overbox: "port-fetch", port, request: PortRequest }
 *   page → worker  { head: PortResponseHead } | { refused: "one line" }
 * then, for the body, as the worker's reader wants it:
 *   worker → page  "pull" (or "cancel")
 *   page → worker  { piece: Uint8Array } | { end: true }
 */
import type { PortRequest, PortResponseHead } from "../browser/protocol.ts";
import type { Sandbox } from "./index.ts";

export type PortAnswer = { head: PortResponseHead } | { refused: string };
export type PortPiece = { piece: Uint8Array } | { end: true };

/** Answers the service worker's port requests with `box` (a page with a container open). */
export function servePorts(box: Sandbox): void {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.addEventListener("message", (event: MessageEvent) => {
    const m = event.data as { overbox?: string; port?: number; request?: PortRequest } | null;
    const channel = event.ports[0];
    if (m?.overbox !== "port-fetch" || !channel || !m.request || typeof m.port !== "number") return;
    void answer(box, m.port, m.request, channel);
  });
}

async function answer(
  box: Sandbox,
  port: number,
  request: PortRequest,
  channel: MessagePort,
): Promise<void> {
  let response: Response;
  try {
    response = await box.fetch(port, request.path, {
      method: request.method,
      headers: request.headers,
      ...(request.body ? { body: new Uint8Array(request.body) } : {}),
    });
  } catch (e) {
    const why = /ECONNREFUSED/.test(String(e))
      ? `nothing listens on port ${port} in container ${box.info.container}`
      : String(e);
    channel.postMessage({ refused: why } satisfies PortAnswer);
    channel.close();
    return;
  }
  const headers: [string, string][] = [];
  response.headers.forEach((value, name) => headers.push([name, value]));
  const head = { status: response.status, statusText: response.statusText, headers };
  channel.postMessage({ head } satisfies PortAnswer);
  const reader = response.body?.getReader();
  channel.onmessage = async (e: MessageEvent) => {
    if (e.data === "cancel" || !reader) {
      await reader?.cancel();
      if (!reader) channel.postMessage({ end: true } satisfies PortPiece);
      channel.close();
      return;
    }
    const { done, value } = await reader.read();
    if (done) {
      channel.postMessage({ end: true } satisfies PortPiece);
      channel.close();
    } else {
      channel.postMessage({ piece: value } satisfies PortPiece, [value.buffer]);
    }
  };
}
