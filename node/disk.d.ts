/**
 * Writes `bytes` to `path` so that a reader or a crash sees the old file
 * or the whole new one: a temporary file beside it, fsync, rename.
 */
export declare function writeFileAtomic(path: string, bytes: Uint8Array | string): Promise<void>;
/**
 * Makes the directory `path` and any parents it lacks, as `mkdir -p`; an
 * error names the first of them that cannot be made. Not Node's
 * `mkdir(path, { recursive: true })`: where mkdir says ENOENT although the
 * parent is there (under /proc), that one loops forever.
 */
export declare function makeDirectory(path: string): Promise<void>;
