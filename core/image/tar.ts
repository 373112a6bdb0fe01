import { concat } from "../bytes.ts";
import { fail } from "../errno.ts";
import { PATH_MAX } from "../vfs/resolve.ts";
import { normalisePath, type EntryType, type PackEntry } from "./layer.ts";

/**
 * Reads a tar archive (POSIX ustar with pax extended headers, and GNU long
 * names) into layer entries. OCI whiteouts are translated: `.wh.NAME`
 * becomes a whiteout entry for NAME, and `.wh..wh..opq` marks its directory
 * opaque. Paths that leave the root, and hard links that do, are refused
 * by `buildLayer`, which every entry passes through.
 *
 * What is not a whole, well-formed archive is refused with EINVAL, saying
 * what is wrong: a bad checksum, a number field that is not one, data or a
 * header cut short, a malformed pax record, a path or link target of
 * PATH_MAX bytes or more (no absolute path could name it), a whiteout of
 * no name.
 */
export function readTar(archive: Uint8Array): PackEntry[] {
  const entries: PackEntry[] = [];
  const opaque = new Set<string>();
  let pax: Record<string, string> = {};
  let globalPax: Record<string, string> = {};
  let longName: string | null = null;
  let longLink: string | null = null;
  let at = 0;
  while (at < archive.length) {
    // An archive may end without its two zero blocks, but not inside a header.
    if (at + 512 > archive.length) {
      fail("EINVAL", `tar archive is truncated (a header at byte ${at})`);
    }
    const header = archive.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    checkChecksum(header, at);
    const typeflag = String.fromCharCode(header[156]!);
    // A pax `size` (for data past the header field's 8 GiB) stands for the header's.
    const paxSize = typeflag === "x" || typeflag === "g" ? undefined : (pax.size ?? globalPax.size);
    const size =
      paxSize === undefined
        ? wholeNumber(number(header, 124, 12), `size in the header at byte ${at}`)
        : wholeNumber(paxSize, `pax size of the entry at byte ${at}`);
    const body = archive.subarray(at + 512, at + 512 + size);
    if (body.length < size) {
      fail("EINVAL", `tar archive is truncated (${size} bytes of data at byte ${at + 512})`);
    }
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
    if (utf8(path).length >= PATH_MAX || utf8(linkname).length >= PATH_MAX) {
      const shown = path.length > 64 ? `${path.slice(0, 64)}…` : path;
      fail("EINVAL", `tar entry ${shown}: a path or link of ${PATH_MAX} bytes or more`);
    }

    const entry: PackEntry = {
      path,
      type: "file",
      mode: number(header, 100, 8) & 0o7777,
      uid: wholeNumber(fields.uid ?? number(header, 108, 8), `uid of tar entry ${path}`),
      gid: wholeNumber(fields.gid ?? number(header, 116, 8), `gid of tar entry ${path}`),
      mtime: Math.floor(
        wholeNumber(fields.mtime ?? number(header, 136, 12), `mtime of tar entry ${path}`, {
          negative: true,
          fraction: true,
        }),
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
      if (name === "" || name === "." || name === "..") {
        fail("EINVAL", `tar entry ${path}: a whiteout of no name`);
      }
      // A whiteout has neither data nor mode; it keeps the marker's owner and mtime.
      const { uid, gid, mtime } = entry;
      entries.push({
        path: dir ? `${dir}/${name}` : name,
        type: "whiteout",
        mode: 0,
        uid,
        gid,
        mtime,
      });
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

/**
 * An octal number field, or GNU's base-256 form (high bit set; the next bit
 * is the sign of a two's complement number, as Go's archive/tar reads it).
 * NaN for a field that is neither.
 */
function number(bytes: Uint8Array, offset: number, length: number): number {
  const field = bytes.subarray(offset, offset + length);
  if (field[0]! & 0x80) {
    const invert = field[0]! & 0x40 ? 0xff : 0;
    let n = (field[0]! ^ invert) & 0x7f;
    for (let i = 1; i < field.length; i++) n = n * 256 + (field[i]! ^ invert);
    return invert ? -n - 1 : n;
  }
  const text = cString(bytes, offset, length).trim();
  if (!/^[0-7]*$/.test(text)) return NaN;
  return text === "" ? 0 : parseInt(text, 8);
}

/**
 * A header field's number, or a pax record's decimal text, checked: a whole
 * number from 0 to 2^53 - 1, or also `negative` or with a `fraction` (pax
 * times may have both). `what` names it in the error.
 */
function wholeNumber(
  value: number | string,
  what: string,
  allow: { negative?: boolean; fraction?: boolean } = {},
): number {
  const pattern = allow.fraction ? /^-?\d+(\.\d+)?$/ : /^-?\d+$/;
  const n = typeof value === "string" ? (pattern.test(value) ? Number(value) : NaN) : value;
  const whole = allow.fraction ? Number.isSafeInteger(Math.floor(n)) : Number.isSafeInteger(n);
  if (!whole || (n < 0 && !allow.negative)) {
    fail("EINVAL", `tar: bad ${what}${typeof value === "string" ? `: ${value}` : ""}`);
  }
  return n;
}

function checkChecksum(header: Uint8Array, at: number): void {
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : header[i]!;
  if (sum !== number(header, 148, 8))
    fail("EINVAL", `not a tar archive (bad header at byte ${at})`);
}

/**
 * pax records: "LEN key=value\n", LEN counting the whole record in bytes.
 * A record that is not whole (its length runs past the header's data or
 * short of its own text, it lacks the newline or the `=`) is refused.
 */
function parsePax(body: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  let at = 0;
  while (at < body.length) {
    const space = body.indexOf(0x20, at);
    const digits = new TextDecoder().decode(body.subarray(at, space < 0 ? at : space));
    const len = /^\d{1,16}$/.test(digits) ? Number(digits) : NaN;
    const end = at + len;
    if (!(end > space + 1 && end <= body.length && body[end - 1] === 0x0a)) {
      fail("EINVAL", `bad pax header: a record at byte ${at} is not whole`);
    }
    const record = new TextDecoder().decode(body.subarray(space + 1, end - 1));
    const eq = record.indexOf("=");
    if (eq <= 0) fail("EINVAL", `bad pax header: no key=value in ${JSON.stringify(record)}`);
    out[record.slice(0, eq)] = record.slice(eq + 1);
    at = end;
  }
  return out;
}

/**
 * Writes layer entries as a tar archive, the inverse of `readTar`:
 * `readTar(writeTar(entries))` gives back `entries`. Entries are written in
 * the order given, so a directory must come before what is inside it.
 *
 * Headers are POSIX ustar; a pax extended header is added before an entry
 * only for what ustar cannot hold (a long path or link target, a large
 * owner, size or mtime, a negative mtime). Paths are written relative ("/"
 * and "./" prefixes dropped); a path with `..`, an empty path, or a name
 * that OCI reserves for whiteouts (`.wh.` prefix) is refused with EINVAL.
 * OCI whiteouts are written as the image spec says
 * (https://github.com/opencontainers/image-spec/blob/main/layer.md#whiteouts):
 * a whiteout of `a/b` is an empty file `a/.wh.b`, and an opaque directory
 * is followed by an empty file `DIR/.wh..wh..opq`. The output depends only
 * on the entries: there is no clock and no user database in it.
 */
export function writeTar(entries: PackEntry[]): Uint8Array {
  const out: Uint8Array[] = [];
  for (const e of entries) {
    const path = normalisePath(e.path.replace(/^\/+/, ""));
    const slash = path.lastIndexOf("/");
    const dir = path.slice(0, slash + 1);
    const base = path.slice(slash + 1);
    if (base.startsWith(".wh.")) fail("EINVAL", `tar entry ${path}: .wh. names are reserved`);
    const owner = { uid: e.uid, gid: e.gid, mtime: e.mtime };
    if (e.type === "whiteout") {
      // Mode 0 like Docker's and containerd's diff writers; the owner and
      // mtime are the entry's, since readTar gives those back.
      writeEntry(out, { path: `${dir}.wh.${base}`, typeflag: "0", mode: 0, ...owner });
      continue;
    }
    const header: Header = { path, typeflag: TYPEFLAGS[e.type], mode: e.mode & 0o7777, ...owner };
    if (e.type === "directory") header.path += "/";
    if (e.type === "symlink") header.linkname = e.target ?? "";
    if (e.type === "hardlink")
      header.linkname = normalisePath((e.target ?? "").replace(/^\/+/, ""));
    if (e.type === "chardev" || e.type === "blockdev") {
      // The encoding readTar decodes: major above the low 8 bits.
      header.devmajor = Math.floor((e.rdev ?? 0) / 256);
      header.devminor = (e.rdev ?? 0) & 0xff;
    }
    writeEntry(out, header, e.type === "file" ? (e.data ?? new Uint8Array(0)) : undefined);
    if (e.type === "directory" && e.opaque) {
      // Permission bits and owner of the directory, as Docker's overlay
      // whiteout converter writes it.
      const marker = { path: `${path}/.wh..wh..opq`, typeflag: "0", mode: e.mode & 0o777 };
      writeEntry(out, { ...marker, ...owner });
    }
  }
  out.push(new Uint8Array(1024));
  return concat(out);
}

interface Header {
  path: string;
  typeflag: string;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
}

const TYPEFLAGS: Record<Exclude<EntryType, "whiteout">, string> = {
  file: "0",
  hardlink: "1",
  symlink: "2",
  chardev: "3",
  blockdev: "4",
  directory: "5",
  fifo: "6",
};

const MAX_ID = 0o7777777; // 7 octal digits in an 8-byte field
const MAX_BIG = 0o77777777777; // 11 octal digits in a 12-byte field

/** Pushes one entry: a pax header if ustar cannot hold it, the header, the data. */
function writeEntry(out: Uint8Array[], h: Header, data?: Uint8Array): void {
  const size = data?.length ?? 0;
  const mtime = Math.floor(h.mtime);
  const pax: Array<[string, string]> = [];
  const split = splitPath(h.path);
  if (!split) pax.push(["path", h.path]);
  const linkname = h.linkname ?? "";
  if (utf8(linkname).length > 100) pax.push(["linkpath", linkname]);
  if (h.uid > MAX_ID) pax.push(["uid", String(h.uid)]);
  if (h.gid > MAX_ID) pax.push(["gid", String(h.gid)]);
  if (size > MAX_BIG) pax.push(["size", String(size)]);
  const mtimeFits = mtime >= 0 && mtime <= MAX_BIG;
  if (!mtimeFits) pax.push(["mtime", String(mtime)]);

  if (pax.length > 0) {
    const body = paxRecords(pax);
    const base = h.path.replace(/\/$/, "").split("/").pop()!;
    out.push(
      ustarHeader({
        name: truncate(`PaxHeaders/${base}`, 100),
        prefix: "",
        typeflag: "x",
        mode: 0o644,
        uid: 0,
        gid: 0,
        size: body.length,
        mtime: mtimeFits ? mtime : 0,
        linkname: "",
      }),
    );
    pushPadded(out, body);
  }
  // Where pax holds the value, the ustar field keeps what fits, for readers
  // that skip pax headers.
  out.push(
    ustarHeader({
      name: split ? split[1] : truncate(h.path, 100),
      prefix: split ? split[0] : "",
      typeflag: h.typeflag,
      mode: h.mode,
      uid: h.uid > MAX_ID ? 0 : h.uid,
      gid: h.gid > MAX_ID ? 0 : h.gid,
      size: size > MAX_BIG ? 0 : size,
      mtime: mtimeFits ? mtime : 0,
      linkname: truncate(linkname, 100),
      devmajor: h.devmajor,
      devminor: h.devminor,
    }),
  );
  if (data) pushPadded(out, data);
}

interface UstarFields {
  name: string;
  prefix: string;
  typeflag: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  linkname: string;
  devmajor?: number | undefined;
  devminor?: number | undefined;
}

/** One 512-byte ustar header block (POSIX.1-2001, pax "ustar Interchange Format"). */
function ustarHeader(f: UstarFields): Uint8Array {
  const h = new Uint8Array(512);
  h.set(utf8(f.name), 0);
  octal(h, 100, 8, f.mode);
  octal(h, 108, 8, f.uid);
  octal(h, 116, 8, f.gid);
  octal(h, 124, 12, f.size);
  octal(h, 136, 12, f.mtime);
  h[156] = f.typeflag.charCodeAt(0);
  h.set(utf8(f.linkname), 157);
  h.set(utf8("ustar\0" + "00"), 257);
  // uname (265) and gname (297) stay empty: owners are numeric.
  if (f.devmajor !== undefined) octal(h, 329, 8, f.devmajor);
  if (f.devminor !== undefined) octal(h, 337, 8, f.devminor);
  h.set(utf8(f.prefix), 345);
  // The checksum is summed with its own field as spaces, and written as six
  // octal digits, NUL, space.
  h.fill(0x20, 148, 156);
  const sum = h.reduce((a, b) => a + b, 0);
  h.set(utf8(sum.toString(8).padStart(6, "0") + "\0 "), 148);
  return h;
}

/** Zero-padded octal with a NUL terminator, filling the field. */
function octal(h: Uint8Array, offset: number, length: number, value: number): void {
  const digits = value.toString(8).padStart(length - 1, "0");
  if (value < 0 || !Number.isInteger(value) || digits.length > length - 1) {
    fail("EINVAL", `tar: ${value} does not fit a ${length}-byte header field`);
  }
  h.set(utf8(digits), offset);
}

/**
 * Splits a path into ustar's prefix (155 bytes) and name (100 bytes) at a
 * slash, or gives null when no split fits.
 */
function splitPath(path: string): [prefix: string, name: string] | null {
  if (utf8(path).length <= 100) return ["", path];
  // The leftmost slash whose tail fits leaves the shortest prefix.
  for (let i = path.indexOf("/"); i >= 0; i = path.indexOf("/", i + 1)) {
    const name = path.slice(i + 1);
    if (name === "") return null;
    if (utf8(name).length > 100) continue;
    return utf8(path.slice(0, i)).length <= 155 ? [path.slice(0, i), name] : null;
  }
  return null;
}

/** pax records: "LEN key=value\n", LEN counting the whole record in bytes. */
function paxRecords(records: Array<[string, string]>): Uint8Array {
  let text = "";
  for (const [key, value] of records) {
    const rest = utf8(` ${key}=${value}\n`).length;
    let len = rest + String(rest).length;
    if (String(len).length + rest !== len) len = rest + String(len).length;
    text += `${len} ${key}=${value}\n`;
  }
  return utf8(text);
}

/** The longest prefix of `s` whose UTF-8 form fits `bytes`, cut between characters. */
function truncate(s: string, bytes: number): string {
  let out = "";
  let used = 0;
  for (const ch of s) {
    used += utf8(ch).length;
    if (used > bytes) break;
    out += ch;
  }
  return out;
}

function pushPadded(out: Uint8Array[], bytes: Uint8Array): void {
  out.push(bytes);
  if (bytes.length % 512) out.push(new Uint8Array(512 - (bytes.length % 512)));
}

function utf8(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}
