import { beforeAll, describe, expect, it } from "vitest";
import { latin1, loadBaseImage } from "../../rootfs/testing.ts";
import { errnoOf } from "../errno.ts";
import { MemoryFilesystem } from "../vfs/memory.ts";
import { MountFilesystem } from "../vfs/mount.ts";
import { resolveExisting } from "../vfs/resolve.ts";
import { Kernel } from "./kernel.ts";
import { WasmLoader } from "../wasi/loader.ts";
import { InputStream, OutputStream } from "./open-file.ts";
import { Pipe } from "./pipe.ts";
import { Process } from "./process.ts";
import { Network } from "./socket.ts";
import { mountProc, type ProcSource } from "./procfs.ts";
import { Disposition, SIGINT, SIGTERM, bit } from "./signals.ts";
import { Tty, TtyFile } from "./tty.ts";

const owner = { uid: 0, gid: 0 };
const MiB = 1024 * 1024;

type Described = ReturnType<Kernel["describe"]>;

/** A root filesystem with /proc, /dev, /etc/passwd and /tmp, and a stand-in kernel with processes we make. */
function world() {
  const root = new MemoryFilesystem();
  for (const d of ["proc", "dev", "tmp", "etc"]) root.mkdir(root.root, d, 0o755, owner);
  const etc = root.lookup(root.root, "etc");
  root.write(root.create(etc, "passwd", { type: "file", mode: 0o644, ...owner }), 0, enc("root"));
  const procs: Process[] = [];
  const described = new Map<Process, Described>();
  let reader: Process | null = null;
  const network = new Network();
  const source: ProcSource = {
    bootTime: Date.now() - 125_000,
    limits: { memory: 64 * MiB, processes: 4 },
    pauses: 7,
    lastPid: 9,
    processes: () => [...procs].sort((a, b) => a.pid - b.pid),
    describe: (p) => described.get(p)!,
    running: () => reader,
    network,
    get fs() {
      return view;
    },
  };
  const view = mountProc(root, source);
  const fs = view;

  /** A process with fds 0-2 on streams and 3 on the root, started 5 s ago, asleep. */
  const start = (pid: number, args: string[], d: Partial<Described> = {}): Process => {
    const stdio = [new InputStream(), new OutputStream(), new OutputStream()] as const;
    const p = new Process(fs, args, ["HOME=/root", "PATH=/bin"], "/tmp", [...stdio]);
    p.pid = p.pgid = p.sid = pid;
    procs.push(p);
    described.set(p, {
      ppid: 0,
      state: "S",
      memory: 2 * MiB,
      startedAt: performance.now() - 5000,
      ...d,
    });
    return p;
  };
  const at = (path: string, follow = true) => resolveExisting(fs, fs.root, path, { follow });
  const read = (path: string): string => {
    const ino = at(path);
    const chunks: Uint8Array[] = [];
    for (let off = 0; ;) {
      const b = fs.read(ino, off, 7); // small pieces, as a reader with a small buffer
      if (b.length === 0) break;
      chunks.push(b.slice());
      off += b.length;
    }
    return latin1(Buffer.concat(chunks));
  };
  const setReader = (p: Process | null) => (reader = p);
  const setState = (p: Process, d: Partial<Described>) =>
    described.set(p, { ...described.get(p)!, ...d });
  return { root, fs, source, start, at, read, setReader, setState };
}

const enc = (s: string) => new TextEncoder().encode(s);

describe("/proc", () => {
  it("lists its fixed entries, then a directory per process", () => {
    const w = world();
    w.start(7, ["sleep", "5"]);
    w.start(3, ["/bin/sh"]);
    const names = w.fs.readdir(w.at("/proc")).map((e) => e.name);
    expect(names).toEqual([
      "self",
      "thread-self",
      "cpuinfo",
      "filesystems",
      "loadavg",
      "meminfo",
      "mounts",
      "net",
      "stat",
      "uptime",
      "version",
      "3",
      "7",
    ]);
    expect(w.fs.readdir(w.at("/proc/3")).map((e) => e.name)).toEqual([
      "cmdline",
      "comm",
      "cwd",
      "environ",
      "exe",
      "fd",
      "root",
      "stat",
      "statm",
      "status",
      "task",
    ]);
  });

  it("resolves /proc/self to the reading process, and to nothing when no process reads", () => {
    const w = world();
    const sh = w.start(3, ["sh"]);
    expect(errnoOf(() => w.at("/proc/self/stat"))).toBe("ENOENT");
    w.setReader(sh);
    expect(w.fs.readlink(w.at("/proc/self", false))).toBe("3");
    expect(w.at("/proc/self/stat")).toBe(w.at("/proc/3/stat"));
    expect(w.fs.readlink(w.at("/proc/thread-self", false))).toBe("3/task/3");
    expect(w.read("/proc/thread-self/comm")).toBe("sh\n");
  });

  it("gives argv and the environment NUL-separated, and neither for a zombie", () => {
    const w = world();
    const p = w.start(4, ["/bin/echo", "a b", ""]);
    expect(w.read("/proc/4/cmdline")).toBe("/bin/echo\0a b\0\0");
    expect(w.read("/proc/4/environ")).toBe("HOME=/root\0PATH=/bin\0");
    expect(w.read("/proc/4/comm")).toBe("echo\n");
    w.setState(p, { state: "Z", memory: 0 });
    expect(w.read("/proc/4/cmdline")).toBe("");
    expect(w.read("/proc/4/environ")).toBe("");
  });

  it("writes /proc/PID/stat in Linux's 52 fields, as BusyBox's procps reads them", () => {
    const w = world();
    w.start(1, ["sh"]);
    const p = w.start(5, ["-sh", "-c", "x"], { ppid: 1, state: "R", memory: 3 * MiB });
    p.pgid = 5;
    p.sid = 1;
    const text = w.read("/proc/5/stat");
    expect(text.endsWith("\n")).toBe(true);
    const fields = text.trimEnd().split(" ");
    expect(fields).toHaveLength(52);
    expect(fields.slice(0, 9)).toEqual(["5", "(sh)", "R", "1", "5", "1", "0", "-1", "0"]);
    expect(Number(fields[21])).toBeGreaterThanOrEqual(11_900); // started 120 s after boot, in 1/100 s
    expect(Number(fields[21])).toBeLessThanOrEqual(12_100);
    expect(fields[22]).toBe(String(3 * MiB)); // vsize, bytes
    expect(fields[23]).toBe(String((3 * MiB) / 65536)); // rss, in 64 KiB pages
    expect(w.read("/proc/5/statm")).toBe("48 48 0 0 0 48 0\n");
  });

  it("tells the controlling terminal in tty_nr and its foreground group in tpgid", () => {
    const w = world();
    const p = w.start(2, ["sh"]);
    const tty = new Tty(() => undefined, { signalGroup: () => undefined, processes: () => [] });
    tty.session = 2;
    tty.foreground = 6;
    p.tty = tty;
    const fields = w.read("/proc/2/stat").split(" ");
    expect(fields[6]).toBe(String((136 << 8) | 0)); // pts/0, what the terminal's stat says
    expect(fields[7]).toBe("6");
  });

  it("writes status with name, state, ids, memory and signal masks", () => {
    const w = world();
    const p = w.start(8, ["sleep", "9"], { ppid: 3, state: "T", memory: 1536 * 1024 });
    p.signals.dispositions[SIGINT] = Disposition.Ignore;
    p.signals.dispositions[SIGTERM] = Disposition.Catch;
    p.signals.blocked = bit(SIGTERM);
    const status = w.read("/proc/8/status");
    const field = (k: string) => new RegExp(`^${k}:\\t(.*)$`, "m").exec(status)?.[1];
    expect(field("Name")).toBe("sleep");
    expect(field("State")).toBe("T (stopped)");
    expect(field("Pid")).toBe("8");
    expect(field("PPid")).toBe("3");
    expect(field("Uid")).toBe("0\t0\t0\t0");
    expect(field("Umask")).toBe("0022");
    expect(field("VmRSS")).toBe("    1536 kB");
    expect(field("SigIgn")).toBe("0000000000000002");
    expect(field("SigCgt")).toBe("0000000000004000");
    expect(field("SigBlk")).toBe("0000000000004000");
    w.setState(p, { state: "Z", memory: 0 });
    expect(w.read("/proc/8/status")).not.toMatch(/^Vm/m);
  });

  it("links cwd to the working directory, and fd/N to a path, a pipe or the terminal", () => {
    const w = world();
    const p = w.start(6, ["sh"]);
    const passwd = p.open(3, "etc/passwd", {
      follow: true,
      create: false,
      exclusive: false,
      truncate: false,
      directory: false,
      read: true,
      write: false,
      append: false,
      mode: 0,
    });
    const [readEnd] = new Pipe().ends();
    const piped = p.install(readEnd);
    const tty = new Tty(() => undefined, { signalGroup: () => undefined, processes: () => [] });
    const terminal = p.install(new TtyFile(tty, null, true, true));
    const link = (fd: number) => w.fs.readlink(w.at(`/proc/6/fd/${fd}`, false));
    expect(w.fs.readlink(w.at("/proc/6/cwd", false))).toBe("/tmp");
    expect(w.at("/proc/6/cwd")).toBe(w.at("/tmp"));
    expect(link(3)).toBe("/");
    expect(link(passwd)).toBe("/etc/passwd");
    expect(link(piped)).toMatch(/^pipe:\[\d+\]$/);
    expect(link(0)).toMatch(/^pipe:\[\d+\]$/); // a stream given at start-up
    expect(link(terminal)).toBe("/dev/tty");
    expect(w.fs.stat(w.at(`/proc/6/fd/${passwd}`, false)).mode).toBe(0o500);
    expect(w.fs.readdir(w.at("/proc/6/fd")).map((e) => e.name)).toEqual(
      ["0", "1", "2", "3", String(passwd), String(piped), String(terminal)].sort(
        (a, b) => Number(a) - Number(b),
      ),
    );
    // Following the link reaches the file, as /dev/stdin -> /proc/self/fd/0 needs.
    expect(w.read(`/proc/6/fd/${passwd}`)).toBe("root");
    w.root.unlink(w.root.lookup(w.root.root, "etc"), "passwd");
    expect(link(passwd)).toBe("/etc/passwd (deleted)");
    p.close(passwd);
    expect(errnoOf(() => w.at(`/proc/6/fd/${passwd}`, false))).toBe("ENOENT");
  });

  it("mirrors a process in task/PID, and walks back up to / with ..", () => {
    const w = world();
    w.start(4, ["sh"]);
    expect(w.fs.readdir(w.at("/proc/4/task")).map((e) => e.name)).toEqual(["4"]);
    expect(w.read("/proc/4/task/4/stat")).toBe(w.read("/proc/4/stat"));
    expect(errnoOf(() => w.at("/proc/4/task/4/task"))).toBe("ENOENT");
    expect(w.at("/proc/4/task/4/fd/../../../../..")).toBe(w.fs.root);
    expect(w.at("/proc/4/fd/..")).toBe(w.at("/proc/4"));
  });

  it("answers ENOENT for a process that is gone", () => {
    const w = world();
    expect(errnoOf(() => w.at("/proc/12"))).toBe("ENOENT");
    expect(errnoOf(() => w.at("/proc/nope"))).toBe("ENOENT");
  });

  it("serves a reader reading in pieces one snapshot of the file", () => {
    const w = world();
    const p = w.start(4, ["sh"]);
    const ino = w.at("/proc/4/status");
    const head = w.fs.read(ino, 0, 10);
    w.setState(p, { state: "Z", memory: 0 }); // the file would now be much shorter
    const rest = w.fs.read(ino, 10, 100_000);
    expect(latin1(Buffer.concat([head, rest]))).toMatch(/VmRSS:\t {4}2048 kB/);
    expect(w.read("/proc/4/status")).toMatch(/State:\tZ \(zombie\)/);
  });

  it("counts memory as the limits allow and the processes hold it (meminfo)", () => {
    const w = world();
    w.start(1, ["sh"], { memory: 2 * MiB });
    w.start(2, ["cat"], { memory: 3 * MiB });
    const meminfo = w.read("/proc/meminfo");
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB$`, "m").exec(meminfo)?.[1]);
    expect(kb("MemTotal")).toBe(4 * 64 * 1024);
    expect(kb("MemFree")).toBe(4 * 64 * 1024 - 5 * 1024);
    expect(kb("MemAvailable")).toBe(kb("MemFree"));
    // What BusyBox's free needs to show "available": all three present.
    for (const k of ["Cached", "SReclaimable", "Buffers", "Shmem", "SwapTotal", "SwapFree"]) {
      expect(kb(k)).toBe(0);
    }
    expect(meminfo).toMatch(/^MemTotal: {9}262144 kB$/m); // Linux's columns: 16 for the name, 8 for the number
  });

  it("tells the time since boot, the load, the CPUs and the counters", () => {
    const w = world();
    w.start(1, ["sh"]);
    w.start(2, ["ps"], { state: "R" });
    const [up, idle] = w.read("/proc/uptime").trim().split(" ").map(Number);
    expect(up).toBeGreaterThanOrEqual(125);
    expect(up).toBeLessThan(130);
    const cpus = (w.read("/proc/cpuinfo").match(/^processor\t: \d+$/gm) ?? []).length;
    expect(cpus).toBe(typeof navigator === "undefined" ? 1 : navigator.hardwareConcurrency);
    expect(idle).toBeCloseTo(up! * cpus, 0);
    expect(w.read("/proc/loadavg")).toBe("0.00 0.00 0.00 1/2 9\n");
    const stat = w.read("/proc/stat");
    expect(stat).toMatch(/^cpu {2}0 0 0 \d+ 0 0 0 0 0 0$/m);
    expect((stat.match(/^cpu\d+ /gm) ?? []).length).toBe(cpus);
    expect(stat).toMatch(/^ctxt 7$/m);
    expect(stat).toMatch(new RegExp(`^btime ${Math.floor(w.source.bootTime / 1000)}$`, "m"));
    expect(stat).toMatch(/^processes 9$/m);
    expect(stat).toMatch(/^procs_running 1$/m);
    expect(w.read("/proc/version")).toMatch(/^Linux version 0\.0\.0-overbox .*overbox\n$/);
  });

  it("lists the mounts and the filesystem types", () => {
    const w = world();
    expect(w.read("/proc/mounts")).toBe(
      "tmpfs / tmpfs rw 0 0\nproc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n",
    );
    expect(w.read("/proc/filesystems")).toBe("nodev\toverlay\nnodev\tproc\nnodev\ttmpfs\n");
  });

  it("refuses changes: EACCES for a file's data and attributes, EROFS for names", () => {
    const w = world();
    w.start(1, ["sh"]);
    const meminfo = w.at("/proc/meminfo");
    expect(errnoOf(() => w.fs.write(meminfo, 0, enc("x")))).toBe("EACCES");
    expect(errnoOf(() => w.fs.truncate(meminfo, 0))).toBe("EACCES");
    expect(errnoOf(() => w.fs.setattr(w.at("/proc/1/comm"), { mode: 0o777 }))).toBe("EACCES");
    expect(
      errnoOf(() => w.fs.create(w.at("/proc"), "x", { type: "file", mode: 0o644, ...owner })),
    ).toBe("EROFS");
    expect(errnoOf(() => w.fs.unlink(w.at("/proc"), "meminfo"))).toBe("EROFS");
    expect(errnoOf(() => w.fs.mkdir(w.at("/proc/1"), "x", 0o755, owner))).toBe("EROFS");
  });
});

describe("the kernel's filesystem", () => {
  it("is the root with /dev's nodes and /proc mounted, when the root has /proc", () => {
    const root = new MemoryFilesystem();
    root.mkdir(root.root, "proc", 0o555, owner);
    root.mkdir(root.root, "dev", 0o755, owner);
    const kernel = new Kernel(root, new WasmLoader());
    const fs = kernel.fs;
    expect(fs).toBeInstanceOf(MountFilesystem);
    expect(fs.stat(resolveExisting(fs, fs.root, "/dev/null", { follow: true })).type).toBe(
      "chardev",
    );
    const meminfo = resolveExisting(fs, fs.root, "/proc/meminfo", { follow: true });
    expect(latin1(fs.read(meminfo, 0, 100))).toMatch(/^MemTotal: +\d+ kB\n/);
    expect(
      latin1(fs.read(resolveExisting(fs, fs.root, "/proc/mounts", { follow: true }), 0, 200)),
    ).toMatch(/^tmpfs \/ tmpfs rw 0 0\nproc \/proc proc /);
    expect(kernel.running()).toBeNull();
  });

  it("mounts nothing on a root without /proc", () => {
    const kernel = new Kernel(new MemoryFilesystem(), new WasmLoader());
    const fs = kernel.fs as MountFilesystem;
    expect(fs.mounts().map((m) => m.path)).toEqual(["/"]);
  });
});

describe("BusyBox's process tools on /proc", () => {
  let runner: Kernel;
  beforeAll(async () => {
    ({ runner } = await loadBaseImage());
  });
  const sh = async (script: string) => {
    const r = await runner.run({ args: ["sh", "-c", script] });
    return { status: r.status, out: latin1(r.stdout), err: latin1(r.stderr) };
  };

  it("ps lists the shell and itself, with their pids, parent and command names", async () => {
    // `; true` keeps sh from running the last command in its own process.
    const { out, err } = await sh("echo $$; ps -o pid,ppid,comm,args; true");
    expect(err).toBe("");
    const [pid, header, ...rows] = out.trimEnd().split("\n");
    expect(header).toMatch(/^PID\s+PPID\s+COMMAND\s+COMMAND$/);
    const table = rows.map((r) => r.trim().split(/\s+/));
    const shell = table.find((r) => r[0] === pid);
    expect(shell?.slice(2, 4)).toEqual(["sh", "sh"]);
    const ps = table.find((r) => r[2] === "ps");
    expect(ps?.[1]).toBe(pid);
    expect(ps?.slice(3)).toEqual(["ps", "-o", "pid,ppid,comm,args"]);
  });

  it("ps's default columns show the user and the whole command line", async () => {
    const { out } = await sh("ps; true");
    expect(out).toMatch(/^PID\s+USER\s+TIME\s+COMMAND\n/);
    expect(out).toMatch(/^\s+\d+ root\s+0:00 sh -c ps; true$/m);
    expect(out).toMatch(/^\s+\d+ root\s+0:00 ps$/m);
  });

  it("pidof finds the shell's pid, and kill -0 finds the shell", async () => {
    const { out } = await sh(
      "echo $$; pidof sh; kill -0 $$ && echo alive; kill -0 99999 || echo gone",
    );
    const [pid, pids, alive, gone] = out.trimEnd().split("\n");
    expect(pids!.split(" ")).toContain(pid);
    expect([alive, gone]).toEqual(["alive", "gone"]);
  });

  it("killall ends a background sleep at once", async () => {
    const t = performance.now();
    // Until the child has exec'd sleep, it is a copy of sh: wait for the name to show.
    const { out } = await sh(
      "sleep 5 & until pidof sleep >/dev/null; do :; done; killall sleep; wait $!; echo $?",
    );
    expect(out).toBe("143\n"); // 128 + SIGTERM
    expect(performance.now() - t).toBeLessThan(3000);
  });

  it("free's total is MemTotal of /proc/meminfo, and used is what the processes hold", async () => {
    const { out } = await sh("free; cat /proc/meminfo");
    const mem = /^Mem:\s+(\d+)\s+(\d+)\s+(\d+)/m.exec(out);
    const total = /^MemTotal:\s+(\d+) kB$/m.exec(out)?.[1];
    expect(mem?.[1]).toBe(total);
    expect(Number(mem![2])).toBeGreaterThan(0);
    expect(Number(mem![1])).toBe(Number(mem![2]) + Number(mem![3]));
  });

  it("uptime tells how long ago the kernel booted", async () => {
    const { out } = await sh("uptime");
    expect(out).toMatch(
      /^ \d\d:\d\d:\d\d up \d+ min, +0 users, +load average: 0\.00, 0\.00, 0\.00\n$/,
    );
  });

  it("/proc/self/status names the program reading it", async () => {
    const { out } = await sh("cat /proc/self/status | head -3");
    expect(out).toBe("Name:\tcat\nUmask:\t0022\nState:\tR (running)\n");
  });

  it("top -b -n 1 shows memory, CPU, load and its own process", async () => {
    const { out, status } = await sh("top -b -n 1");
    expect(status).toBe(0);
    expect(out).toMatch(/^Mem: \d+K used, \d+K free, 0K shrd, 0K buff, 0K cached\n/);
    expect(out).toMatch(/^CPU: .* idle/m);
    expect(out).toMatch(/^Load average: 0\.00 0\.00 0\.00 \d+\/\d+ \d+$/m);
    expect(out).toMatch(/^\s+\d+\s+\d+ root\s+R\s+\d+\S*\s+.* top -b -n 1$/m);
  });

  it("mount shows / and /proc", async () => {
    const { out } = await sh("mount");
    expect(out).toBe(
      "tmpfs on / type tmpfs (rw)\nproc on /proc type proc (rw,nosuid,nodev,noexec,relatime)\n",
    );
  });

  it("df / finds / in the mount table", async () => {
    const { out, err } = await sh("df /");
    expect(out).toMatch(/^Filesystem\s+1K-blocks\s+Used\s+Available\s+Use% Mounted on\n/);
    expect(err).not.toMatch(/can't find mount point/);
  });

  it("df / prints the size of /: what it holds, out of the container's disk size", async () => {
    const { out, err } = await sh("df -k / && du -sk / 2>/dev/null | tail -n 1");
    expect(err).toBe("");
    const row = /^tmpfs\s+(\d+)\s+(\d+)\s+(\d+)\s+\d+% \/$/m.exec(out);
    expect(row).not.toBeNull();
    const [size, used, available] = row!.slice(1).map(Number) as [number, number, number];
    expect(size).toBe(1024 * 1024); // 1 GiB in KiB: DEFAULT_DISK
    expect(used + available).toBe(size);
    // du sums the same files (without /proc), block by block.
    const du = Number(/^(\d+)\s+\/$/m.exec(out)![1]);
    expect(Math.abs(used - du) / du).toBeLessThan(0.1);
  });

  it("ls -l /proc/PID/fd shows where the shell's fds point", async () => {
    const { out } = await sh(
      "exec 5</etc/passwd; ls -l /proc/$$/fd; cat /dev/stdin </etc/hostname",
    );
    expect(out).toMatch(/ 3 -> \/\n/);
    expect(out).toMatch(/ 5 -> \/etc\/passwd\n/);
    expect(out).toMatch(/ 1 -> pipe:\[\d+\]\n/);
    expect(out.endsWith("overbox\n")).toBe(true); // /dev/stdin -> /proc/self/fd/0 -> /etc/hostname
  });
});
