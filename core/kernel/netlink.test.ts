import { describe, expect, it } from "vitest";
import { NetlinkSocket, type InBand } from "./netlink.ts";

/** Linux's numbers, for the test (the wasi layer gives wasi-libc's). */
const LINUX: InBand = { inet: 2, inet6: 10, eperm: 1, eopnotsupp: 95 };

/** A request: nlmsghdr (type, flags, seq) and a payload. */
function request(type: number, flags: number, seq: number, payload: number[]): Uint8Array {
  const out = new Uint8Array(16 + payload.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, out.length, true);
  v.setUint16(4, type, true);
  v.setUint16(6, flags, true);
  v.setUint32(8, seq, true);
  out.set(payload, 16);
  return out;
}

/** The messages of a datagram: type, flags, seq, pid and payload. */
function messages(d: Uint8Array) {
  const out = [];
  for (let at = 0; at + 16 <= d.length;) {
    const v = new DataView(d.buffer, d.byteOffset + at);
    const len = v.getUint32(0, true);
    out.push({
      type: v.getUint16(4, true),
      flags: v.getUint16(6, true),
      seq: v.getUint32(8, true),
      pid: v.getUint32(12, true),
      payload: d.subarray(at + 16, at + len),
    });
    at += (len + 3) & ~3;
  }
  return out;
}

const DUMP = 0x301;

describe("a netlink socket of the routing family", () => {
  it("dumps the loopback link and its two addresses, then NLMSG_DONE, to the asking port id", () => {
    const s = new NetlinkSocket(42, LINUX);
    s.bind(0, 0);
    expect(s.pid).toBe(42);
    s.send(request(18, DUMP, 7, [0, 0, 0, 0])); // RTM_GETLINK
    const links = messages(s.receive(65536, false, true).data);
    expect(links.map((m) => [m.type, m.seq, m.pid])).toEqual([
      [16, 7, 42],
      [3, 7, 42],
    ]);
    const info = new DataView(links[0]!.payload.buffer, links[0]!.payload.byteOffset);
    expect([info.getUint16(2, true), info.getInt32(4, true), info.getUint32(8, true)]).toEqual([
      772, 1, 0x10049,
    ]);
    s.send(request(22, DUMP, 8, [0])); // RTM_GETADDR, every family
    const addrs = messages(s.receive(65536, false, true).data);
    expect(addrs.map((m) => [m.type, ...m.payload.subarray(0, 4)])).toEqual([
      [20, 2, 8, 0x80, 254],
      [20, 10, 128, 0x80, 254],
      [3, 0, 0, 0, 0],
    ]);
    s.send(request(22, DUMP, 9, [10])); // only IPv6
    expect(messages(s.receive(65536, false, true).data).map((m) => m.payload[0])).toEqual([10, 0]);
  });

  it("refuses changes with EPERM, answers an empty dump of routes, and waits when nothing is asked", () => {
    const s = new NetlinkSocket(5, LINUX);
    s.send(request(20, 0x605, 1, [2, 8, 0, 0, 1, 0, 0, 0])); // RTM_NEWADDR
    const [error] = messages(s.receive(65536, false, true).data);
    expect(error!.type).toBe(2);
    expect(new DataView(error!.payload.buffer, error!.payload.byteOffset).getInt32(0, true)).toBe(
      -1,
    );
    s.send(request(26, DUMP, 2, [0])); // RTM_GETROUTE
    expect(messages(s.receive(65536, false, true).data).map((m) => m.type)).toEqual([3]);
    expect(() => s.receive(65536, false, true)).toThrow(/EAGAIN/);
  });
});
