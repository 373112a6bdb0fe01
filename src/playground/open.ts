/**
 * Opening the page's container, with the image download's progress. When
 * another tab has the container open (EBUSY), the page says so and offers
 * two ways on: open it read-only, or a new container.
 */
import { Sandbox } from "../index.ts";
import { progressBar } from "../progress.ts";
import { $ } from "./ui.ts";

/**
 * Opens `container` (made from `image` if it is new). Resolves once it is
 * open, after the EBUSY question if there was one; other errors reject.
 */
export async function openContainer(
  container: string,
  image: string,
  proxy: string | null = null,
): Promise<Sandbox> {
  const progress = progressBar($("progress"), $<HTMLProgressElement>("progress-bar"));
  const onProgress = progress.onProgress;
  // The playground's container reaches the web (the page's fetch); `?proxy=` names a CORS proxy.
  const network = { network: true, ...(proxy ? { proxy } : {}) };
  try {
    return await Sandbox.open({ container, image, onProgress, ...network });
  } catch (e) {
    if (!String(e).includes("EBUSY")) throw e;
    const busy = $("busy");
    $("busy-text").textContent =
      `The container ${container} is open in another tab, which writes to it.`;
    busy.hidden = false;
    $("open-read-only").focus();
    return await new Promise<Sandbox>((resolve, reject) => {
      $("open-read-only").onclick = () => {
        busy.hidden = true;
        Sandbox.open({ container, image, readOnly: true, onProgress, ...network }).then(
          resolve,
          reject,
        );
      };
      $("open-new").onclick = async () => {
        // Of the busy container's own image, which the page's URL may not name.
        const busyOne = (await Sandbox.containers()).find((c) => c.name === container);
        const fresh = `${container}-${Math.random().toString(36).slice(2, 7)}`;
        location.search = `?${new URLSearchParams({ container: fresh, image: busyOne?.image ?? image })}`;
      };
    });
  } finally {
    progress.done();
  }
}
