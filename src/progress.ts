/**
 * The image download's progress bar, shown while a page opens its
 * container (the playground's and the embed's #progress and
 * #progress-bar). Without a size yet (no Content-Length), the bar is
 * indeterminate. Reports that arrive after done() are dropped: they come
 * over their own message port, which may deliver them after the open's
 * answer.
 */
export function progressBar(box: HTMLElement, bar: HTMLProgressElement) {
  let finished = false;
  return {
    onProgress(loaded: number, total: number): void {
      if (finished) return;
      box.hidden = false;
      if (total > 0) {
        bar.max = total;
        bar.value = Math.min(loaded, total);
      } else {
        bar.removeAttribute("value");
      }
    },
    done(): void {
      finished = true;
      box.hidden = true;
    },
  };
}
