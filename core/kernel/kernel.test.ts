/**
 * The process kernel on its own: no wasm, no WASI. Programs here are
 * scripts (FakeProgram) that make the kernel's calls the way a real
 * program's system calls do, through the Program and ProgramLoader
 * interfaces the kernel defines (program.ts).
 */
import { describe, expect, it } from "vitest";
import { errnoOf, ErrnoError } from "../errno.ts";
import { MemoryFilesystem } from "../vfs/memory.ts";
import { WouldBlock } from "../vfs/would-block.ts";
import { exited, Killed, ProcessExit, shellStatus } from "./exit.ts";
import { Kernel, type Limits } from "./kernel.ts";
import { InputStream, OutputStream, type OpenFile } from "./open-file.ts";
import type { Process } from "./process.ts";
import type { Program, ProgramLoader } from "./program.ts";
import {
  bit,
  defaultAction,
  Disposition,
  SIGCHLD,
  SIGCONT,
  SIGHUP,
  SIGINT,
  SIGKILL,
  SIGSTOP,
  SIGTERM,
} from "./signals.ts";
import { TtyFile } from "./tty.ts";

const SIGUSR1 = 10;

/** What a script may do: the kernel's calls, made as a program's system calls are. */
interface Sys {
  kernel: Kernel;
  proc: Process;
  /** A system call: signals are taken first, and a call that would block waits and is made again. */
  call<T>(f: () => T): Promise<T>;
  /** fork: the child runs `child`; the parent gets the child's pid. */
  fork(child: Script): Promise<number>;
  /** exec of a program the loader knows. */
  exec(file: string, args?: string[]): Promise<never>;
  exit(code: number): never;
  /** The handler a caught signal runs (the program's own, as sigaction's). */
  handle(sig: number, handler: () => void): void;
}

/** A program: its exit code, or it ends by exit() or a signal. */
type Script = (sys: Sys) => Promise<number | void>;

/** Thrown out of a script by exec, as the WASI program's ExecRequest. */
class ExecTo {
  constructor(readonly script: Script) {}
}

/** Runs scripts as programs; caught signals run `handlers`. */
class FakeProgram implements Program {
  running = false;
  readonly memoryBytes = 65536;
  private forkChild: Script | null = null;
  handlers = new Map<number, () => void>();

  constructor(
    private readonly loader: FakeLoader,
    private readonly kernel: Kernel,
    private readonly proc: Process,
    private script: Script,
  ) {}

  async run(): Promise<number> {
    for (;;) {
      try {
        const code = await this.script(this.sys());
        return exited(code ?? 0);
      } catch (e) {
        if (e instanceof ExecTo) {
          this.script = e.script;
          this.handlers.clear();
          continue;
        }
        if (e instanceof ProcessExit) return exited(e.status);
        if (e instanceof Killed) return e.signal;
        throw e;
      }
    }
  }

  copy(child: Process): Program {
    const copy = new FakeProgram(this.loader, this.kernel, child, this.forkChild!);
    copy.handlers = new Map(this.handlers);
    return copy;
  }

  /** Takes deliverable signals: the default action, or the script's handler. */
  private async deliver(): Promise<void> {
    const s = this.proc.signals;
    for (let sig = s.deliverable(); sig; sig = s.deliverable()) {
      s.pending &= ~bit(sig);
      const d = s.dispositions[sig]!;
      if (d === Disposition.Ignore) continue;
      if (d !== Disposition.Default) {
        this.handlers.get(sig)?.();
        continue;
      }
      const action = defaultAction(sig);
      if (action === "terminate") throw new Killed(sig);
      if (action === "stop") await this.kernel.stop(this.proc, sig);
    }
  }

  private sys(): Sys {
    const call = async <T>(f: () => T): Promise<T> => {
      for (;;) {
        // Taken before the signals are: one that comes after them wakes the wait below.
        const woken = this.kernel.events(this.proc);
        await this.deliver();
        let ready: Promise<unknown>;
        this.running = true;
        try {
          return f();
        } catch (e) {
          if (!(e instanceof WouldBlock)) throw e;
          ready = e.ready;
        } finally {
          this.running = false;
        }
        await Promise.race([ready, woken]);
      }
    };
    return {
      kernel: this.kernel,
      proc: this.proc,
      call,
      fork: (child) => {
        this.forkChild = child;
        return call(() => this.kernel.fork(this.proc).pid);
      },
      exec: (file, args = [file]) =>
        call(() => {
          const script = this.loader.scripts.get(file);
          if (!script) throw new ErrnoError("ENOENT", file);
          this.proc.exec(args, this.proc.env, { exe: file, comm: file.slice(1) });
          throw new ExecTo(script);
        }),
      exit: (code) => {
        throw new ProcessExit(code);
      },
      handle: (sig, handler) => this.handlers.set(sig, handler),
    };
  }
}

/** Programs by absolute name ("/a"); PATH is not searched. */
class FakeLoader implements ProgramLoader {
  readonly scripts = new Map<string, Script>();
  find(_fs: unknown, name: string): string {
    return name.startsWith("/") ? name : `/${name}`;
  }
  async start(kernel: Kernel, proc: Process, file: string): Promise<Program> {
    const script = this.scripts.get(file);
    if (!script) throw new ErrnoError("ENOENT", file);
    proc.exec(proc.args, proc.env, { exe: file, comm: file.slice(1) });
    return new FakeProgram(this, kernel, proc, script);
  }
}

function world(limits?: Limits) {
  const loader = new FakeLoader();
  const kernel = new Kernel(new MemoryFilesystem(), loader, limits);
  const program = (name: string, script: Script) => loader.scripts.set(`/${name}`, script);
  return { kernel, loader, program };
}

/** A promise and its resolve, for scripts that wait on the test. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { opened, open };
}

/** Waits until `check` holds, letting programs run (a few event-loop turns at most). */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !check(); i++) await new Promise((r) => setTimeout(r, 1));
  expect(check()).toBe(true);
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe("the process kernel, with programs that are not wasm", () => {
  it("spawn runs a program to its end; run reports its exit code and output", async () => {
    const { kernel, program } = world();
    program("hello", async ({ proc }) => {
      proc.write(1, new TextEncoder().encode(`hello from ${proc.pid} ${proc.args.join(" ")}\n`));
      return 7;
    });
    const r = await kernel.run({ args: ["hello", "there"] });
    expect(r.status).toBe(7);
    expect(text(r.stdout)).toBe("hello from 1 hello there\n");
    expect(kernel.processes()).toEqual([]);
  });

  it("a program that is not there is ENOENT, and leaves no process", async () => {
    const { kernel } = world();
    await expect(kernel.run({ args: ["missing"] })).rejects.toMatchObject({ errno: "ENOENT" });
    expect(kernel.processes()).toEqual([]);
  });

  it("a program that faults dies of SIGSEGV", async () => {
    const { kernel, program } = world();
    program("crash", async () => {
      throw new TypeError("a trap");
    });
    const error = console.error;
    console.error = () => undefined;
    try {
      expect((await kernel.run({ args: ["crash"] })).status).toBe(128 + 11);
    } finally {
      console.error = error;
    }
  });

  it("fork copies the process; the parent waits for the child and gets its status", async () => {
    const { kernel, program } = world();
    const seen: string[] = [];
    program("parent", async ({ kernel, proc, call, fork }) => {
      const child = await fork(async ({ kernel, proc }) => {
        seen.push(`child ${proc.pid} of ${kernel.parentPid(proc)}, group ${proc.pgid}`);
        return 3;
      });
      const r = await call(() => kernel.wait(proc, -1, 0));
      seen.push(`reaped ${r!.pid}: ${shellStatus(r!.status)}`);
      expect(() => kernel.wait(proc, -1, 0)).toThrow(expect.objectContaining({ errno: "ECHILD" }));
      return child;
    });
    const r = await kernel.run({ args: ["parent"] });
    expect(r.status).toBe(2);
    expect(seen).toEqual(["child 2 of 1, group 1", "reaped 2: 3"]);
  });

  it("a child's fds are the parent's open files, shared", async () => {
    const { kernel, program } = world();
    program("parent", async ({ kernel, proc, call, fork }) => {
      await fork(async ({ proc }) => {
        proc.write(1, new TextEncoder().encode("child\n"));
      });
      await call(() => kernel.wait(proc, -1, 0));
      proc.write(1, new TextEncoder().encode("parent\n"));
    });
    expect(text((await kernel.run({ args: ["parent"] })).stdout)).toBe("child\nparent\n");
  });

  it("wait with WNOHANG answers null while the child runs; a zombie is reaped once", async () => {
    const { kernel, program } = world();
    const g = gate();
    program("parent", async ({ kernel, proc, call, fork }) => {
      const pid = await fork(async () => {
        await g.opened;
        return 5;
      });
      expect(kernel.wait(proc, pid, 1 /* WNOHANG */)).toBeNull();
      expect(kernel.describe(proc).state).toBe("S");
      g.open();
      await until(() => kernel.processes().some((p) => kernel.describe(p).state === "Z"));
      expect(kernel.wait(proc, pid, 1)).toEqual({ pid, status: exited(5) });
      expect(errnoOf(() => kernel.wait(proc, pid, 1))).toBe("ECHILD");
      await call(() => undefined);
    });
    expect((await kernel.run({ args: ["parent"] })).status).toBe(0);
  });

  it("exec keeps the pid and the fds, closes close-on-exec fds and resets caught signals", async () => {
    const { kernel, program } = world();
    const seen: unknown[] = [];
    program("second", async ({ proc }) => {
      seen.push(proc.pid, proc.args, [...proc.fds.keys()], proc.signals.dispositions[SIGUSR1]);
      seen.push(proc.signals.dispositions[SIGINT], proc.comm);
      return 9;
    });
    program("first", async ({ kernel, proc, exec }) => {
      const fd = proc.dup(1);
      proc.cloexec.add(fd);
      kernel.sigaction(proc, SIGUSR1, Disposition.Catch);
      kernel.sigaction(proc, SIGINT, Disposition.Ignore);
      await exec("/second", ["second", "x"]);
    });
    const r = await kernel.run({ args: ["first"] });
    expect(r.status).toBe(9);
    expect(seen).toEqual([1, ["second", "x"], [0, 1, 2, 3], Disposition.Default, 1, "second"]);
  });

  it("setpgid and setsid follow Linux's rules; getpgid and getsid tell", async () => {
    const { kernel, program } = world();
    const g = gate();
    program("leader", async ({ kernel, proc, call, fork }) => {
      expect(errnoOf(() => kernel.setsid(proc))).toBe("EPERM"); // a group leader already
      const child = await fork(async ({ kernel, proc }) => {
        await g.opened;
        expect(kernel.setsid(proc)).toBe(proc.pid);
        expect(errnoOf(() => kernel.setpgid(proc, 0, 0))).toBe("EPERM"); // a session leader
      });
      kernel.setpgid(proc, child, 0);
      expect(kernel.getpgid(proc, child)).toBe(child);
      expect(kernel.getsid(proc, child)).toBe(proc.sid);
      expect(errnoOf(() => kernel.setpgid(proc, child, 999))).toBe("EPERM"); // no such group
      expect(errnoOf(() => kernel.setpgid(proc, 999, 0))).toBe("ESRCH");
      kernel.setpgid(proc, child, proc.pgid);
      g.open();
      await call(() => kernel.wait(proc, child, 0));
    });
    expect((await kernel.run({ args: ["leader"] })).status).toBe(0);
  });

  it("kill reaches a process paused in a system call, by pid and by group; a waiting parent hears of it", async () => {
    const { kernel, program } = world();
    const forever = new Promise<void>(() => undefined);
    program("parent", async ({ kernel, proc, call, fork }) => {
      const a = await fork(async () => 0);
      const b = await fork(async ({ call }) => {
        await call(() => {
          throw new WouldBlock(forever, "paused");
        });
      });
      const c = await fork(async ({ call }) => {
        await call(() => {
          throw new WouldBlock(forever, "paused");
        });
      });
      kernel.setpgid(proc, c, 0);
      kernel.kill(proc, b, SIGTERM);
      kernel.kill(proc, -c, SIGKILL);
      expect(errnoOf(() => kernel.kill(proc, 12345, SIGTERM))).toBe("ESRCH");
      expect(errnoOf(() => kernel.kill(proc, b, 99))).toBe("EINVAL");
      const statuses = new Map<number, number>();
      for (let i = 0; i < 3; i++) {
        const r = await call(() => kernel.wait(proc, -1, 0));
        statuses.set(r!.pid, r!.status);
      }
      expect(statuses.get(a)).toBe(exited(0));
      expect(statuses.get(b)).toBe(SIGTERM);
      expect(statuses.get(c)).toBe(SIGKILL);
    });
    expect((await kernel.run({ args: ["parent"] })).status).toBe(0);
  });

  it("a caught signal runs its handler; an ignored one is dropped; SIGKILL cannot be caught", async () => {
    const { kernel, program } = world();
    program("p", async ({ kernel, proc, call, handle }) => {
      let caught = 0;
      kernel.sigaction(proc, SIGUSR1, Disposition.Catch);
      handle(SIGUSR1, () => caught++);
      kernel.sigaction(proc, SIGTERM, Disposition.Ignore);
      expect(errnoOf(() => kernel.sigaction(proc, SIGKILL, Disposition.Catch))).toBe("EINVAL");
      kernel.kill(proc, proc.pid, SIGTERM);
      expect(proc.signals.pending & bit(SIGTERM)).toBe(0n);
      kernel.kill(proc, proc.pid, SIGUSR1);
      expect(proc.signals.pending & bit(SIGUSR1)).not.toBe(0n);
      await call(() => undefined);
      return caught;
    });
    expect((await kernel.run({ args: ["p"] })).status).toBe(1);
  });

  it("SIGSTOP stops a process and SIGCONT resumes it; the parent sees both with WUNTRACED and WCONTINUED", async () => {
    const { kernel, program } = world();
    const g = gate();
    program("parent", async ({ kernel, proc, call, fork }) => {
      const child = await fork(async ({ call }) => {
        await g.opened;
        await call(() => 0); // the stop is taken here
        return 4;
      });
      kernel.kill(proc, child, SIGSTOP);
      g.open();
      const stopped = await call(() => kernel.wait(proc, child, 2 /* WUNTRACED */));
      expect(stopped).toEqual({ pid: child, status: (SIGSTOP << 8) | 0x7f });
      expect(kernel.processes().find((p) => p.pid === child)).toBeDefined();
      kernel.kill(proc, child, SIGCONT);
      const continued = await call(() => kernel.wait(proc, child, 8 /* WCONTINUED */));
      expect(continued).toEqual({ pid: child, status: 0xffff });
      const ended = await call(() => kernel.wait(proc, child, 0));
      expect(ended).toEqual({ pid: child, status: exited(4) });
    });
    expect((await kernel.run({ args: ["parent"] })).status).toBe(0);
  });

  it("an orphan is reaped when it ends: no zombie is left", async () => {
    const { kernel, program } = world();
    const g = gate();
    program("parent", async ({ fork }) => {
      await fork(async () => {
        await g.opened;
      });
      return 0;
    });
    expect((await kernel.run({ args: ["parent"] })).status).toBe(0);
    expect(kernel.processes().map((p) => p.pid)).toEqual([2]);
    g.open();
    await until(() => kernel.processes().length === 0);
  });

  it("the children of a parent that ignores SIGCHLD are reaped as they end, as on Linux", async () => {
    const { kernel, program } = world();
    program("server", async ({ kernel, proc, fork, call }) => {
      kernel.sigaction(proc, SIGCHLD, Disposition.Ignore);
      await fork(async () => 0);
      await fork(async () => 0);
      // No zombie to wait for: once both have ended, wait says ECHILD.
      await until(() => kernel.processes().length === 1);
      expect(() => kernel.wait(proc, -1, 0)).toThrow(expect.objectContaining({ errno: "ECHILD" }));
      // With the default treatment they stay until waited for.
      kernel.sigaction(proc, SIGCHLD, Disposition.Default);
      const pid = await fork(async () => 3);
      await until(() => kernel.processes().length === 2);
      expect(await call(() => kernel.wait(proc, -1, 0))).toEqual({ pid, status: exited(3) });
      return 0;
    });
    expect((await kernel.run({ args: ["server"] })).status).toBe(0);
  });

  it("the process limit makes fork fail with EAGAIN", async () => {
    const { kernel, program } = world({ memory: 1 << 20, processes: 3 });
    const g = gate();
    program("parent", async ({ kernel, proc, call, fork }) => {
      await fork(() => g.opened);
      await fork(() => g.opened);
      await expect(fork(async () => undefined)).rejects.toMatchObject({ errno: "EAGAIN" });
      g.open();
      await call(() => kernel.wait(proc, -1, 0));
      await call(() => kernel.wait(proc, -1, 0));
      await fork(async () => undefined); // room again
      await call(() => kernel.wait(proc, -1, 0));
    });
    expect((await kernel.run({ args: ["parent"] })).status).toBe(0);
  });

  it("past the memory limit a process is killed with SIGKILL, and says why on stderr", async () => {
    const { kernel, program } = world({ memory: 1 << 20, processes: 8 });
    program("greedy", async ({ kernel, proc, call }) => {
      await call(() => kernel.outOfMemory(proc, 3 << 20));
    });
    const r = await kernel.run({ args: ["greedy"] });
    expect(r.status).toBe(128 + SIGKILL);
    expect(text(r.stderr)).toBe(
      "overbox: out of memory: killed process 1 (greedy): it asked for 3 MiB, the limit is 1 MiB\n",
    );
  });

  it("a terminal's Ctrl-C signals its foreground group; the session leader's end hangs it up", async () => {
    const { kernel, program } = world();
    const tty = kernel.terminal(() => undefined);
    const forever = new Promise<void>(() => undefined);
    let job = 0;
    let hangups = 0;
    program("sh", async ({ kernel, proc, call, fork }) => {
      job = await fork(async ({ call }) => {
        await call(() => {
          throw new WouldBlock(forever, "paused");
        });
      });
      kernel.setpgid(proc, job, 0);
      expect(tty.sessionFor(proc)).toBe(proc.pid);
      expect(errnoOf(() => tty.setForeground(proc, 999))).toBe("EPERM");
      tty.setForeground(proc, job);
      expect(tty.foregroundFor(proc)).toBe(job);
      tty.input(new Uint8Array([3])); // Ctrl-C
      const r = await call(() => kernel.wait(proc, job, 0));
      expect(r!.status).toBe(SIGINT);
      tty.setForeground(proc, proc.pgid);
      kernel.sigaction(proc, SIGHUP, Disposition.Catch); // and so the fork child's
      job = await fork(async ({ call, handle, exit }) => {
        handle(SIGHUP, () => {
          hangups++;
          exit(0);
        });
        await call(() => {
          throw new WouldBlock(forever, "paused");
        });
      });
      kernel.setpgid(proc, job, 0);
      tty.setForeground(proc, job);
      return 0;
    });
    const end = (): OpenFile => new TtyFile(tty, null, true, true);
    const shell = await kernel.spawn({ args: ["sh"], stdio: [end(), end(), end()], tty });
    expect(tty.session).toBe(shell.pid);
    expect(await kernel.waitFor(shell)).toBe(exited(0));
    // The leader ended with a job in the foreground: the job hears SIGHUP and dies of it.
    expect(tty.session).toBe(0);
    await until(() => kernel.processes().length === 0);
    expect(hangups).toBe(1);
  });

  it("a terminal is the controlling terminal of one session: others get ENOTTY and EPERM until it lets go", async () => {
    const { kernel, program } = world();
    const tty = kernel.terminal(() => undefined);
    const g = gate();
    program("owner", () => g.opened);
    const seen: string[] = [];
    program("other", async ({ proc }) => {
      seen.push(errnoOf(() => tty.foregroundFor(proc)));
      seen.push(errnoOf(() => tty.makeControlling(proc)));
      g.open();
      await until(() => tty.session === 0);
      tty.makeControlling(proc);
      seen.push(`${tty.sessionFor(proc) === proc.pid}`);
      tty.detach(proc);
      seen.push(errnoOf(() => tty.sessionFor(proc)));
    });
    const end = (): OpenFile => new TtyFile(tty, null, true, true);
    const owner = await kernel.spawn({ args: ["owner"], stdio: [end(), end(), end()], tty });
    const streams = (): [OpenFile, OpenFile, OpenFile] => [
      new InputStream(),
      new OutputStream(),
      new OutputStream(),
    ];
    const other = await kernel.spawn({ args: ["other"], stdio: streams() });
    await kernel.waitFor(owner);
    expect(await kernel.waitFor(other)).toBe(exited(0));
    expect(seen).toEqual(["ENOTTY", "EPERM", "true", "ENOTTY"]);
  });

  it("statfs is each filesystem's own: the root's disk size, /proc's zeros", async () => {
    const root = new MemoryFilesystem();
    root.mkdir(root.root, "proc", 0o555, { uid: 0, gid: 0 });
    const kernel = new Kernel(root, new FakeLoader(), {
      memory: 1 << 20,
      processes: 4,
      disk: 1 << 20,
    });
    const rootStats = kernel.statfs(kernel.fs.root);
    expect(rootStats).toMatchObject({ type: 0x01021994, blockSize: 4096, blocks: 256 });
    const proc = kernel.fs.lookup(kernel.fs.root, "proc");
    expect(kernel.statfs(proc)).toMatchObject({ type: 0x9fa0, blocks: 0, files: 0 });
  });
});
