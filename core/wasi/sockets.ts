import { ErrnoError, fail } from "../errno.ts";
import type { Process } from "../kernel/process.ts";
import { SIGPIPE } from "../kernel/signals.ts";
import { NetlinkSocket, type InBand } from "../kernel/netlink.ts";
import { Socket, type Family, type SocketAddress } from "../kernel/socket.ts";
import { errnoNumber, syscall } from "./errno.ts";
import type { WasmMemory } from "./memory.ts";
import type { Current } from "./current.ts";

/** Linux's address families, as the `overbox` socket calls take them. */
const AF_UNIX = 1;
const AF_INET = 2;
const AF_INET6 = 10;
const AF_NETLINK = 16;
/** Linux's sizes of struct sockaddr_in, sockaddr_in6 and sockaddr_un. */
const SOCKADDR_IN = 16;
const SOCKADDR_IN6 = 28;
const SOCKADDR_UN = 110;

/**
 * What netlink messages carry inside them in the program's numbers
 * (wasi-libc's: AF_INET 1, AF_INET6 2, and its errno), which compat/net.c
 * cannot translate in bytes it passes through.
 */
const NETLINK_NUMBERS: InBand = {
  inet: 1,
  inet6: 2,
  eperm: errnoNumber("EPERM"),
  eopnotsupp: errnoNumber("ENOTSUP"),
};

/** `socket` flags, and those of `accept`. */
const NONBLOCK = 1;
const CLOEXEC = 2;
/** `sendto` and `recvfrom` flags. */
const DONTWAIT = 1;
const NOSIGNAL = 2;
const PEEK = 4;

/**
 * The socket calls of the `overbox` module (README.md, "Sockets"):
 * addresses are Linux's structs (sockaddr_in, sockaddr_in6, sockaddr_un),
 * which compat/net.c makes from wasi-libc's; the sockets themselves are the
 * kernel's (core/kernel/socket.ts). Reading and writing a connected socket
 * is fd_read and fd_write, as for a pipe.
 */
export function socketImports(current: Current, mem: WasmMemory): WebAssembly.ModuleImports {
  const socketAt = (fd: number): Socket => {
    const f = current.proc.file(fd);
    if (!(f instanceof Socket)) fail(f instanceof NetlinkSocket ? "ENOTSUP" : "ENOTSOCK");
    return f;
  };
  /** The netlink socket at `fd`, or null for another kind of file. */
  const netlinkAt = (fd: number): NetlinkSocket | null => {
    const f = current.proc.file(fd);
    return f instanceof NetlinkSocket ? f : null;
  };
  /** A sockaddr_nl: family 16, then the port id and the groups. */
  const netlinkAddress = (pid: number, groups: number) => {
    const bytes = new Uint8Array(12);
    const v = new DataView(bytes.buffer);
    v.setUint16(0, AF_NETLINK, true);
    v.setUint32(4, pid, true);
    v.setUint32(8, groups, true);
    return bytes;
  };
  const writeBytes = (bytes: Uint8Array, ptr: number, lenPtr: number) => {
    const room = mem.view.getUint32(lenPtr, true);
    mem.bytes.set(bytes.subarray(0, Math.min(room, bytes.length)), ptr);
    mem.u32(lenPtr, bytes.length);
  };
  const install = (s: Socket, flags: number, out: number) => {
    s.nonblocking = (flags & NONBLOCK) !== 0;
    const fd = current.proc.install(s);
    if (flags & CLOEXEC) current.proc.cloexec.add(fd);
    mem.u32(out, fd);
  };
  const readAddress = (ptr: number, len: number): SocketAddress => {
    if (len < 2) fail("EINVAL", "an address too short for its family");
    const v = mem.view;
    const family = v.getUint16(ptr, true);
    if (family === AF_INET) {
      if (len < SOCKADDR_IN) fail("EINVAL", "a sockaddr_in too short");
      return {
        family: "inet",
        port: v.getUint16(ptr + 2, false),
        address: mem.bytes.slice(ptr + 4, ptr + 8),
      };
    }
    if (family === AF_INET6) {
      if (len < SOCKADDR_IN6) fail("EINVAL", "a sockaddr_in6 too short");
      return {
        family: "inet6",
        port: v.getUint16(ptr + 2, false),
        address: mem.bytes.slice(ptr + 8, ptr + 24),
      };
    }
    if (family === AF_UNIX) {
      const raw = mem.bytes.subarray(ptr + 2, ptr + Math.min(len, SOCKADDR_UN));
      const end = raw.indexOf(0);
      const path = mem.string(ptr + 2, end < 0 ? raw.length : end);
      // Linux's abstract names (a NUL first) are not files; nothing here uses them.
      if (path === "") fail("EINVAL", "a Unix socket address needs a path");
      return { family: "unix", path };
    }
    fail("EAFNOSUPPORT", `address family ${family}`);
  };
  /** Writes `a` at `ptr` as far as the length at `lenPtr` allows, and its whole length there. */
  const writeAddress = (a: SocketAddress, ptr: number, lenPtr: number) => {
    const bytes = encodeAddress(a, mem);
    const room = mem.view.getUint32(lenPtr, true);
    mem.bytes.set(bytes.subarray(0, Math.min(room, bytes.length)), ptr);
    mem.u32(lenPtr, bytes.length);
  };
  const familyOf = (domain: number): Family => {
    if (domain === AF_UNIX) return "unix";
    if (domain === AF_INET) return "inet";
    if (domain === AF_INET6) return "inet6";
    fail("EAFNOSUPPORT", `address family ${domain}`);
  };
  const sameFamily = (s: Socket, a: SocketAddress) => {
    // An IPv6 socket takes an IPv4-mapped address; no other mixing.
    if (a.family !== s.family)
      fail("EAFNOSUPPORT", `a ${a.family} address for a ${s.family} socket`);
  };

  return {
    socket: (domain: number, type: number, flags: number, out: number) =>
      syscall(() => {
        if (domain === AF_NETLINK) {
          if (type !== 2 && type !== 3) fail("EPROTONOSUPPORT", `netlink socket type ${type}`);
          const s = new NetlinkSocket(current.proc.pid, NETLINK_NUMBERS);
          s.nonblocking = (flags & NONBLOCK) !== 0;
          const fd = current.proc.install(s);
          if (flags & CLOEXEC) current.proc.cloexec.add(fd);
          mem.u32(out, fd);
          return;
        }
        const family = familyOf(domain);
        if (type !== 1 && type !== 2) fail("EPROTONOSUPPORT", `socket type ${type}`);
        install(current.kernel.network.socket(family, type === 1 ? "stream" : "dgram"), flags, out);
      }),
    bind: (fd: number, ptr: number, len: number) =>
      syscall(() => {
        const nl = netlinkAt(fd);
        if (nl) {
          if (len < 12 || mem.view.getUint16(ptr, true) !== AF_NETLINK) fail("EINVAL");
          nl.bind(mem.view.getUint32(ptr + 4, true), mem.view.getUint32(ptr + 8, true));
          return;
        }
        const s = socketAt(fd);
        const a = readAddress(ptr, len);
        sameFamily(s, a);
        if (s.bound) fail("EINVAL", "the socket is bound already");
        if (a.family === "unix") {
          const ino = current.proc.makeSocketFile(a.path, 0o777);
          current.kernel.network.bindUnix(s, ino, a.path);
        } else {
          current.kernel.network.bindIp(s, a);
        }
      }),
    listen: (fd: number, backlog: number) => syscall(() => socketAt(fd).listen(backlog)),
    accept: (fd: number, flags: number, ptr: number, lenPtr: number, out: number) =>
      syscall(() => {
        const s = socketAt(fd).accept();
        if (ptr !== 0 && s.peer) writeAddress(s.peer, ptr, lenPtr);
        install(s, flags, out);
      }),
    connect: (fd: number, ptr: number, len: number) =>
      syscall(() => {
        // A netlink socket's peer is the kernel, whatever it names.
        if (netlinkAt(fd)) return;
        const s = socketAt(fd);
        const a = readAddress(ptr, len);
        sameFamily(s, a);
        if (s.kind === "dgram") {
          if (a.family === "unix") fail("EAFNOSUPPORT");
          s.connectDatagram(a);
        } else if (a.family === "unix") {
          s.connectTo(current.kernel.network.unixListener(current.proc.socketFile(a.path)));
        } else {
          current.kernel.network.connect(s, a, (line) => tell(current.proc, line));
        }
      }),
    resolve: (name: number, nameLen: number, out: number) =>
      syscall(() => mem.bytes.set(current.kernel.network.resolve(mem.string(name, nameLen)), out)),
    sendto: (
      fd: number,
      buf: number,
      len: number,
      flags: number,
      ptr: number,
      addrLen: number,
      out: number,
    ) =>
      syscall(() => {
        const nl = netlinkAt(fd);
        if (nl) {
          mem.u32(out, nl.send(mem.bytes.slice(buf, buf + len)));
          return;
        }
        const s = socketAt(fd);
        const to = ptr === 0 ? null : readAddress(ptr, addrLen);
        // Copied: the pipe keeps what it is given, and the program's memory changes.
        const data = mem.bytes.slice(buf, buf + len);
        try {
          mem.u32(out, s.send(data, to, (flags & DONTWAIT) !== 0));
        } catch (e) {
          if (e instanceof ErrnoError && e.errno === "EPIPE" && !(flags & NOSIGNAL)) {
            current.proc.raise(SIGPIPE);
          }
          throw e;
        }
      }),
    recvfrom: (
      fd: number,
      buf: number,
      len: number,
      flags: number,
      ptr: number,
      lenPtr: number,
      out: number,
    ) =>
      syscall(() => {
        const nl = netlinkAt(fd);
        if (nl) {
          const got = nl.receive(
            len,
            (flags & PEEK) !== 0,
            nl.nonblocking || (flags & DONTWAIT) !== 0,
          );
          mem.bytes.set(got.data, buf);
          if (ptr !== 0) writeBytes(netlinkAddress(0, 0), ptr, lenPtr);
          mem.u32(out, got.data.length);
          return;
        }
        const s = socketAt(fd);
        const got = s.receive(len, {
          peek: (flags & PEEK) !== 0,
          dontWait: (flags & DONTWAIT) !== 0,
        });
        mem.bytes.set(got.data, buf);
        if (ptr !== 0) {
          const from = got.from ?? s.peer;
          if (from) writeAddress(from, ptr, lenPtr);
          else mem.u32(lenPtr, 0);
        }
        mem.u32(out, got.data.length);
      }),
    shutdown: (fd: number, how: number) => syscall(() => socketAt(fd).shutdown(how)),
    getsockname: (fd: number, ptr: number, lenPtr: number) =>
      syscall(() => {
        const nl = netlinkAt(fd);
        if (nl) writeBytes(netlinkAddress(nl.pid, nl.groups), ptr, lenPtr);
        else writeAddress(socketAt(fd).local, ptr, lenPtr);
      }),
    getpeername: (fd: number, ptr: number, lenPtr: number) =>
      syscall(() => {
        const s = socketAt(fd);
        if (!s.peer || s.state !== "connected") fail("ENOTCONN");
        writeAddress(s.peer, ptr, lenPtr);
      }),
    setsockopt: (fd: number, level: number, name: number, value: number) =>
      syscall(() => {
        (netlinkAt(fd) ?? socketAt(fd)).options.set(`${level}/${name}`, value);
      }),
    getsockopt: (fd: number, level: number, name: number, out: number) =>
      syscall(() => {
        const nl = netlinkAt(fd);
        mem.u32(
          out,
          nl ? (nl.options.get(`${level}/${name}`) ?? 0) : socketAt(fd).option(level, name),
        );
      }),
  };
}

/** A line on the process's stderr, if it has one that takes it now. */
function tell(proc: Process, line: string): void {
  try {
    proc.write(2, new TextEncoder().encode(`${line}\n`));
  } catch {
    // No stderr, or a full one: the errno still says what happened.
  }
}

/** The loopback interface, as its ioctls and /proc/net describe it. */
const LO = {
  name: "lo",
  index: 1,
  /** IFF_UP | IFF_LOOPBACK | IFF_RUNNING */
  flags: 0x1 | 0x8 | 0x40,
  mtu: 65536,
  address: Uint8Array.of(127, 0, 0, 1),
  netmask: Uint8Array.of(255, 0, 0, 0),
  txqueuelen: 1000,
  /** ARPHRD_LOOPBACK */
  hardware: 772,
};
/** Linux's size of struct ifreq: a name of 16 bytes and a union of 16. */
const IFREQ = 32;

/**
 * A socket's network interface requests (linux/sockios.h) on the
 * container's one interface, the loopback: what ifconfig asks. Changing an
 * interface is EPERM, as in a container without CAP_NET_ADMIN; an unknown
 * name ENODEV; a descriptor that is no socket ENOTTY.
 */
export function interfaceIoctl(
  proc: Process,
  mem: WasmMemory,
  fd: number,
  request: number,
  arg: number,
): void {
  const f = proc.file(fd);
  if (!(f instanceof Socket) && !(f instanceof NetlinkSocket)) fail("ENOTTY");
  const v = mem.view;
  const sockaddr = (at: number, address: Uint8Array) => {
    mem.bytes.fill(0, at, at + 16);
    v.setUint16(at, AF_INET, true);
    mem.bytes.set(address, at + 4);
  };
  if (request === SIOCGIFCONF) {
    const room = v.getInt32(arg, true);
    const buf = v.getUint32(arg + 4, true);
    if (buf === 0) {
      v.setInt32(arg, IFREQ, true);
      return;
    }
    if (room < IFREQ) {
      v.setInt32(arg, 0, true);
      return;
    }
    mem.bytes.fill(0, buf, buf + IFREQ);
    mem.bytes.set(mem.encode(LO.name), buf);
    sockaddr(buf + 16, LO.address);
    v.setInt32(arg, IFREQ, true);
    return;
  }
  if (request === SIOCGIFNAME) {
    if (v.getInt32(arg + 16, true) !== LO.index) fail("ENODEV");
    mem.bytes.fill(0, arg, arg + 16);
    mem.bytes.set(mem.encode(LO.name), arg);
    return;
  }
  const raw = mem.bytes.subarray(arg, arg + 16);
  const end = raw.indexOf(0);
  const name = mem.string(arg, end < 0 ? 16 : end);
  if (name !== LO.name) fail("ENODEV", `no interface ${name}`);
  const at = arg + 16;
  switch (request) {
    case SIOCGIFFLAGS:
      mem.bytes.fill(0, at, at + 16);
      v.setInt16(at, LO.flags, true);
      return;
    case SIOCGIFADDR:
      return sockaddr(at, LO.address);
    case SIOCGIFNETMASK:
      return sockaddr(at, LO.netmask);
    case SIOCGIFBRDADDR:
    case SIOCGIFDSTADDR:
      return sockaddr(at, new Uint8Array(4));
    case SIOCGIFMTU:
      return v.setInt32(at, LO.mtu, true);
    case SIOCGIFMETRIC:
      return v.setInt32(at, 0, true);
    case SIOCGIFINDEX:
      return v.setInt32(at, LO.index, true);
    case SIOCGIFTXQLEN:
      return v.setInt32(at, LO.txqueuelen, true);
    case SIOCGIFHWADDR:
      mem.bytes.fill(0, at, at + 16);
      v.setUint16(at, LO.hardware, true);
      return;
    case SIOCGIFMAP:
      mem.bytes.fill(0, at, at + 16);
      return;
    default:
      fail("EPERM", "the container may not change its interfaces");
  }
}

const SIOCGIFNAME = 0x8910;
const SIOCGIFCONF = 0x8912;
const SIOCGIFFLAGS = 0x8913;
const SIOCGIFADDR = 0x8915;
const SIOCGIFDSTADDR = 0x8917;
const SIOCGIFBRDADDR = 0x8919;
const SIOCGIFNETMASK = 0x891b;
const SIOCGIFMETRIC = 0x891d;
const SIOCGIFMTU = 0x8921;
const SIOCGIFHWADDR = 0x8927;
const SIOCGIFINDEX = 0x8933;
const SIOCGIFTXQLEN = 0x8942;
const SIOCGIFMAP = 0x8970;

/** A socket address as Linux's struct lays it out. */
function encodeAddress(a: SocketAddress, mem: WasmMemory): Uint8Array {
  if (a.family === "unix") {
    const path = mem.encode(a.path);
    const bytes = new Uint8Array(2 + path.length + 1);
    new DataView(bytes.buffer).setUint16(0, AF_UNIX, true);
    bytes.set(path, 2);
    return bytes;
  }
  const inet = a.family === "inet";
  const bytes = new Uint8Array(inet ? SOCKADDR_IN : SOCKADDR_IN6);
  const v = new DataView(bytes.buffer);
  v.setUint16(0, inet ? AF_INET : AF_INET6, true);
  v.setUint16(2, a.port, false);
  bytes.set(a.address, inet ? 4 : 8);
  return bytes;
}
