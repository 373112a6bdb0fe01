import { fail } from "../errno.ts";

/**
 * One batch as a record of an append-only log: the format of the CLI's
 * store (node/file-store.ts) and of a browser container's replica
 * (replica.ts). A record is
 *
 *     header   magic "OBX1" | payload length u32 | crc32 of the payload u32
 *     payload  the batch's deletes, then its puts, each one op:
 *                "D" | key length u32 | key
 *                "P" | key length u32 | key | value length u32 | value
 *
 * with numbers little-endian and keys in UTF-8 (so a key must be
 * well-formed Unicode: a lone surrogate is refused with EINVAL). A crash
 * can tear only a log's last record, and the length and checksum tell.
 */

/** "OBX1" read as a little-endian u32: the first bytes of every record. */
export const MAGIC = 0x3158424f;
/** Magic, payload length, crc32 of the payload: u32 each, little-endian. */
export const HEADER = 12;
const DELETE = 0x44; // "D"
const PUT = 0x50; // "P"
const MAX_PAYLOAD = 0xffff_ffff - HEADER;

/** Where a value is: its first byte's offset, and its length. */
export interface Extent {
  offset: number;
  length: number;
}

/** A batch encoded as one record. */
export interface EncodedRecord {
  bytes: Uint8Array;
  deletes: string[];
  /** Each put's value, as an extent from the start of the record. */
  puts: Array<[string, Extent]>;
}

/** A record's header, read from the first HEADER bytes of `bytes`. */
export function readHeader(bytes: Uint8Array): { magic: number; length: number; crc: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER);
  return {
    magic: view.getUint32(0, true),
    length: view.getUint32(4, true),
    crc: view.getUint32(8, true),
  };
}

/**
 * Encodes a batch, deletes first, then puts, in the order given. `checksum`
 * is crc32 (Node's zlib has a faster one than ours).
 */
export function encodeRecord(
  deletes: Iterable<string>,
  puts: Iterable<[string, Uint8Array]>,
  checksum: (bytes: Uint8Array) => number = crc32,
): EncodedRecord {
  const encoder = new TextEncoder();
  const ops: Array<{ key: string; encoded: Uint8Array; value?: Uint8Array }> = [];
  let length = 0;
  for (const key of deletes) {
    const encoded = encodeKey(encoder, key);
    ops.push({ key, encoded });
    length += 5 + encoded.length;
  }
  for (const [key, value] of puts) {
    const encoded = encodeKey(encoder, key);
    ops.push({ key, encoded, value });
    length += 9 + encoded.length + value.length;
  }
  if (length > MAX_PAYLOAD) fail("EFBIG", "a batch of 4 GiB or more");
  const bytes = new Uint8Array(HEADER + length);
  const view = new DataView(bytes.buffer);
  const record: EncodedRecord = { bytes, deletes: [], puts: [] };
  let at = HEADER;
  for (const { key, encoded, value } of ops) {
    bytes[at] = value === undefined ? DELETE : PUT;
    view.setUint32(at + 1, encoded.length, true);
    bytes.set(encoded, at + 5);
    at += 5 + encoded.length;
    if (value === undefined) {
      record.deletes.push(key);
      continue;
    }
    view.setUint32(at, value.length, true);
    bytes.set(value, at + 4);
    record.puts.push([key, { offset: at + 4, length: value.length }]);
    at += 4 + value.length;
  }
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, length, true);
  view.setUint32(8, checksum(bytes.subarray(HEADER)), true);
  return record;
}

function encodeKey(encoder: TextEncoder, key: string): Uint8Array {
  // UTF-8 would turn a lone surrogate into U+FFFD: the key read back would differ.
  if (/\p{Cs}/u.test(key)) fail("EINVAL", "a key that is not well-formed Unicode");
  return encoder.encode(key);
}

/**
 * A record's ops in order, a put's value as an extent from the start of the
 * payload. A payload that does not parse is EIO, naming `log`.
 */
export function* decodeOps(
  payload: Uint8Array,
  log: string,
): Generator<{ key: string; value?: Extent }> {
  const malformed = () => fail("EIO", `a record of ${log} checks but does not parse`);
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const decoder = new TextDecoder();
  let at = 0;
  const u32 = () => {
    if (at + 4 > payload.length) malformed();
    at += 4;
    return view.getUint32(at - 4, true);
  };
  while (at < payload.length) {
    const op = payload[at++];
    if (op !== DELETE && op !== PUT) malformed();
    const keyLength = u32();
    if (at + keyLength > payload.length) malformed();
    const key = decoder.decode(payload.subarray(at, at + keyLength));
    at += keyLength;
    if (op === DELETE) {
      yield { key };
      continue;
    }
    const length = u32();
    if (at + length > payload.length) malformed();
    yield { key, value: { offset: at, length } };
    at += length;
  }
}

/**
 * CRC-32 (the IEEE polynomial, as zlib's), eight bytes a step ("slicing by
 * 8"): three times the speed of a byte a step, which a replica's writes and
 * checks feel.
 */
export function crc32(bytes: Uint8Array): number {
  const t = CRC_TABLES;
  let crc = 0xffffffff;
  let i = 0;
  for (const whole = bytes.length - (bytes.length % 8); i < whole; i += 8) {
    const low =
      crc ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
    crc =
      t[7 * 256 + (low & 0xff)]! ^
      t[6 * 256 + ((low >>> 8) & 0xff)]! ^
      t[5 * 256 + ((low >>> 16) & 0xff)]! ^
      t[4 * 256 + (low >>> 24)]! ^
      t[3 * 256 + bytes[i + 4]!]! ^
      t[2 * 256 + bytes[i + 5]!]! ^
      t[256 + bytes[i + 6]!]! ^
      t[bytes[i + 7]!]!;
  }
  for (; i < bytes.length; i++) crc = (crc >>> 8) ^ t[(crc ^ bytes[i]!) & 0xff]!;
  return (crc ^ 0xffffffff) >>> 0;
}

/** Table k: the CRC of a byte followed by k zero bytes. */
const CRC_TABLES = (() => {
  const t = new Uint32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let k = 1; k < 8; k++) {
    for (let n = 0; n < 256; n++) {
      const before = t[(k - 1) * 256 + n]!;
      t[k * 256 + n] = (before >>> 8) ^ t[before & 0xff]!;
    }
  }
  return t;
})();
