import { describe, expect, it } from "vitest";
import { ErrnoError } from "../errno.ts";
import { WouldBlock } from "../vfs/would-block.ts";
import { Network, Socket, formatAddress, type SocketAddress } from "./socket.ts";

const ip = (text: string, port: number): SocketAddress & { family: "inet" } => ({
  family: "inet",
  address: Uint8Array.from(text.split(".").map(Number)),
  port,
});
const loopback6 = (port: number): SocketAddress & { family: "inet6" } => ({
  family: "inet6",
  address: Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1),
  port,
});
const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

function errno(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof ErrnoError) return e.errno;
    if (e instanceof WouldBlock) return "would block";
    throw e;
  }
  return "ok";
}

/** A listening TCP socket on 127.0.0.1:port, a client connected to it, and the server's end. */
function connected(
  net: Network,
  port = 8080,
): { listener: Socket; client: Socket; server: Socket } {
  const listener = net.socket("inet", "stream");
  net.bindIp(listener, ip("127.0.0.1", port));
  listener.listen(5);
  const client = net.socket("inet", "stream");
  client.connectTo(net.listenerAt(ip("127.0.0.1", port)));
  return { listener, client, server: listener.accept() };
}

describe("TCP over loopback", () => {
  it("connects a client to a listener, carries bytes both ways and gives each end the other's address", () => {
    const net = new Network();
    const { client, server } = connected(net);
    expect(client.write(bytes("ping"))).toBe(4);
    expect(text(server.read(100))).toBe("ping");
    server.write(bytes("pong"));
    expect(text(client.read(100))).toBe("pong");
    expect(formatAddress(server.local)).toBe("127.0.0.1:8080");
    expect(formatAddress(client.peer!)).toBe("127.0.0.1:8080");
    // The client was given a port of Linux's ephemeral range.
    const port = (client.local as { port: number }).port;
    expect(port).toBeGreaterThanOrEqual(32768);
    expect(port).toBeLessThanOrEqual(60999);
    expect(server.peer).toEqual(client.local);
  });

  it("tells who waits for a port once a server listens there, on the loopback or every address", async () => {
    const net = new Network();
    const ready: number[] = [];
    void net.whenListening(8080).then(() => ready.push(8080));
    void net.whenListening(9090).then(() => ready.push(9090));
    const bound = net.socket("inet", "stream");
    net.bindIp(bound, ip("0.0.0.0", 8080));
    await null;
    expect(ready).toEqual([]); // Bound is not listening.
    bound.listen(1);
    await null;
    expect(ready).toEqual([8080]);
    // One listening already: at once.
    await net.whenListening(8080);
    const other = net.socket("inet", "stream");
    net.bindIp(other, ip("127.0.0.1", 9090));
    other.listen(1);
    await null;
    expect(ready).toEqual([8080, 9090]);
  });

  it("gives end-of-file after the peer closes, and EPIPE to a writer whose peer is gone", () => {
    const net = new Network();
    const { client, server } = connected(net);
    client.write(bytes("last words"));
    client.drop();
    expect(text(server.read(100))).toBe("last words");
    expect(server.read(100).length).toBe(0);
    expect(errno(() => server.write(bytes("anyone?")))).toBe("EPIPE");
  });

  it("after shutdown(SHUT_WR) the peer reads end-of-file and can still answer", () => {
    const net = new Network();
    const { client, server } = connected(net);
    client.write(bytes("request"));
    client.shutdown(1);
    expect(text(server.read(100))).toBe("request");
    expect(server.read(100).length).toBe(0);
    server.write(bytes("response"));
    expect(text(client.read(100))).toBe("response");
    expect(errno(() => client.write(bytes("more")))).toBe("EPIPE");
  });

  it("waits to accept and to read, or says EAGAIN when non-blocking", async () => {
    const net = new Network();
    const listener = net.socket("inet", "stream");
    net.bindIp(listener, ip("0.0.0.0", 80));
    listener.listen(1);
    let waiting: Promise<unknown> | null = null;
    try {
      listener.accept();
    } catch (e) {
      waiting = (e as WouldBlock).ready;
    }
    expect(waiting).not.toBeNull();
    expect(listener.readiness().readable).toBe(false);
    const client = net.socket("inet", "stream");
    client.connectTo(net.listenerAt(ip("127.0.0.1", 80)));
    await waiting;
    expect(listener.readiness().readable).toBe(true);
    const server = listener.accept();
    server.nonblocking = true;
    expect(errno(() => server.read(10))).toBe("EAGAIN");
    listener.nonblocking = true;
    expect(errno(() => listener.accept())).toBe("EAGAIN");
    expect(errno(() => server.receive(10, { peek: true, dontWait: false }))).toBe("EAGAIN");
    client.write(bytes("abc"));
    expect(text(server.receive(10, { peek: true, dontWait: false }).data)).toBe("abc");
    expect(text(server.read(10))).toBe("abc");
  });

  it("answers EADDRINUSE, ECONNREFUSED, ENETUNREACH and EADDRNOTAVAIL as Linux does", () => {
    const net = new Network();
    const a = net.socket("inet", "stream");
    net.bindIp(a, ip("127.0.0.1", 8000));
    a.listen(1);
    expect(errno(() => net.bindIp(net.socket("inet", "stream"), ip("127.0.0.1", 8000)))).toBe(
      "EADDRINUSE",
    );
    expect(errno(() => net.bindIp(net.socket("inet", "stream"), ip("0.0.0.0", 8000)))).toBe(
      "EADDRINUSE",
    );
    // Another port, or the same port for UDP, is free.
    expect(errno(() => net.bindIp(net.socket("inet", "stream"), ip("127.0.0.1", 8001)))).toBe("ok");
    expect(errno(() => net.bindIp(net.socket("inet", "dgram"), ip("127.0.0.1", 8000)))).toBe("ok");
    const c = net.socket("inet", "stream");
    expect(errno(() => c.connectTo(net.listenerAt(ip("127.0.0.1", 9))))).toBe("ECONNREFUSED");
    expect(errno(() => net.listenerAt(ip("10.0.0.1", 80)))).toBe("ENETUNREACH");
    expect(errno(() => net.bindIp(net.socket("inet", "stream"), ip("192.168.1.1", 80)))).toBe(
      "EADDRNOTAVAIL",
    );
    // Once closed, the port is free again.
    a.drop();
    expect(errno(() => net.bindIp(net.socket("inet", "stream"), ip("127.0.0.1", 8000)))).toBe("ok");
  });

  it("refuses the connections nobody accepted when the listener closes", () => {
    const net = new Network();
    const listener = net.socket("inet", "stream");
    net.bindIp(listener, ip("127.0.0.1", 7000));
    listener.listen(4);
    const client = net.socket("inet", "stream");
    client.connectTo(net.listenerAt(ip("127.0.0.1", 7000)));
    listener.drop();
    expect(client.read(10).length).toBe(0);
    expect(errno(() => client.write(bytes("x")))).toBe("EPIPE");
  });

  it("lets an IPv6 socket on :: take connections to ::1 and to 127.0.0.1", () => {
    const net = new Network();
    const listener = net.socket("inet6", "stream");
    net.bindIp(listener, { ...loopback6(443), address: new Uint8Array(16) });
    listener.listen(2);
    const six = net.socket("inet6", "stream");
    six.connectTo(net.listenerAt(loopback6(443)));
    const four = net.socket("inet", "stream");
    four.connectTo(net.listenerAt(ip("127.0.0.1", 443)));
    expect(formatAddress(listener.accept().peer!)).toMatch(/^\[0:0:0:0:0:0:0:1\]:\d+$/);
    expect(formatAddress(listener.accept().peer!)).toMatch(/^\[0:0:0:0:0:ffff:7f00:1\]:\d+$/);
    // The IPv4 client sees its peer as IPv4.
    expect(formatAddress(four.peer!)).toBe("127.0.0.1:443");
  });
});

describe("UDP over loopback", () => {
  it("carries a datagram to a bound socket with the sender's address, and one back", () => {
    const net = new Network();
    const server = net.socket("inet", "dgram");
    net.bindIp(server, ip("127.0.0.1", 5353));
    const client = net.socket("inet", "dgram");
    expect(client.send(bytes("question"), ip("127.0.0.1", 5353), false)).toBe(8);
    const got = server.receive(100, { peek: false, dontWait: false });
    expect(text(got.data)).toBe("question");
    // From the loopback address, though the client's socket is bound to every address.
    const port = (client.local as { port: number }).port;
    expect(formatAddress(client.local)).toBe(`0.0.0.0:${port}`);
    expect(formatAddress(got.from!)).toBe(`127.0.0.1:${port}`);
    server.send(bytes("answer"), got.from, false);
    expect(text(client.receive(100, { peek: false, dontWait: false }).data)).toBe("answer");
  });

  it("shares a port between sockets that all set SO_REUSEADDR: a connected one gets its peer's datagrams, the last bound the rest", () => {
    const net = new Network();
    const first = net.socket("inet", "dgram");
    first.options.set("1/2", 1); // SOL_SOCKET, SO_REUSEADDR
    net.bindIp(first, ip("127.0.0.1", 6001));
    const plain = net.socket("inet", "dgram");
    expect(errno(() => net.bindIp(plain, ip("127.0.0.1", 6001)))).toBe("EADDRINUSE");
    const a = net.socket("inet", "dgram");
    const b = net.socket("inet", "dgram");
    a.send(bytes("from a"), ip("127.0.0.1", 6001), false);
    const got = first.receive(100, { peek: false, dontWait: false });
    expect(text(got.data)).toBe("from a");
    // As udpsvd does: the socket that got a client is connected to it, and
    // a new one is bound for the next client.
    first.connectDatagram(got.from as SocketAddress & { family: "inet" });
    const next = net.socket("inet", "dgram");
    next.options.set("1/2", 1);
    net.bindIp(next, ip("127.0.0.1", 6001));
    a.send(bytes("a again"), ip("127.0.0.1", 6001), false);
    b.send(bytes("from b"), ip("127.0.0.1", 6001), false);
    expect(text(first.read(100))).toBe("a again");
    expect(text(next.read(100))).toBe("from b");
    expect(errno(() => first.read(100))).toBe("would block");
    // As tftpd does: a second socket connected to the same client, bound
    // later, gets that client's datagrams.
    const answering = net.socket("inet", "dgram");
    answering.options.set("1/2", 1);
    net.bindIp(answering, ip("127.0.0.1", 6001));
    answering.connectDatagram(got.from as SocketAddress & { family: "inet" });
    a.send(bytes("ack"), ip("127.0.0.1", 6001), false);
    expect(text(answering.read(100))).toBe("ack");
    expect(errno(() => first.read(100))).toBe("would block");
  });

  it("keeps datagrams whole and apart, cuts one to the reader's length, and drops what nobody is bound to", () => {
    const net = new Network();
    const server = net.socket("inet", "dgram");
    net.bindIp(server, ip("127.0.0.1", 6000));
    const client = net.socket("inet", "dgram");
    client.connectDatagram(ip("127.0.0.1", 6000));
    client.send(bytes("one"), null, false);
    client.send(bytes("two two"), null, false);
    expect(text(server.read(100))).toBe("one");
    expect(text(server.read(3))).toBe("two");
    expect(client.send(bytes("lost"), ip("127.0.0.1", 6001), false)).toBe(4);
    server.nonblocking = true;
    expect(errno(() => server.read(100))).toBe("EAGAIN");
  });
});

describe("Unix stream sockets", () => {
  it("connect by the socket file a listener is bound to, and refuse once it is closed", () => {
    const net = new Network();
    const listener = net.socket("unix", "stream");
    net.bindUnix(listener, 42, "/tmp/s");
    listener.listen(1);
    const client = net.socket("unix", "stream");
    client.connectTo(net.unixListener(42));
    const server = listener.accept();
    client.write(bytes("hi"));
    expect(text(server.read(10))).toBe("hi");
    expect(formatAddress(client.peer!)).toBe("/tmp/s");
    listener.drop();
    expect(net.unixListener(42)).toBeNull();
    expect(errno(() => net.socket("unix", "dgram"))).toBe("EPROTONOSUPPORT");
  });
});
