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
  if (request.method !== "GET" || new URL(request.url).origin !== sw.location.origin) return;
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
