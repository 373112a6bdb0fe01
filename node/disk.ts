/**
 * Files and directories on the host's disk, made so that a crash leaves
 * the old file or the whole new one, and a path that cannot be made is an
 * error, never a hang.
 */
import { randomBytes } from "node:crypto";
import { mkdir, open, rename, stat, unlink } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * Writes `bytes` to `path` so that a reader or a crash sees the old file
 * or the whole new one: a temporary file beside it, fsync, rename.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  await makeDirectory(dirname(path));
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  const file = await open(temporary, "w");
  try {
    await file.writeFile(bytes);
    await file.sync();
  } catch (e) {
    await file.close();
    await unlink(temporary).catch(() => undefined);
    throw e;
  }
  await file.close();
  try {
    await rename(temporary, path);
  } catch (e) {
    await unlink(temporary).catch(() => undefined);
    throw e;
  }
}

/**
 * Makes the directory `path` and any parents it lacks, as `mkdir -p`; an
 * error names the first of them that cannot be made. Not Node's
 * `mkdir(path, { recursive: true })`: where mkdir says ENOENT although the
 * parent is there (under /proc), that one loops forever.
 */
export async function makeDirectory(path: string): Promise<void> {
  try {
    await mkdir(path);
    return;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EEXIST") {
      if (await isDirectory(path)) return;
      throw Object.assign(new Error(`ENOTDIR: not a directory: ${path}`), { code: "ENOTDIR" });
    }
    const parent = dirname(path);
    if ((code !== "ENOENT" && code !== "ENOTDIR") || parent === path) throw e;
    await makeDirectory(parent);
  }
  // The parent is there now; ENOENT again is the /proc case, and final.
  await mkdir(path).catch(async (e: unknown) => {
    if (!(await isDirectory(path))) throw e; // Else another command made it meanwhile.
  });
}

function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}
