import { crc32 as zlibCrc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import { crc32, decodeOps, encodeRecord, HEADER, MAGIC, readHeader } from "./log-record.ts";

describe("a log record", () => {
  it("computes the same crc32 as zlib", () => {
    const bytes = new Uint8Array(10_000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919 + (i >> 3)) & 0xff;
    for (const start of [0, 1, 5]) {
      for (const length of [0, 1, 3, 7, 8, 9, 15, 16, 17, 255, 4096, 9_000]) {
        const part = bytes.subarray(start, start + length);
        expect(crc32(part)).toBe(zlibCrc32(part));
      }
    }
  });

  it("decodes to the deletes, then the puts, it was encoded from", () => {
    const value = new TextEncoder().encode("héllo");
    const record = encodeRecord(
      ["gone", "ü/x"],
      [
        ["k", value],
        ["empty", new Uint8Array()],
      ],
    );
    const header = readHeader(record.bytes);
    expect(header.magic).toBe(MAGIC);
    expect(header.length).toBe(record.bytes.length - HEADER);
    const payload = record.bytes.subarray(HEADER);
    expect(header.crc).toBe(crc32(payload));
    const ops = [...decodeOps(payload, "test.log")].map(({ key, value: v }) => [
      key,
      v && new TextDecoder().decode(payload.subarray(v.offset, v.offset + v.length)),
    ]);
    expect(ops).toEqual([
      ["gone", undefined],
      ["ü/x", undefined],
      ["k", "héllo"],
      ["empty", ""],
    ]);
  });

  it("refuses a key that is not well-formed Unicode, and a payload that does not parse", () => {
    expect(() => encodeRecord(["\ud800"], [])).toThrow(/well-formed/);
    expect(() => [...decodeOps(new Uint8Array([0x50, 9, 0, 0, 0]), "test.log")]).toThrow(
      /test.log checks but does not parse/,
    );
  });
});
