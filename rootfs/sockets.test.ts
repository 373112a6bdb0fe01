/**
 * Sockets over the built image where Debian's busybox cannot be the
 * reference (its nc is the small one, without UDP), and what one
 * container's network keeps from another. The cases native busybox can
 * check are in shell-snippets.ts ("sockets over loopback").
 */
import { beforeAll, describe, expect, it } from "vitest";
import { Kernel } from "../core/kernel/kernel.ts";
import { WasmLoader } from "../core/wasi/loader.ts";
import type { MemoryFilesystem } from "../core/vfs/memory.ts";
import { loadBaseImage } from "./testing.ts";

let fs: MemoryFilesystem;

beforeAll(async () => {
  ({ fs } = await loadBaseImage());
});

const text = (b: Uint8Array) => new TextDecoder().decode(b);

async function sh(script: string, kernel = new Kernel(fs, new WasmLoader())) {
  const r = await kernel.run({ args: ["sh", "-c", script], cwd: "/tmp" });
  return { status: r.status, stdout: text(r.stdout), stderr: text(r.stderr) };
}

describe("sockets in a container", () => {
  it("carry a UDP datagram to a listener and its echo back (nc -u)", async () => {
    // The server echoes what it gets (cat on the socket); the client waits
    // a second for the answer (-w1) and says "punt!" when that is over.
    const r = await sh(
      [
        "nc -u -l -p 5300 -e cat &",
        'until [ "$(echo ping | nc -u -w1 127.0.0.1 5300 2>/dev/null)" = ping ]; do :; done',
        "echo answered",
        "kill %1",
      ].join("\n"),
    );
    expect(r).toMatchObject({ status: 0, stdout: "answered\n" });
  });

  it("is one container's: a server in one kernel is not reachable from another", async () => {
    const first = new Kernel(fs, new WasmLoader());
    const second = new Kernel(fs, new WasmLoader());
    await sh("mkdir -p /tmp/www && echo inside > /tmp/www/f && httpd -p 8080 -h /tmp/www", first);
    expect(await sh("wget -qO- http://127.0.0.1:8080/f", first)).toMatchObject({
      status: 0,
      stdout: "inside\n",
    });
    expect(await sh("wget -qO- http://127.0.0.1:8080/f", second)).toMatchObject({
      status: 1,
      stderr: "wget: can't connect to remote host (127.0.0.1): Connection refused\n",
    });
    await sh("kill $(pidof httpd)", first);
  });
});

describe("the container's network interface and services", () => {
  it("has a loopback interface, lo, that ifconfig shows", async () => {
    const r = await sh("ifconfig lo");
    expect(r).toMatchObject({ status: 0, stderr: "" });
    expect(r.stdout.split("\n").slice(0, 4)).toEqual([
      "lo        Link encap:Local Loopback  ",
      "          inet addr:127.0.0.1  Mask:255.0.0.0",
      "          inet6 addr: ::1/128 Scope:Host",
      "          UP LOOPBACK RUNNING  MTU:65536  Metric:1",
    ]);
    expect(await sh("ifconfig eth0")).toMatchObject({
      status: 1,
      stderr: "ifconfig: eth0: error fetching interface information: Device not found\n",
    });
  });

  it("may not change its interfaces: ip addr add and ifconfig are refused (EPERM)", async () => {
    expect(await sh("ip addr add 10.9.9.9/8 dev lo")).toMatchObject({
      status: 2,
      stderr: "ip: RTNETLINK answers: Operation not permitted\n",
    });
    expect(await sh("ifconfig lo mtu 1500")).toMatchObject({
      status: 1,
      stderr: "ifconfig: SIOCSIFMTU: Operation not permitted\n",
    });
  });

  it("counts what the loopback carries in /proc/net/dev", async () => {
    const kernel = new Kernel(fs, new WasmLoader());
    const counters = async () =>
      (await sh("tail -1 /proc/net/dev", kernel)).stdout.trim().split(/\s+/);
    expect((await counters()).slice(0, 3)).toEqual(["lo:", "0", "0"]);
    await sh(
      "nc -l -p 7070 > /dev/null & until echo 0123456789 | nc 127.0.0.1 7070 2>/dev/null; do :; done; wait",
      kernel,
    );
    const [, bytes, packets] = await counters();
    expect(Number(bytes)).toBeGreaterThanOrEqual(11);
    expect(Number(packets)).toBeGreaterThanOrEqual(1);
  });

  it("answers nslookup from /etc/hosts", async () => {
    expect(await sh("nslookup localhost")).toEqual({
      status: 0,
      stdout:
        "Server:    127.0.0.1\nAddress 1: 127.0.0.1\n\nName:      localhost\nAddress 1: 127.0.0.1\n",
      stderr: "",
    });
  });

  it("serves FTP: ftpd under tcpsvd, ftpget and ftpput", async () => {
    const r = await sh(
      [
        "mkdir -p /tmp/ftp && echo served > /tmp/ftp/in.txt",
        "tcpsvd -E 127.0.0.1 2121 ftpd -w -a root /tmp/ftp &",
        "until ftpget -P 2121 127.0.0.1 got.txt in.txt 2>/dev/null; do :; done",
        "cat got.txt",
        "echo uploaded > up.txt",
        "ftpput -P 2121 127.0.0.1 stored.txt up.txt && cat /tmp/ftp/stored.txt",
        "kill %1",
      ].join("\n"),
    );
    expect(r).toEqual({ status: 0, stdout: "served\nuploaded\n", stderr: "" });
  });

  it("runs a server per connection under inetd", async () => {
    const r = await sh(
      [
        "printf '7777 stream tcp nowait root /bin/echo echo from inetd\\n' > /tmp/inetd.conf",
        "inetd -f /tmp/inetd.conf &",
        "until nc 127.0.0.1 7777 </dev/null 2>/dev/null; do usleep 10000; done",
        "nc 127.0.0.1 7777 </dev/null",
        "kill %1",
      ].join("\n"),
    );
    expect(r).toEqual({ status: 0, stdout: "from inetd\nfrom inetd\n", stderr: "" });
  });

  it("runs a server per UDP client under udpsvd", async () => {
    // The server reads one datagram (a read of a datagram socket takes one
    // whole) and its answer goes back to the client it came from.
    const r = await sh(
      [
        "udpsvd -E 127.0.0.1 5301 sh -c 'dd bs=100 count=1 2>/dev/null | sed s/^/got:/' &",
        'until [ "$(echo one | nc -u -w1 127.0.0.1 5301 2>/dev/null)" = got:one ]; do :; done',
        "echo two | nc -u -w1 127.0.0.1 5301",
        "kill %1",
      ].join("\n"),
    );
    expect(r).toEqual({ status: 0, stdout: "got:two\n", stderr: "" });
  });

  it("serves TFTP: tftpd under udpsvd, tftp -g and -p", async () => {
    // tftpd answers from a second socket on udpsvd's port, connected to its
    // client: the client's datagrams must go to it, not to udpsvd's.
    const r = await sh(
      [
        "mkdir -p /tmp/tftp && seq 1 3000 > /tmp/tftp/numbers",
        "(cd /tmp/tftp && exec udpsvd -E 127.0.0.1 6969 tftpd -c) &",
        "until tftp -g -r numbers -l got 127.0.0.1 6969 2>/dev/null; do usleep 10000; done",
        "cmp got /tmp/tftp/numbers && echo got",
        "echo put > up && tftp -p -l up -r stored 127.0.0.1 6969 2>/dev/null && cat /tmp/tftp/stored",
        "kill %1",
      ].join("\n"),
    );
    expect(r).toEqual({ status: 0, stdout: "got\nput\n", stderr: "" });
  });

  it("spools a print job: lpr to lpd under tcpsvd", async () => {
    const r = await sh(
      [
        "mkdir -p /tmp/spool/lp && echo 'to print' > job.txt",
        "tcpsvd -E 127.0.0.1 5515 lpd /tmp/spool &",
        "until lpr -P lp@127.0.0.1:5515 job.txt 2>/dev/null; do usleep 10000; done",
        "cat /tmp/spool/lp/df*",
        "kill %1",
      ].join("\n"),
    );
    expect(r).toEqual({ status: 0, stdout: "to print\n", stderr: "" });
  });

  it("finds the container's open ports with pscan", async () => {
    const r = await sh(
      [
        "mkdir -p /tmp/www && httpd -p 127.0.0.1:8088 -h /tmp/www",
        "pscan -p 8085 -P 8090 127.0.0.1",
        "kill $(pidof httpd)",
      ].join("\n"),
    );
    expect(r).toMatchObject({ status: 0, stderr: "" });
    const lines = r.stdout.split("\n");
    expect(lines.slice(0, 3)).toEqual([
      "Scanning 127.0.0.1 ports 8085 to 8090",
      " Port\tProto\tState\tService",
      " 8088\ttcp\topen\tunknown",
    ]);
    // The others are closed, or, on a machine busy enough, timed out.
    expect(lines[3]).toMatch(/^\d closed, 1 open, \d timed out \(or blocked\) ports$/);
  });
});
