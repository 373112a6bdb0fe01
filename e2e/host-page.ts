/**
 * The embed tests' host page (e2e/embed.e2e.ts), served as
 * `ORIGIN/__host.html?embed=PARAMS&embed=PARAMS` both on the embed's own
 * origin (by the test server, e2e/global-setup.ts) and on another one (by
 * the test's own server): one iframe of `embedBase`/embed.html per `embed`
 * (ids e0, e1...), and a script that records in `window.received` every
 * message of ours the page gets, from the moment it loads.
 */
export function hostPage(url: URL, embedBase: string): string {
  const frames = url.searchParams
    .getAll("embed")
    .map((p, i) => `<iframe id="e${i}" src="${embedBase}/embed.html?${p}"></iframe>`);
  return `<!doctype html><html><head><style>iframe{width:760px;height:320px}</style>
    <script>
      window.received = [];
      addEventListener("message", (e) => {
        if (!e.data || e.data.overbox !== 1) return;
        const from = [...document.querySelectorAll("iframe")].find((f) => f.contentWindow === e.source);
        received.push({ origin: e.origin, frame: from ? from.id : null, data: e.data });
      });
    </script></head><body>${frames.join("")}</body></html>`;
}
