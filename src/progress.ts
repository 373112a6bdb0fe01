/**
 * The image download's progress bar, shown while a page opens its
 * container (the playground's and the embed's #progress and
 * #progress-bar). Without a size yet (no Content-Length), the bar is
 * indeterminate.
 */
export function progressBar(box: HTMLElement, bar: HTMLProgressElement) {
  return {
    onProgress(loaded: number, total: number): void {
      box.hidden = false;
      if (total > 0) {
        bar.max = total;
        bar.value = Math.min(loaded, total);
      } else {
        bar.removeAttribute("value");
      }
    },
    done(): void {
      box.hidden = true;
    },
  };
}
