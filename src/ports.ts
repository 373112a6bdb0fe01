/**
 * A container's servers, reachable at the site's `/ports/N/...` (the
 * service worker's route, src/sw/service-worker.ts): the worker asks the
 * pages that have a container open, and a page answers with its box's
 * `fetch(N, path)`, the request sent to what listens on the container's
 * TCP port N. So `httpd -p 8080` in the playground is a page of the site
 * at /ports/8080/, which a new tab can open.
 *
 * The messages (the worker's question carries a port of its own for the
 * answer):
 *   { overbox: "port-fetch", port, request: PortRequest }
 *   → { response: PortResponse } | { refused: "one line" } | { none: true }
 */
import type { PortRequest, PortResponse } from "../browser/protocol.ts";
import type { Sandbox } from "./index.ts";

export type PortAnswer = { response: PortResponse } | { refused: string } | { none: true };

/** Answers the service worker's port requests with `box` (a page with a container open). */
export function servePorts(box: Sandbox): void {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.addEventListener("message", (event: MessageEvent) => {
    const m = event.data as { overbox?: string; port?: number; request?: PortRequest } | null;
    const reply = event.ports[0];
    if (m?.overbox !== "port-fetch" || !reply || !m.request || typeof m.port !== "number") return;
    void answer(box, m.port, m.request).then((a) =>
      reply.postMessage(a, "response" in a ? [a.response.body.buffer] : []),
    );
  });
}

async function answer(box: Sandbox, port: number, request: PortRequest): Promise<PortAnswer> {
  try {
    const r = await box.fetch(port, request.path, {
      method: request.method,
      headers: request.headers,
      ...(request.body ? { body: new Uint8Array(request.body) } : {}),
    });
    const headers: [string, string][] = [];
    r.headers.forEach((value, name) => headers.push([name, value]));
    const body = new Uint8Array(await r.arrayBuffer());
    return { response: { status: r.status, statusText: r.statusText, headers, body } };
  } catch (e) {
    const why = /ECONNREFUSED/.test(String(e))
      ? `nothing listens on port ${port} in container ${box.info.container}`
      : String(e);
    return { refused: why };
  }
}
