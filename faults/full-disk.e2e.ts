/**
 * A full disk under Chromium: its profile on a tmpfs of 100 MB (mounted
 * here, as root), so that IndexedDB refuses a write with a real
 * QuotaExceededError, as on a user's full disk. The playground must give
 * the program ENOSPC, say so with the storage figures, keep everything
 * stored before, and save again once files are deleted.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { BROWSER, ENGINE, launchBrowserWithProfile } from "../e2e/browser.ts";
import type {} from "../src/playground.ts";

const disk = mkdtempSync(join(tmpdir(), "overbox-full-disk-"));
let context: BrowserContext;

beforeAll(() => {
  execFileSync("mount", ["-t", "tmpfs", "-o", "size=100m", "tmpfs", disk]);
});

afterAll(async () => {
  await context?.close();
  execFileSync("umount", [disk]);
  rmSync(disk, { recursive: true, force: true });
});

async function open(page: Page): Promise<void> {
  await page.goto(`${inject("baseUrl")}/?container=full`);
  await page.waitForFunction(() => window.overbox !== undefined);
}

const sh = (page: Page, script: string) => page.evaluate((s) => window.overbox.box.exec(s), script);

const textOf = (page: Page, id: string, pattern: RegExp) =>
  page.waitForFunction(
    ([id, source]) => new RegExp(source).test(document.getElementById(id)!.textContent ?? ""),
    [id, pattern.source] as const,
  );

// WebKitGTK's storage process crashes when the disk is full, and comes
// back: the write fails, and IndexedDB gives no QuotaExceededError to say
// why. What overbox still promises there: the program gets an error,
// nothing stored before is lost, and once there is space again, it saves.
const crashes = ENGINE === "webkit";

describe(`a full disk in ${BROWSER}`, () => {
  it(
    crashes
      ? "gives the program EIO, as WebKit's storage process crashes (no QuotaExceededError to tell ENOSPC by), keeps what was stored, and saves again once there is space"
      : "gives the program ENOSPC, says so with the storage figures, keeps what was stored, and saves again after a delete",
    async () => {
      context = await launchBrowserWithProfile(join(disk, "profile"));
      const page = await context.newPage();
      await open(page);
      expect((await sh(page, "echo older > /root/older.txt; sync")).exitCode).toBe(0);

      // Random bytes (IndexedDB compresses zeros) until the disk is full.
      const filled = await sh(page, "dd if=/dev/urandom of=/root/big bs=64k count=1600 conv=fsync");
      if (crashes) {
        expect(filled).toMatchObject({ exitCode: 1, stderr: "dd: /root/big: I/O error\n" });
        await textOf(page, "saved", /^not saved: /);
        // The disk still full, the container opens (its repairs at open
        // wait unsaved) and reads what was stored.
        await page.reload();
        await open(page);
        expect((await sh(page, "cat /root/older.txt")).stdout).toBe("older\n");
        // Space freed on the disk (here, a bigger tmpfs): it saves again.
        execFileSync("mount", ["-o", "remount,size=300m", disk]);
        await page.reload();
        await open(page);
        expect((await sh(page, "rm /root/big; echo after > /root/after.txt; sync")).exitCode).toBe(
          0,
        );
        await textOf(page, "saved", /^saved$/);
        await page.reload();
        await open(page);
        expect((await sh(page, "cat /root/older.txt /root/after.txt; ls /root")).stdout).toBe(
          "older\nafter\nafter.txt\nolder.txt\n",
        );
        expect((await page.evaluate(() => window.overbox.box.fsck())).problems).toEqual([]);
        return;
      }
      expect(filled.stderr).toContain("No space left on device");
      expect(filled.exitCode).toBe(1);
      await textOf(
        page,
        "status",
        /^The site's storage is full \(\S+ \S+ used of \S+ \S+\): the container's latest changes are not saved, and its writes fail with "No space left on device"\./,
      );
      await textOf(page, "saved", /^not saved: storage is full$/);
      expect((await sh(page, "echo more >> /root/older.txt")).stderr).toContain(
        "No space left on device",
      );

      expect((await sh(page, "rm /root/big; sync")).exitCode).toBe(0);
      await textOf(page, "saved", /^saved$/);
      expect(
        await sh(page, "echo after > /root/after.txt; sync; cat /root/older.txt /root/after.txt"),
      ).toMatchObject({
        exitCode: 0,
        stdout: "older\nafter\n",
      });

      await page.reload();
      await open(page);
      expect((await sh(page, "cat /root/older.txt /root/after.txt; ls /root")).stdout).toBe(
        "older\nafter\nafter.txt\nolder.txt\n",
      );
      expect((await page.evaluate(() => window.overbox.box.fsck())).problems).toEqual([]);
    },
  );
});
