/// <reference lib="webworker" />
/**
 * The service worker of the built site (sw.js): after a first visit, the
 * pages, their scripts and the images are served from a cache, so later
 * visits start without the network and work offline.
 *
 * The build writes the list of files to cache (`PRECACHE`, every file of
 * dist/: pages, hashed assets, images and their blobs) and a version (a
 * hash of that list and of the files' bytes) into this script
 * (vite.config.ts, `serviceWorker`), so a new build is a new service worker
 * with a new cache, and the old cache is deleted once it takes over.
 *
 * Files in `ON_DEMAND` (Binaryen, for programs built elsewhere: 13 MB
 * most visitors never need; the images other than the base one) are
 * cached when first fetched instead.
 *
 * Requests for cached files are answered from the cache (a page's
 * `?container=...` query ignored); anything else goes to the network, or,
 * offline, to the browser's HTTP cache: on a first visit, the page's
 * worker starts before this one takes over, so what it fetches (a big
 * layer's chunks, as programs read them) goes there; this worker copies
 * it in when it installs, and from there when it is asked for offline.
 *
 * `/ports/N/...` is a container's server (src/ports.ts): the request goes
 * to the most recently focused page with a container open, which sends it
 * to what listens on the container's TCP port N. The answer is this
 * site's alone: no CORS headers pass, other sites may neither frame it nor
 * include it (frame-ancestors, Cross-Origin-Resource-Policy).
 */
const sw = self as unknown as ServiceWorkerGlobalScope;
/** Written by the build. */
declare const PRECACHE: string[];
declare const ON_DEMAND: string[];
declare const VERSION: string;

const CACHE = `overbox-${VERSION}`;

sw.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // From the browser's HTTP cache where the page has fetched the file
      // already (the pages register this worker once their container is
      // open): a first visit downloads the image once, not twice.
      await cache.addAll(
        PRECACHE.map(
          (path) =>
            new Request(new URL(path, sw.registration.scope).href, { cache: "force-cache" }),
        ),
      );
      // And what the page fetched of the rest before this worker was there
      // (the chunks its first programs read): kept for offline visits.
      await Promise.all(
        ON_DEMAND.map(async (path) => {
          const url = new URL(path, sw.registration.scope).href;
          const response = await fromHttpCache(url);
          if (response?.ok) await cache.put(url, response);
        }),
      );
      await sw.skipWaiting();
    })(),
  );
});

sw.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith("overbox-") && name !== CACHE) await caches.delete(name);
      }
      await sw.clients.claim();
    })(),
  );
});

sw.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== sw.location.origin) return;
  const port = portOf(url);
  if (port) {
    event.respondWith(fromContainer(port.number, port.path + url.search, request));
    return;
  }
  if (request.method !== "GET") return;
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      const page = request.mode === "navigate";
      const cached = await cache.match(request, { ignoreSearch: page });
      if (cached) return cached;
      let response: Response;
      try {
        response = await fetch(request);
      } catch (e) {
        // Offline: a page's worker started before this worker took over
        // fetched without it, into the browser's HTTP cache.
        const kept = await fromHttpCache(request.url);
        if (!kept) throw e;
        response = kept;
      }
      const wanted = ON_DEMAND.some((p) => new URL(p, sw.registration.scope).href === request.url);
      if (wanted && response.ok) await cache.put(request, response.clone());
      return response;
    })(),
  );
});

/** A same-origin file as the browser's HTTP cache holds it, stale or not; null if it holds none. */
async function fromHttpCache(url: string): Promise<Response | null> {
  return fetch(url, { cache: "only-if-cached", mode: "same-origin" }).catch(() => null);
}

/** A URL of the route /ports/N/..., as N and the path from "/". */
function portOf(url: URL): { number: number; path: string } | null {
  const base = new URL("ports/", sw.registration.scope).pathname;
  if (!url.pathname.startsWith(base)) return null;
  const m = /^(\d{1,5})(\/.*)?$/.exec(url.pathname.slice(base.length));
  const n = Number(m?.[1]);
  if (!m || n < 1 || n > 65535) return null;
  return { number: n, path: m[2] ?? "/" };
}

/** How long a page has to say whether it has a container (one that has none may never say). */
const ASK_TIMEOUT = 2000;

/** The request sent to port `port` of the container of the most recently focused page that has one. */
async function fromContainer(port: number, path: string, request: Request): Promise<Response> {
  // A body streams to the container where the engine gives it as a stream
  // (Firefox's service worker has no Request.body: there it is read whole).
  const reader = ["GET", "HEAD"].includes(request.method) ? null : request.body?.getReader();
  const body = ["GET", "HEAD"].includes(request.method)
    ? null
    : reader
      ? "stream"
      : new Uint8Array(await request.arrayBuffer());
  const headers: [string, string][] = [];
  request.headers.forEach((value, name) => headers.push([name, value]));
  const question = {
    overbox: "port-fetch",
    port,
    request: { method: request.method, path, headers, body },
  };
  const upload = reader ? new Upload(reader) : null;
  const base = new URL("ports/", sw.registration.scope).href;
  // Most recently focused first; not the previews themselves.
  const pages = (await sw.clients.matchAll({ type: "window" })).filter(
    (c) => !c.url.startsWith(base),
  );
  const asked = pages.map((page) => ask(page, question, upload?.channel()));
  let refused: string | null = null;
  for (const pending of asked) {
    const a = await pending;
    if (a && "head" in a.answer) {
      for (const other of asked) void other.then((o) => o && o !== a && o.channel.close());
      return portResponse(a.answer.head, a.channel);
    }
    if (a && "refused" in a.answer) refused ??= a.answer.refused;
  }
  const why = refused ?? "no page of this site has a container open";
  return new Response(`${why}\n`, {
    status: 502,
    statusText: "Bad Gateway",
    headers: { "Content-Type": "text/plain; charset=utf-8", ...SITE_ONLY },
  });
}

interface Head {
  status: number;
  statusText: string;
  headers: [string, string][];
}
type Answer = { head: Head } | { refused: string };
type Piece = { piece: Uint8Array } | { end: true };

/** Asks a page; its answer and the channel its body comes on, or null if it says nothing. */
function ask(
  page: Client,
  question: unknown,
  bodyChannel?: MessagePort,
): Promise<{ answer: Answer; channel: MessagePort } | null> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    const timer = setTimeout(() => {
      channel.port1.close();
      resolve(null);
    }, ASK_TIMEOUT);
    channel.port1.onmessage = (e: MessageEvent) => {
      clearTimeout(timer);
      resolve({ answer: e.data as Answer, channel: channel.port1 });
    };
    page.postMessage(question, bodyChannel ? [channel.port2, bodyChannel] : [channel.port2]);
  });
}

/**
 * A request's body, pulled by pages over channels of their own: the first
 * page to pull it has it (its container is listening: it dialled first),
 * and a later one is told it is taken.
 */
class Upload {
  private owner: MessagePort | null = null;

  constructor(private readonly reader: ReadableStreamDefaultReader<Uint8Array>) {}

  /** A channel for one page; its other end goes with the question. */
  channel(): MessagePort {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = async () => {
      if (this.owner && this.owner !== port1) {
        port1.postMessage({ taken: true });
        return;
      }
      this.owner = port1;
      const { done, value } = await this.reader.read();
      port1.postMessage(done ? { end: true } : { piece: value });
      if (done) port1.close();
    };
    return port2;
  }
}

/** Headers that keep a port's answers to this site. */
const SITE_ONLY = {
  "Content-Security-Policy": "frame-ancestors 'self'",
  "Cross-Origin-Resource-Policy": "same-origin",
};

/** The response: its head as the server sent it, less CORS; its body pulled from the page as read. */
function portResponse(head: Head, channel: MessagePort): Response {
  const headers = new Headers();
  for (const [name, value] of head.headers) {
    if (/^access-control-/i.test(name)) continue;
    try {
      headers.append(name, value);
    } catch {
      // A header the browser does not take in a Response: left out.
    }
  }
  for (const [name, value] of Object.entries(SITE_ONLY)) headers.set(name, value);
  const body = new ReadableStream<Uint8Array>({
    pull: (controller) =>
      new Promise<void>((resolve) => {
        channel.onmessage = (e: MessageEvent) => {
          const m = e.data as Piece;
          if ("piece" in m) controller.enqueue(m.piece);
          else {
            controller.close();
            channel.close();
          }
          resolve();
        };
        channel.postMessage("pull");
      }),
    cancel: () => {
      channel.postMessage("cancel");
      channel.close();
    },
  });
  const empty = head.status === 204 || head.status === 304;
  if (empty) body.cancel().catch(() => undefined);
  return new Response(empty ? null : body, {
    status: head.status < 200 || head.status > 599 ? 502 : head.status,
    statusText: head.statusText,
    headers,
  });
}
