import type { Filesystem } from "../vfs/filesystem.ts";

/**
 * A filesystem's whole tree as one line per path: type, mode, owner, mtime
 * (seconds; left out with `times: false`), and the content's hash, the symlink's target, the device
 * number, and which path first named the same inode (hard links). Two
 * filesystems hold the same tree when their descriptions are equal; tests
 * compare them.
 */
export function describeTree(
  fs: Filesystem,
  options: { times?: boolean } = {},
): Map<string, string> {
  const times = options.times ?? true;
  const out = new Map<string, string>();
  const firstName = new Map<number, string>();
  const walk = (dir: number, prefix: string) => {
    const entries = fs
      .readdir(dir)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const path = prefix ? `${prefix}/${e.name}` : e.name;
      const st = fs.stat(e.ino);
      let detail = "";
      if (st.type === "file") {
        const first = firstName.get(st.ino);
        if (first === undefined) firstName.set(st.ino, path);
        detail = `${st.size} bytes, hash ${fnv1a(fs.read(e.ino, 0, st.size))}, inode of ${first ?? path}`;
      }
      if (st.type === "symlink") detail = `-> ${fs.readlink(e.ino)}`;
      if (st.type === "chardev" || st.type === "blockdev")
        detail = `rdev ${st.rdev >> 8},${st.rdev & 0xff}`;
      const mode = st.type === "symlink" ? "" : st.mode.toString(8);
      out.set(
        path,
        `${st.type} ${mode} ${st.uid}:${st.gid}${times ? ` ${st.mtime / 1_000_000_000n}` : ""} ${detail}`,
      );
      if (st.type === "directory") walk(e.ino, path);
    }
  };
  walk(fs.root, "");
  return out;
}

/** 32-bit FNV-1a: a quick content fingerprint for comparing trees. */
export function fnv1a(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h.toString(16).padStart(8, "0");
}
