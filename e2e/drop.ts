import type { Page } from "playwright-core";
import { inject } from "vitest";

/**
 * Deletes the IndexedDB database `name`, as Chromium does to one it cannot
 * open after a crash, from `page`, which is left on the site's origin with
 * no container open.
 */
export async function dropDatabase(page: Page, name: string): Promise<void> {
  await page.goto(`${inject("baseUrl")}/package.json`);
  await page.evaluate(
    (database) =>
      new Promise((resolve, reject) => {
        const r = indexedDB.deleteDatabase(database);
        r.onsuccess = resolve;
        r.onerror = () => reject(r.error);
      }),
    name,
  );
}
