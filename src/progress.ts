/**
 * The image download's progress bar, shown while a page opens its
 * container (the playground's and the embed's #progress and
 * #progress-bar). Without a size yet (no Content-Length), the bar is
 * indeterminate. After done(), the bar shows again while a big layer's
 * files come (a program's first read of them) and hides once all that was
 * asked for has come.
 */
export function progressBar(box: HTMLElement, bar: HTMLProgressElement) {
  let finished = false;
  return {
    onProgress(loaded: number, total: number): void {
      // Reports come over their own port: the open's last may come after done().
      box.hidden = finished && loaded >= total;
      if (box.hidden) return;
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
