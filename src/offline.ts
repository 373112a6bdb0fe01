/**
 * The service worker (src/sw/service-worker.ts) of the built
 * site, so later visits start from the cache and work offline. Not in the
 * dev server (`npm run dev`), where files change under it and there is no
 * sw.js: vite.config.ts defines __SERVICE_WORKER__ for builds only.
 * Pages call it once their container is open, so that the worker's copy of
 * the site comes from the browser's HTTP cache instead of a second download
 * (bench/: bytes of a first visit).
 */
declare const __SERVICE_WORKER__: boolean;

/**
 * Registers it; resolves with what the page cannot do without it, as one
 * line for the status, or null. The pages work without it: only visits
 * without the network are lost (a private window may run no service
 * worker, or refuse to register one).
 */
export async function keepOffline(): Promise<string | null> {
  if (!__SERVICE_WORKER__) return null;
  const lost =
    "no offline visits: this browser runs no service worker for this page (a private window, or a setting), so each visit needs the network";
  if (!("serviceWorker" in navigator)) return lost;
  try {
    await navigator.serviceWorker.register("./sw.js");
    return null;
  } catch (e) {
    console.warn(`overbox: no offline copy: ${String(e)}`);
    return `${lost} (${String(e)})`;
  }
}
