import { ErrnoError, fail } from "../errno.ts";
import type { Stat } from "../vfs/filesystem.ts";
import { WouldBlock } from "../vfs/would-block.ts";
import { Changes } from "./changes.ts";
import { GATEWAY_PORTS, type FarEnd, type Gateway } from "./gateway.ts";
import { nextStreamIno, OpenFile, streamStat, type Readiness } from "./open-file.ts";
import { Pipe } from "./pipe.ts";

/**
 * Sockets between the processes of one container: TCP and UDP over its
 * loopback interface (127.0.0.0/8 and ::1), and Unix stream sockets named
 * by a socket file of the container's filesystem. Each kernel has its own
 * network (`Network`), as each Linux network namespace does: a server in
 * one container is not reachable from another.
 *
 * A stream connection is two pipes, one each way (pipe.ts gives them their
 * blocking, end-of-file and EPIPE); connecting to a listening socket on
 * loopback completes at once, as Linux's does. A datagram socket keeps a
 * queue of the datagrams sent to its address.
 *
 * A TCP connection to an address outside the container goes to the
 * network's gateway (gateway.ts), if it has one: on port 80 or 443 its
 * HTTP is passed to the host's fetch. Anything else outside is ENETUNREACH.
 *
 * Errors are Linux's: EADDRINUSE, EADDRNOTAVAIL, ECONNREFUSED, EISCONN,
 * ENOTCONN, EPIPE (the process kernel adds SIGPIPE unless MSG_NOSIGNAL),
 * EOPNOTSUPP, EINVAL, ENETUNREACH.
 */

export type Family = "unix" | "inet" | "inet6";
export type SocketKind = "stream" | "dgram";

/** A socket's address: an IP address and port, or a Unix socket's path ("" when unnamed). */
export type SocketAddress =
  | { family: "inet" | "inet6"; address: Uint8Array; port: number }
  | { family: "unix"; path: string };

/** Bytes each way a stream connection holds before a writer waits (Linux's loopback buffers are bigger). */
export const STREAM_BUFFER = 256 * 1024;
/** Bytes of datagrams a datagram socket holds before new ones are dropped, as UDP drops them. */
export const DATAGRAM_BUFFER = 256 * 1024;
/** Linux's ephemeral port range (net.ipv4.ip_local_port_range). */
const EPHEMERAL_FIRST = 32768;
const EPHEMERAL_LAST = 60999;
/** Linux's largest backlog (net.core.somaxconn). */
export const SOMAXCONN = 4096;

const ANY4 = new Uint8Array(4);
const ANY6 = new Uint8Array(16);
const LOOPBACK4 = Uint8Array.of(127, 0, 0, 1);
const LOOPBACK6 = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);

/** Options a socket keeps (setsockopt/getsockopt), by Linux's level and name. */
export const SOL_SOCKET = 1;
export const IPPROTO_TCP = 6;
export const SO_REUSEADDR = 2;
export const SO_TYPE = 3;
export const SO_ERROR = 4;
export const SO_ACCEPTCONN = 30;

/** The network of one container: who is bound where, and the ports in use. */
export class Network {
  /** Bound IP sockets by kind and port. */
  private readonly ports = new Map<string, Socket[]>();
  /** Listening Unix stream sockets by the inode of their socket file. */
  private readonly unixNames = new Map<number, Socket>();
  private nextPort = EPHEMERAL_FIRST;
  /** The way out to the web (gateway.ts); null: the container has only its loopback. */
  gateway: Gateway | null = null;
  /** Bytes and sends through the loopback interface, for its counters (/proc/net/dev). */
  readonly loopback = { bytes: 0, packets: 0 };
  /** Who waits for a server on a TCP port (whenListening). */
  private readonly awaited = new Set<{ port: number; ready: () => void }>();

  socket(family: Family, kind: SocketKind): Socket {
    if (family === "unix" && kind !== "stream") {
      fail("EPROTONOSUPPORT", "only stream sockets are made in the Unix family here");
    }
    return new Socket(this, family, kind);
  }

  /** Binds `s` to an IP address and port (0: a free one). */
  bindIp(s: Socket, addr: SocketAddress & { family: "inet" | "inet6" }): void {
    if (!isWildcard(addr.address) && !isLoopback(addr.address)) {
      fail("EADDRNOTAVAIL", `${formatAddress(addr)} is not an address of this container`);
    }
    const port = addr.port === 0 ? this.freePort(s.kind) : addr.port;
    const key = `${s.kind}/${port}`;
    const others = this.ports.get(key) ?? [];
    for (const o of others) {
      const a = o.local as { address: Uint8Array };
      if (isWildcard(a.address) || isWildcard(addr.address) || sameBytes(a.address, addr.address)) {
        // Datagram sockets that both set SO_REUSEADDR share the port, as
        // udpsvd's do: a child's connected to its client, the next one not.
        if (s.kind === "dgram" && reusesAddress(s) && reusesAddress(o)) continue;
        fail("EADDRINUSE", `port ${port} is in use`);
      }
    }
    others.push(s);
    this.ports.set(key, others);
    s.local = { family: addr.family, address: addr.address, port };
  }

  /** Names `s` by the socket file `ino` (which the caller has made). */
  bindUnix(s: Socket, ino: number, path: string): void {
    this.unixNames.set(ino, s);
    s.local = { family: "unix", path };
    s.unixIno = ino;
  }

  /** The address standing for a host name outside the container (the gateway's; ENETUNREACH without one). */
  resolve(name: string): Uint8Array {
    if (!this.gateway) fail("ENETUNREACH", "this container has no network");
    return this.gateway.resolve(name);
  }

  /**
   * Connects stream socket `s` to `peer`: a listener of the container, or
   * outside it, the gateway. `say` tells the connecting process why an
   * address outside is unreachable (a line on its stderr).
   */
  connect(
    s: Socket,
    peer: SocketAddress & { family: "inet" | "inet6" },
    say: (line: string) => void,
  ): void {
    if (isLoopback(peer.address) || isWildcard(peer.address)) {
      s.connectTo(this.listenerAt(peer));
      return;
    }
    const where = formatAddress(peer);
    if (!this.gateway) {
      say(`overbox: ${where}: this container has no network beyond its loopback`);
      fail("ENETUNREACH", `${where}: no network`);
    }
    if (!GATEWAY_PORTS.has(peer.port)) {
      say(
        `overbox: ${where}: only HTTP to ports 80 and 443 leaves the container (through the host's fetch)`,
      );
      fail("ENETUNREACH", `${where}: not a port of the gateway`);
    }
    const far = s.connectFar(peer);
    void this.gateway.serve(far, peer.address, peer.port, say);
  }

  /**
   * A connection from outside the container to its TCP `port` (a port
   * published to the host, a page's fetch): what listens there on the
   * loopback or every address accepts it as it accepts any; the caller
   * holds the other end. ECONNREFUSED when nothing listens.
   */
  dial(port: number): FarEnd {
    const client = this.socket("inet", "stream");
    const to = { family: "inet" as const, address: LOOPBACK4, port };
    client.connectTo(this.listenerAt(to));
    return client.farEnd();
  }

  /**
   * Resolves once something listens on TCP `port` for connections from
   * outside (what `dial` reaches): the embed's preview of a port waits so.
   */
  whenListening(port: number): Promise<void> {
    if (this.dialable(port)) return Promise.resolve();
    return new Promise((ready) => this.awaited.add({ port, ready }));
  }

  /** A stream socket began to listen: the waits it ends end. */
  listened(): void {
    for (const wait of this.awaited) {
      if (!this.dialable(wait.port)) continue;
      this.awaited.delete(wait);
      wait.ready();
    }
  }

  private dialable(port: number): boolean {
    return this.listenerAt({ family: "inet", address: LOOPBACK4, port }) !== null;
  }

  /** The listening stream socket at an IP address, or null. */
  listenerAt(addr: SocketAddress & { family: "inet" | "inet6" }): Socket | null {
    return this.boundAt("stream", addr, (s) => s.state === "listening");
  }

  /**
   * The datagram socket bound to an address that takes what `from` sends,
   * or null: of several sharing the port (SO_REUSEADDR), one connected to
   * `from` first, else an unconnected one; the one bound last of either,
   * as Linux chooses (tftpd answers from a second socket connected to its
   * client on the port udpsvd's first one has).
   */
  datagramAt(
    addr: SocketAddress & { family: "inet" | "inet6" },
    from?: SocketAddress,
  ): Socket | null {
    const connected = from
      ? this.boundAt("dgram", addr, (s) => s.peer !== null && samePeer(s.peer, from), true)
      : null;
    return connected ?? this.boundAt("dgram", addr, (s) => s.peer === null, true);
  }

  /** The listening Unix socket named by socket file `ino`, or null. */
  unixListener(ino: number): Socket | null {
    const s = this.unixNames.get(ino);
    return s?.state === "listening" ? s : null;
  }

  /** Counts what an IP socket sent over the loopback (not the gateway's connections). */
  count(s: Socket, bytes: number): void {
    if (s.local.family === "unix") return;
    const peer = s.kind === "stream" ? s.peer : null;
    if (peer && peer.family !== "unix" && !isLoopback(peer.address) && !isWildcard(peer.address)) {
      return;
    }
    this.loopback.bytes += bytes;
    this.loopback.packets++;
  }

  /** Forgets a socket's name and port (its last fd closed). */
  release(s: Socket): void {
    if (s.unixIno !== null) {
      if (this.unixNames.get(s.unixIno) === s) this.unixNames.delete(s.unixIno);
      return;
    }
    if (s.local.family === "unix") return;
    const key = `${s.kind}/${s.local.port}`;
    const left = (this.ports.get(key) ?? []).filter((o) => o !== s);
    if (left.length > 0) this.ports.set(key, left);
    else this.ports.delete(key);
  }

  private boundAt(
    kind: SocketKind,
    addr: SocketAddress & { family: "inet" | "inet6" },
    wanted: (s: Socket) => boolean,
    last = false,
  ): Socket | null {
    if (!isLoopback(addr.address) && !isWildcard(addr.address)) {
      fail(
        "ENETUNREACH",
        `${formatAddress(addr)} is outside this container: only TCP to the gateway leaves it`,
      );
    }
    const bound = this.ports.get(`${kind}/${addr.port}`) ?? [];
    for (const s of last ? [...bound].reverse() : bound) {
      const a = s.local as { family: Family; address: Uint8Array };
      // An IPv4 socket takes IPv4 only; an IPv6 one on :: takes both (bindv6only=0).
      if (a.family === "inet" && addr.family === "inet6" && !isMappedOrWildcard(addr.address)) {
        continue;
      }
      if (wanted(s)) return s;
    }
    return null;
  }

  private freePort(kind: SocketKind): number {
    for (let tried = 0; tried <= EPHEMERAL_LAST - EPHEMERAL_FIRST; tried++) {
      const port = this.nextPort;
      this.nextPort = port === EPHEMERAL_LAST ? EPHEMERAL_FIRST : port + 1;
      if (!this.ports.has(`${kind}/${port}`)) return port;
    }
    fail("EADDRINUSE", "no free port");
  }
}

/** A datagram and who sent it. */
interface Datagram {
  from: SocketAddress;
  data: Uint8Array;
}

/** One connected direction: the pipe's read end for us, or its write end. */
interface StreamEnds {
  in: OpenFile;
  out: OpenFile;
  inPipe: Pipe;
  outPipe: Pipe;
}

export type SocketState = "new" | "listening" | "connected" | "closed";

/**
 * A socket: an open file description, like a pipe's end, that fds share
 * (dup, fork) and the last close releases.
 */
export class Socket extends OpenFile {
  state: SocketState = "new";
  local: SocketAddress;
  peer: SocketAddress | null = null;
  /** The socket file naming a bound Unix socket. */
  unixIno: number | null = null;
  /** Options set and not otherwise used, by "level/name" (SO_REUSEADDR, TCP_NODELAY...). */
  readonly options = new Map<string, number>();
  private stream: StreamEnds | null = null;
  private readShut = false;
  private writeShut = false;
  private backlog: Socket[] = [];
  private backlogMax = 0;
  private datagrams: Datagram[] = [];
  private datagramBytes = 0;
  private readonly changes = new Changes();
  private readonly ino = nextStreamIno();

  constructor(
    private readonly network: Network,
    readonly family: Family,
    readonly kind: SocketKind,
  ) {
    super(true, true);
    this.local =
      family === "unix"
        ? { family, path: "" }
        : { family, address: family === "inet" ? ANY4 : ANY6, port: 0 };
  }

  get bound(): boolean {
    return this.local.family === "unix" ? this.unixIno !== null : this.local.port !== 0;
  }

  stat(): Stat {
    return streamStat(this.ino, "socket", 0, 0o777);
  }

  listen(backlog: number): void {
    if (this.kind !== "stream") fail("ENOTSUP", "listen on a datagram socket");
    if (this.state === "connected") fail("EINVAL", "listen on a connected socket");
    if (!this.bound) {
      if (this.local.family === "unix") fail("EINVAL", "listen on an unnamed Unix socket");
      this.network.bindIp(this, { ...this.local, port: 0 });
    }
    this.state = "listening";
    this.backlogMax = Math.max(1, Math.min(backlog <= 0 ? 1 : backlog, SOMAXCONN));
    this.notify();
    this.network.listened();
  }

  /**
   * Connects a stream socket to `listener` (found by the caller): the two
   * ends are made at once, and the server's waits in its backlog.
   */
  connectTo(listener: Socket | null): void {
    if (this.kind !== "stream") fail("EINVAL");
    if (this.state === "listening") fail("EINVAL", "connect on a listening socket");
    if (this.state === "connected") fail("EISCONN");
    if (!listener) fail("ECONNREFUSED");
    if (listener.backlog.length >= listener.backlogMax + 1) {
      // Linux drops the SYN and the client retries: here the connect waits.
      if (this.nonblocking) fail("EAGAIN");
      throw new WouldBlock(listener.changes.next(), "connecting to a full backlog");
    }
    this.bindForSending();
    const server = new Socket(this.network, listener.family, "stream");
    // The server end's own address is the listener's port at the address
    // the client reached (loopback), as each family sees it.
    server.local =
      listener.local.family === "unix" || this.local.family === "unix"
        ? listener.local
        : seenBy(listener.family, { ...this.local, port: listener.local.port });
    const toServer = new Pipe(STREAM_BUFFER);
    const toClient = new Pipe(STREAM_BUFFER);
    const [clientIn, serverOut] = toClient.ends();
    const [serverIn, clientOut] = toServer.ends();
    this.stream = { in: clientIn, out: clientOut, inPipe: toClient, outPipe: toServer };
    server.stream = { in: serverIn, out: serverOut, inPipe: toServer, outPipe: toClient };
    this.state = server.state = "connected";
    this.peer = seenBy(this.family, server.local);
    server.peer = seenBy(server.family, this.local);
    listener.backlog.push(server);
    listener.notify();
  }

  /**
   * Connects a stream socket to something outside the container (the
   * gateway): the program's end is a socket as usual, and the far end is
   * returned for the host's side to serve.
   */
  connectFar(peer: SocketAddress & { family: "inet" | "inet6" }): FarEnd {
    if (this.kind !== "stream") fail("EINVAL");
    if (this.state === "listening") fail("EINVAL", "connect on a listening socket");
    if (this.state === "connected") fail("EISCONN");
    this.bindForSending();
    const toFar = new Pipe(STREAM_BUFFER);
    const toHere = new Pipe(STREAM_BUFFER);
    const [hereIn, farOut] = toHere.ends();
    const [farIn, hereOut] = toFar.ends();
    this.stream = { in: hereIn, out: hereOut, inPipe: toHere, outPipe: toFar };
    this.state = "connected";
    this.peer = peer;
    this.notify();
    return new PipeFarEnd(farIn, farOut, toFar, toHere);
  }

  /** A connected stream socket held by the host's side instead of a process (Network.dial). */
  farEnd(): FarEnd {
    if (!this.stream) fail("ENOTCONN");
    const { in: inEnd, out: outEnd, inPipe, outPipe } = this.stream;
    this.stream = null;
    this.state = "closed";
    this.network.release(this);
    return new PipeFarEnd(inEnd, outEnd, inPipe, outPipe);
  }

  /** Sets a datagram socket's peer: send() goes there, and only its datagrams are received. */
  connectDatagram(peer: SocketAddress & { family: "inet" | "inet6" }): void {
    if (!isLoopback(peer.address) && !isWildcard(peer.address)) {
      fail(
        "ENETUNREACH",
        `${formatAddress(peer)} is outside this container: only TCP to the gateway leaves it`,
      );
    }
    this.bindForSending();
    this.peer = peer;
    this.state = "connected";
  }

  /**
   * An IP socket about to send: bound to a free port if it is not, and
   * its address, if it is the wildcard, made the loopback address its
   * packets leave from (what getsockname then says, as on Linux).
   */
  private bindForSending(): void {
    if (this.local.family === "unix") return;
    if (!this.bound) this.network.bindIp(this, { ...this.local, port: 0 });
    if (isWildcard(this.local.address)) {
      this.local = { ...this.local, address: loopbackOf(this.local.family) };
    }
  }

  /** The next connection of a listening socket, and its peer's address. */
  accept(): Socket {
    if (this.state !== "listening") fail("EINVAL", "accept on a socket that does not listen");
    const next = this.backlog.shift();
    if (!next) {
      if (this.nonblocking) fail("EAGAIN");
      throw new WouldBlock(this.changes.next(), "accepting a connection");
    }
    this.notify();
    return next;
  }

  override read(length: number): Uint8Array {
    return this.receive(length, { peek: false, dontWait: false }).data;
  }

  override write(data: Uint8Array): number {
    return this.send(data, null, false);
  }

  /** recv/recvfrom: bytes (a stream) or one datagram, with who sent it. */
  receive(
    length: number,
    flags: { peek: boolean; dontWait: boolean },
  ): { data: Uint8Array; from: SocketAddress | null } {
    const nonblocking = this.nonblocking || flags.dontWait;
    if (this.kind === "dgram") {
      const next = this.datagrams[0];
      if (!next) {
        if (nonblocking) fail("EAGAIN");
        throw new WouldBlock(this.changes.next(), "receiving a datagram");
      }
      if (!flags.peek) {
        this.datagrams.shift();
        this.datagramBytes -= next.data.length;
      }
      return { data: next.data.subarray(0, length), from: next.from };
    }
    if (this.state !== "connected" || !this.stream) fail("ENOTCONN");
    if (this.readShut) return { data: new Uint8Array(0), from: null };
    const pipe = this.stream.inPipe;
    if (flags.peek) {
      if (pipe.available === 0 && pipe.hasWriters) {
        if (nonblocking) fail("EAGAIN");
        throw new WouldBlock(pipe.nextChange(), "receiving from a socket");
      }
      return { data: pipe.peek(length), from: null };
    }
    return { data: pipe.read(length, nonblocking), from: null };
  }

  /**
   * send/sendto: to the peer of a connected socket, or a datagram to `to`.
   * EPIPE when the peer is gone or this side shut its writing.
   */
  send(data: Uint8Array, to: SocketAddress | null, dontWait: boolean): number {
    const nonblocking = this.nonblocking || dontWait;
    if (this.kind === "dgram") {
      const target = to ?? this.peer;
      if (!target) fail("EDESTADDRREQ");
      if (target.family === "unix") fail("EAFNOSUPPORT");
      if (!this.bound && this.local.family !== "unix") {
        this.network.bindIp(this, { ...this.local, port: 0 });
      }
      // Sent from the loopback address even by a socket bound to every address.
      const from =
        this.local.family !== "unix" && isWildcard(this.local.address)
          ? { ...this.local, address: loopbackOf(this.local.family) }
          : this.local;
      // Loopback loses nothing but what a full receiver cannot take.
      this.network.datagramAt(target, from)?.deliver({ from, data: data.slice() });
      this.network.count(this, data.length);
      return data.length;
    }
    if (to !== null && this.state === "connected") fail("EISCONN");
    if (this.state !== "connected" || !this.stream) fail("ENOTCONN");
    if (this.writeShut) fail("EPIPE");
    const sent = this.stream.outPipe.write(data, nonblocking);
    this.network.count(this, sent);
    return sent;
  }

  /** Takes a datagram, unless the queue is full or the socket is connected to another address. */
  private deliver(d: Datagram): void {
    if (this.state === "closed") return;
    if (this.peer && this.peer.family !== "unix" && d.from.family !== "unix") {
      if (this.peer.port !== d.from.port) return;
    }
    if (this.datagramBytes + d.data.length > DATAGRAM_BUFFER) return;
    this.datagrams.push({ from: seenBy(this.family, d.from), data: d.data });
    this.datagramBytes += d.data.length;
    this.notify();
  }

  /** shutdown(2): SHUT_RD 0, SHUT_WR 1, SHUT_RDWR 2. */
  shutdown(how: number): void {
    if (how < 0 || how > 2) fail("EINVAL");
    if (this.state !== "connected") fail("ENOTCONN");
    if (how !== 1) this.readShut = true;
    if (how !== 0 && !this.writeShut && this.stream) {
      this.writeShut = true;
      // The peer reads end-of-file once what was sent is read.
      this.stream.out.drop();
    }
    this.notify();
  }

  override readiness(): Readiness {
    if (this.state === "listening") {
      return {
        readable: this.backlog.length > 0,
        writable: false,
        available: 0,
        hangup: false,
        changed: this.changes.next(),
      };
    }
    if (this.kind === "dgram") {
      return {
        readable: this.datagrams.length > 0,
        writable: true,
        available: this.datagrams[0]?.data.length ?? 0,
        hangup: false,
        changed: this.changes.next(),
      };
    }
    if (!this.stream) {
      // Not connected: poll says POLLHUP on Linux, and reads fail at once.
      return { readable: true, writable: true, available: 0, hangup: true, changed: null };
    }
    const inPipe = this.stream.inPipe;
    const outPipe = this.stream.outPipe;
    const peerGone = !outPipe.hasReaders;
    return {
      readable: this.readShut || inPipe.available > 0 || !inPipe.hasWriters,
      writable: this.writeShut || peerGone || outPipe.available < outPipe.capacity,
      available: inPipe.available,
      hangup: !inPipe.hasWriters && peerGone,
      changed: Promise.race([this.changes.next(), inPipe.nextChange(), outPipe.nextChange()]),
    };
  }

  /** What getsockopt answers for the options a socket knows by itself. */
  option(level: number, name: number): number {
    if (level === SOL_SOCKET && name === SO_TYPE) return this.kind === "stream" ? 1 : 2;
    if (level === SOL_SOCKET && name === SO_ERROR) return 0;
    if (level === SOL_SOCKET && name === SO_ACCEPTCONN) return this.state === "listening" ? 1 : 0;
    return this.options.get(`${level}/${name}`) ?? 0;
  }

  protected override close(): void {
    if (this.stream) {
      this.stream.in.drop();
      if (!this.writeShut) this.stream.out.drop();
      this.stream = null;
    }
    // Connections nobody accepted are refused: their clients read end-of-file.
    for (const pending of this.backlog) pending.drop();
    this.backlog = [];
    this.datagrams = [];
    this.state = "closed";
    this.network.release(this);
    this.notify();
  }

  private notify(): void {
    this.changes.notify();
  }
}

/** The far end of a connection to the gateway: the two pipes, seen from the host's side. */
class PipeFarEnd implements FarEnd {
  private open = true;
  private ended = false;

  constructor(
    private readonly inEnd: OpenFile,
    private readonly outEnd: OpenFile,
    private readonly inPipe: Pipe,
    private readonly outPipe: Pipe,
  ) {}

  async read(max: number): Promise<Uint8Array> {
    for (;;) {
      if (!this.open) return new Uint8Array(0);
      try {
        return this.inPipe.read(max, true);
      } catch (e) {
        if (!(e instanceof ErrnoError && e.errno === "EAGAIN")) throw e;
        await this.inPipe.nextChange();
      }
    }
  }

  async write(data: Uint8Array): Promise<void> {
    let rest = data;
    while (rest.length > 0) {
      try {
        rest = rest.subarray(this.outPipe.write(rest, true));
      } catch (e) {
        if (!(e instanceof ErrnoError && e.errno === "EAGAIN")) throw e;
        await this.outPipe.nextChange();
      }
    }
  }

  end(): void {
    if (this.ended || !this.open) return;
    this.ended = true;
    this.outEnd.drop();
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    this.inEnd.drop();
    if (!this.ended) this.outEnd.drop();
  }
}

function reusesAddress(s: Socket): boolean {
  return s.option(SOL_SOCKET, SO_REUSEADDR) !== 0;
}

/** Whether a connected datagram socket's peer is `from` (a port and an address, the loopback's either way). */
function samePeer(peer: SocketAddress, from: SocketAddress): boolean {
  if (peer.family === "unix" || from.family === "unix") return false;
  return peer.port === from.port;
}

export function isLoopback(address: Uint8Array): boolean {
  if (address.length === 4) return address[0] === 127;
  if (sameBytes(address, LOOPBACK6)) return true;
  // ::ffff:127.x.y.z
  return isMapped(address) && address[12] === 127;
}

export function isWildcard(address: Uint8Array): boolean {
  return address.every((b) => b === 0);
}

function isMapped(address: Uint8Array): boolean {
  return (
    address.length === 16 &&
    address.subarray(0, 10).every((b) => b === 0) &&
    address[10] === 0xff &&
    address[11] === 0xff
  );
}

function isMappedOrWildcard(address: Uint8Array): boolean {
  return isMapped(address) || isWildcard(address);
}

function loopbackOf(family: Family): Uint8Array {
  return family === "inet6" ? LOOPBACK6 : LOOPBACK4;
}

/**
 * An address as a socket of `family` sees it: an IPv6 socket sees an IPv4
 * peer as ::ffff:a.b.c.d, and an IPv4 socket sees such a mapped address as
 * a.b.c.d, as on Linux.
 */
function seenBy(family: Family, a: SocketAddress): SocketAddress {
  if (a.family === "unix" || family === "unix" || a.family === family) return a;
  if (family === "inet6") {
    const mapped = new Uint8Array(16);
    mapped[10] = mapped[11] = 0xff;
    mapped.set(a.address, 12);
    return { family: "inet6", address: mapped, port: a.port };
  }
  return isMapped(a.address) ? { family: "inet", address: a.address.slice(12), port: a.port } : a;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** An address as people write it: 127.0.0.1:80, [::1]:80, or a path. */
export function formatAddress(a: SocketAddress): string {
  if (a.family === "unix") return a.path || "(unnamed)";
  if (a.family === "inet") return `${[...a.address].join(".")}:${a.port}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2)
    groups.push(((a.address[i]! << 8) | a.address[i + 1]!).toString(16));
  return `[${groups.join(":")}]:${a.port}`;
}
