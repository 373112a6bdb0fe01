/**
 * Registers the service worker (src/sw/service-worker.ts) of the built
 * site, so later visits start from the cache and work offline. Not in the
 * dev server (`npm run dev`), where files change under it and there is no
 * sw.js: vite.config.ts defines __SERVICE_WORKER__ for builds only.
 * Pages call it once their container is open, so that the worker's copy of
 * the site comes from the browser's HTTP cache instead of a second download
 * (bench/: bytes of a first visit).
 */
declare const __SERVICE_WORKER__: boolean;

export function keepOffline(): void {
  if (!__SERVICE_WORKER__ || !("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register("./sw.js").catch((e: unknown) => {
    // The pages work without it: only offline visits are lost.
    console.warn(`overbox: no offline copy: ${String(e)}`);
  });
}
