import { concat } from "../bytes.ts";
import { fail } from "../errno.ts";
import type { Stat } from "../vfs/filesystem.ts";
import { WouldBlock } from "../vfs/would-block.ts";
import { Changes } from "./changes.ts";
import { nextStreamIno, OpenFile, streamStat, type Readiness } from "./open-file.ts";

/**
 * A netlink socket of the routing family (AF_NETLINK, NETLINK_ROUTE), as
 * `ip addr` asks Linux for the interfaces and their addresses: the
 * container's one interface, the loopback `lo`, with 127.0.0.1/8 and
 * ::1/128, as a new network namespace has it. Dumps of links and addresses
 * are answered in Linux's messages (linux/rtnetlink.h); a dump of anything
 * else is empty; a change (a new address, a link set up) is EPERM, as for
 * a container without CAP_NET_ADMIN. Each request's answer is a datagram
 * of its own, read with recv as Linux's are.
 *
 * The numbers inside the messages that the program's libc defines (the
 * address families, the errno of an NLMSG_ERROR) are its own, given as
 * `InBand` by whoever makes the socket: the bytes reach the program as
 * they are, past any translation of its libc layer.
 */

/** The program's numbers for what netlink messages carry inside them. */
export interface InBand {
  inet: number;
  inet6: number;
  eperm: number;
  eopnotsupp: number;
}

const RTM_NEWLINK = 16;
const RTM_GETLINK = 18;
const RTM_NEWADDR = 20;
const RTM_GETADDR = 22;
const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const NLM_F_REQUEST = 0x1;
const NLM_F_MULTI = 0x2;
const NLM_F_ACK = 0x4;
const NLM_F_DUMP = 0x300;
/** The loopback, as ifconfig's ioctls describe it too (core/wasi/sockets.ts). */
const LO_INDEX = 1;
const ARPHRD_LOOPBACK = 772;
/** IFF_UP | IFF_LOOPBACK | IFF_RUNNING | IFF_LOWER_UP */
const LO_FLAGS = 0x1 | 0x8 | 0x40 | 0x10000;
const IFA_F_PERMANENT = 0x80;
const RT_SCOPE_HOST = 254;
const FOREVER = 0xffffffff;
/** What a socket holds of answers not read yet before new requests wait. */
const QUEUE_BYTES = 256 * 1024;

export class NetlinkSocket extends OpenFile {
  /** The port id (nl_pid): the process's pid once bound, as Linux gives the first one. */
  pid = 0;
  groups = 0;
  readonly options = new Map<string, number>();
  private readonly queue: Uint8Array[] = [];
  private queued = 0;
  private readonly changes = new Changes();
  private readonly ino = nextStreamIno();
  private readonly born = Math.floor(performance.now() / 10);

  constructor(
    private readonly ownerPid: number,
    private readonly numbers: InBand,
  ) {
    super(true, true);
  }

  stat(): Stat {
    return streamStat(this.ino, "socket", 0, 0o777);
  }

  bind(pid: number, groups: number): void {
    this.pid = pid === 0 ? this.ownerPid : pid;
    this.groups = groups;
  }

  /** A request to the kernel: its answer is queued for receive. */
  send(data: Uint8Array): number {
    if (this.queued > QUEUE_BYTES) fail("ENOBUFS", "answers not read yet");
    if (this.pid === 0) this.bind(0, 0);
    let at = 0;
    while (at + 16 <= data.length) {
      const v = new DataView(data.buffer, data.byteOffset + at, data.length - at);
      const len = v.getUint32(0, true);
      if (len < 16 || at + len > data.length) break;
      const request = {
        type: v.getUint16(4, true),
        flags: v.getUint16(6, true),
        seq: v.getUint32(8, true),
        body: data.subarray(at + 16, at + len),
      };
      this.answer(request, data.subarray(at, at + len));
      at += align(len);
    }
    return data.length;
  }

  receive(
    length: number,
    peek: boolean,
    nonblocking: boolean,
  ): { data: Uint8Array; whole: number } {
    const next = this.queue[0];
    if (!next) {
      if (nonblocking) fail("EAGAIN");
      throw new WouldBlock(this.changes.next(), "receiving from netlink");
    }
    if (!peek) {
      this.queue.shift();
      this.queued -= next.length;
    }
    return { data: next.subarray(0, length), whole: next.length };
  }

  override read(length: number): Uint8Array {
    return this.receive(length, false, this.nonblocking).data;
  }

  override write(data: Uint8Array): number {
    return this.send(data);
  }

  override readiness(): Readiness {
    return {
      readable: this.queue.length > 0,
      writable: true,
      available: this.queue[0]?.length ?? 0,
      hangup: false,
      changed: this.changes.next(),
    };
  }

  private answer(
    r: { type: number; flags: number; seq: number; body: Uint8Array },
    whole: Uint8Array,
  ): void {
    const dump = (r.flags & NLM_F_DUMP) === NLM_F_DUMP;
    const reply = (type: number, flags: number, payload: Uint8Array) =>
      message(type, flags, r.seq, this.pid, payload);
    const parts: Uint8Array[] = [];
    if ((r.type === RTM_GETLINK || r.type === RTM_GETADDR) && dump) {
      const family = r.body[0] ?? 0;
      const answers =
        r.type === RTM_GETLINK
          ? [reply(RTM_NEWLINK, NLM_F_MULTI, link(family === this.numbers.inet6))]
          : addresses(family, this.numbers, this.born).map((a) =>
              reply(RTM_NEWADDR, NLM_F_MULTI, a),
            );
      parts.push(...answers);
      parts.push(reply(NLMSG_DONE, NLM_F_MULTI, int32(0)));
    } else if (r.type === RTM_GETLINK && r.flags & NLM_F_REQUEST && indexOf(r.body) === LO_INDEX) {
      parts.push(reply(RTM_NEWLINK, 0, link(false)));
    } else if (r.type >= 16 && r.type % 4 === 2 && dump) {
      // A dump of routes, neighbours, rules...: the container has none to show.
      parts.push(reply(NLMSG_DONE, NLM_F_MULTI, int32(0)));
    } else {
      // A change (new, delete, set: EPERM) or what is not known (EOPNOTSUPP).
      const n = this.numbers;
      const error = r.type >= 16 && r.type % 4 !== 2 ? -n.eperm : -n.eopnotsupp;
      parts.push(reply(NLMSG_ERROR, 0, concat([int32(error), whole.subarray(0, 16)])));
    }
    if (r.flags & NLM_F_ACK && parts.length === 0) {
      parts.push(reply(NLMSG_ERROR, 0, concat([int32(0), whole.subarray(0, 16)])));
    }
    const datagram = concat(parts);
    this.queue.push(datagram);
    this.queued += datagram.length;
    this.changes.notify();
  }

  protected override close(): void {
    this.queue.length = 0;
    this.queued = 0;
    this.changes.notify();
  }
}

/**
 * lo's RTM_NEWLINK: struct ifinfomsg and its attributes. Asked of the
 * IPv6 family, Linux's answer has no queueing discipline (`ip -6 addr`
 * shows none), and neither has this.
 */
function link(ipv6: boolean): Uint8Array {
  const info = new Uint8Array(16);
  const v = new DataView(info.buffer);
  v.setUint16(2, ARPHRD_LOOPBACK, true);
  v.setInt32(4, LO_INDEX, true);
  v.setUint32(8, LO_FLAGS, true);
  return concat([
    info,
    attr(3, cString("lo")), // IFLA_IFNAME
    attr(13, uint32(1000)), // IFLA_TXQLEN
    attr(16, Uint8Array.of(0)), // IFLA_OPERSTATE: unknown, as lo's is
    attr(17, Uint8Array.of(0)), // IFLA_LINKMODE
    attr(4, uint32(65536)), // IFLA_MTU
    ...(ipv6 ? [] : [attr(6, cString("noqueue"))]), // IFLA_QDISC
    attr(1, new Uint8Array(6)), // IFLA_ADDRESS
    attr(2, new Uint8Array(6)), // IFLA_BROADCAST
  ]);
}

/** lo's addresses of `family` (0: both), each an RTM_NEWADDR's struct ifaddrmsg and attributes. */
function addresses(family: number, n: InBand, born: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  const head = (fam: number, prefix: number) =>
    Uint8Array.of(fam, prefix, IFA_F_PERMANENT, RT_SCOPE_HOST, LO_INDEX, 0, 0, 0);
  const cache = concat([uint32(FOREVER), uint32(FOREVER), uint32(born), uint32(born)]);
  if (family === 0 || family === n.inet) {
    const ip = Uint8Array.of(127, 0, 0, 1);
    out.push(
      concat([
        head(n.inet, 8),
        attr(1, ip), // IFA_ADDRESS
        attr(2, ip), // IFA_LOCAL
        attr(3, cString("lo")), // IFA_LABEL
        attr(8, uint32(IFA_F_PERMANENT)), // IFA_FLAGS
        attr(6, cache), // IFA_CACHEINFO
      ]),
    );
  }
  if (family === 0 || family === n.inet6) {
    const ip6 = new Uint8Array(16);
    ip6[15] = 1;
    out.push(
      concat([
        head(n.inet6, 128),
        attr(1, ip6), // IFA_ADDRESS
        attr(6, cache), // IFA_CACHEINFO
        attr(8, uint32(IFA_F_PERMANENT)), // IFA_FLAGS
      ]),
    );
  }
  return out;
}

function indexOf(ifinfo: Uint8Array): number {
  return ifinfo.length >= 8 ? new DataView(ifinfo.buffer, ifinfo.byteOffset).getInt32(4, true) : 0;
}

function message(
  type: number,
  flags: number,
  seq: number,
  pid: number,
  payload: Uint8Array,
): Uint8Array {
  const len = 16 + payload.length;
  const out = new Uint8Array(align(len));
  const v = new DataView(out.buffer);
  v.setUint32(0, len, true);
  v.setUint16(4, type, true);
  v.setUint16(6, flags, true);
  v.setUint32(8, seq, true);
  v.setUint32(12, pid, true);
  out.set(payload, 16);
  return out;
}

/** A struct rtattr: its length, type, and data, padded to 4 bytes. */
function attr(type: number, data: Uint8Array): Uint8Array {
  const len = 4 + data.length;
  const out = new Uint8Array(align(len));
  const v = new DataView(out.buffer);
  v.setUint16(0, len, true);
  v.setUint16(2, type, true);
  out.set(data, 4);
  return out;
}

const align = (n: number) => (n + 3) & ~3;
const cString = (s: string) => new TextEncoder().encode(`${s}\0`);

function uint32(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n, true);
  return out;
}

function int32(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setInt32(0, n, true);
  return out;
}
