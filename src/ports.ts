/**
 * A container's servers, reachable at the site's `/ports/N/...` (the
 * service worker's route, src/sw/service-worker.ts): the worker asks the
 * pages that have a container open, and a page answers with its box's
 * `fetch(N, path)`, the request sent to what listens on the container's
 * TCP port N. So `httpd -p 8080` in the playground is a page of the site
 * at /ports/8080/, which a new tab can open.
 *
 * The messages, on a channel the worker's question brings:
 *   worker → page  { overbox: "port-fetch", port, request: PortQuestion }
 *   page → worker  { head: PortResponseHead } | { refused: "one line" }
 * then, for the response's body, as the worker's reader wants it:
 *   worker → page  "pull" (or "cancel")
 *   page → worker  { piece: Uint8Array } | { end: true }
 * A request body the worker has as a stream (`body: "stream"`) comes on a
 * second channel the question brings, as the container reads it:
 *   page → worker  "pull"
 *   worker → page  { piece: Uint8Array } | { end: true } | { taken: true }
 * `taken`: the body went to another page (the first to pull it answers).
 */
import type { PortRequest, PortResponseHead } from "../browser/protocol.ts";
import type { Sandbox } from "./index.ts";

export type PortQuestion = Omit<PortRequest, "body"> & { body: Uint8Array | "stream" | null };
export type PortAnswer = { head: PortResponseHead } | { refused: string };
export type PortPiece = { piece: Uint8Array } | { end: true };
export type BodyPiece = PortPiece | { taken: true };

/** Answers the service worker's port requests with `box` (a page with a container open). */
export function servePorts(box: Sandbox): void {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.addEventListener("message", (event: MessageEvent) => {
    const m = event.data as { overbox?: string; port?: number; request?: PortQuestion } | null;
    const [channel, bodyChannel] = event.ports;
    if (m?.overbox !== "port-fetch" || !channel || !m.request || typeof m.port !== "number") return;
    void answer(box, m.port, m.request, channel, bodyChannel ?? null);
  });
}

async function answer(
  box: Sandbox,
  port: number,
  request: PortQuestion,
  channel: MessagePort,
  bodyChannel: MessagePort | null,
): Promise<void> {
  let response: Response;
  const body =
    request.body === "stream" ? (bodyChannel ? pulled(bodyChannel) : null) : request.body;
  try {
    response = await box.fetch(port, request.path, {
      method: request.method,
      headers: request.headers,
      ...(body ? { body: body instanceof Uint8Array ? new Uint8Array(body) : body } : {}),
    });
  } catch (e) {
    bodyChannel?.close();
    const why = /ECONNREFUSED/.test(String(e))
      ? `nothing listens on port ${port} in container ${box.info.container}`
      : String(e);
    channel.postMessage({ refused: why } satisfies PortAnswer);
    channel.close();
    return;
  }
  bodyChannel?.close();
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

/** A request's body pulled from the service worker a piece at a time. */
function pulled(channel: MessagePort): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    pull: (controller) =>
      new Promise<void>((resolve) => {
        channel.onmessage = (e: MessageEvent) => {
          const m = e.data as BodyPiece;
          if ("piece" in m) controller.enqueue(m.piece);
          else if ("end" in m) controller.close();
          else controller.error(new Error("another page's container answers this request"));
          resolve();
        };
        channel.postMessage("pull");
      }),
    cancel: () => channel.close(),
  });
}
