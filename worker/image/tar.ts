import { fail } from "../errno.ts";
import type { EntryType, PackEntry } from "./layer.ts";

/**
 * Reads a tar archive (POSIX ustar with pax extended headers, and GNU long
 * names) into layer entries. OCI whiteouts are translated: `.wh.NAME`
 * becomes a whiteout entry for NAME, and `.wh..wh..opq` marks its directory
 * opaque. Paths that leave the root, and hard links that do, are refused
 * by `buildLayer`, which every entry passes through.
 */
export function readTar(archive: Uint8Array): PackEntry[] {
  const entries: PackEntry[] = [];
  const opaque = new Set<string>();
  let pax: Record<string, string> = {};
  let globalPax: Record<string, string> = {};
  let longName: string | null = null;
  let longLink: string | null = null;
  let at = 0;
  while (at + 512 <= archive.length) {
    const header = archive.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    checkChecksum(header, at);
    const size = number(header, 124, 12);
    const typeflag = String.fromCharCode(header[156]!);
    const body = archive.subarray(at + 512, at + 512 + size);
    if (body.length < size) fail("EINVAL", "tar archive is truncated");
    at += 512 + Math.ceil(size / 512) * 512;

    if (typeflag === "x") {
      pax = parsePax(body);
      continue;
    }
    if (typeflag === "g") {
      globalPax = { ...globalPax, ...parsePax(body) };
      continue;
    }
    if (typeflag === "L") {
      longName = cString(body, 0, body.length);
      continue;
    }
    if (typeflag === "K") {
      longLink = cString(body, 0, body.length);
      continue;
    }
    const fields = { ...globalPax, ...pax };
    const prefix = cString(header, 345, 155);
    const rawName = cString(header, 0, 100);
    let path = fields.path ?? longName ?? (prefix ? `${prefix}/${rawName}` : rawName);
    const linkname = fields.linkpath ?? longLink ?? cString(header, 157, 100);
    pax = {};
    longName = longLink = null;

    const entry: PackEntry = {
      path,
      type: "file",
      mode: number(header, 100, 8) & 0o7777,
      uid: fields.uid !== undefined ? Number(fields.uid) : number(header, 108, 8),
      gid: fields.gid !== undefined ? Number(fields.gid) : number(header, 116, 8),
      mtime: Math.floor(
        fields.mtime !== undefined ? Number(fields.mtime) : number(header, 136, 12),
      ),
    };
    const type = TYPES[typeflag];
    if (type === undefined) fail("EINVAL", `tar entry ${path}: unsupported type '${typeflag}'`);
    entry.type = type;
    if (type === "file") entry.data = body.slice();
    if (type === "symlink" || type === "hardlink") entry.target = linkname;
    if (type === "chardev" || type === "blockdev") {
      entry.rdev = (number(header, 329, 8) << 8) | number(header, 337, 8);
    }

    path = path.replace(/\/+$/, "");
    const slash = path.lastIndexOf("/");
    const dir = slash < 0 ? "" : path.slice(0, slash);
    const base = path.slice(slash + 1);
    if (base === ".wh..wh..opq") {
      opaque.add(dir);
      continue;
    }
    if (base.startsWith(".wh.")) {
      const name = base.slice(4);
      entries.push({ ...entry, path: dir ? `${dir}/${name}` : name, type: "whiteout", mode: 0 });
      continue;
    }
    entry.path = path;
    if (entry.path === "" || entry.path === ".") continue; // the root itself
    entries.push(entry);
  }
  for (const dir of opaque) {
    const d = entries.find((e) => e.type === "directory" && trimDot(e.path) === trimDot(dir));
    if (d) d.opaque = true;
    else
      entries.push({
        path: dir,
        type: "directory",
        mode: 0o755,
        uid: 0,
        gid: 0,
        mtime: 0,
        opaque: true,
      });
  }
  return entries;
}

const TYPES: Record<string, EntryType> = {
  "0": "file",
  "\0": "file",
  "7": "file",
  "1": "hardlink",
  "2": "symlink",
  "3": "chardev",
  "4": "blockdev",
  "5": "directory",
  "6": "fifo",
};

function trimDot(p: string): string {
  return p.replace(/^(\.\/)+/, "").replace(/\/+$/, "");
}

function cString(bytes: Uint8Array, offset: number, length: number): string {
  const field = bytes.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return new TextDecoder().decode(end < 0 ? field : field.subarray(0, end));
}

/** An octal number field, or GNU's base-256 form (high bit set). */
function number(bytes: Uint8Array, offset: number, length: number): number {
  const field = bytes.subarray(offset, offset + length);
  if (field[0]! & 0x80) {
    let n = field[0]! & 0x7f;
    for (let i = 1; i < field.length; i++) n = n * 256 + field[i]!;
    return n;
  }
  const text = cString(bytes, offset, length).trim();
  return text === "" ? 0 : parseInt(text, 8);
}

function checkChecksum(header: Uint8Array, at: number): void {
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : header[i]!;
  if (sum !== number(header, 148, 8))
    fail("EINVAL", `not a tar archive (bad header at byte ${at})`);
}

/** pax records: "LEN key=value\n", LEN counting the whole record in bytes. */
function parsePax(body: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  let at = 0;
  while (at < body.length) {
    const space = body.indexOf(0x20, at);
    if (space < 0) break;
    const len = parseInt(new TextDecoder().decode(body.subarray(at, space)), 10);
    if (!(len > 0)) fail("EINVAL", "bad pax header");
    const record = new TextDecoder().decode(body.subarray(space + 1, at + len - 1));
    const eq = record.indexOf("=");
    out[record.slice(0, eq)] = record.slice(eq + 1);
    at += len;
  }
  return out;
}
