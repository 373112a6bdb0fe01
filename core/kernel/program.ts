import type { Filesystem } from "../vfs/filesystem.ts";
import type { Kernel } from "./kernel.ts";
import type { Process } from "./process.ts";

/**
 * What runs a process's program. The kernel defines this and never knows
 * how it is done (as gVisor's kernel package never imports its syscall
 * tables): core/wasi/ implements it for wasm modules, and kernel.test.ts
 * with scripted fakes.
 *
 * Lifecycle: a ProgramLoader makes one for a new process (spawn), and
 * `copy` makes one for a fork child. The kernel calls `run` once, after
 * the call that made the program has returned. `run` starts the program
 * (a fork child's copy resumes in its fork call, answering 0), pauses and
 * resumes it around system calls that would block, carries on with the new
 * program of an exec, and settles with the process's wait status
 * (exit.ts) when it ends: an exit, or a signal's default action (Killed).
 *
 * Signals: the kernel only marks them pending (process.signals) and
 * settles kernel.events(proc); the program takes them at its system calls
 * and while paused, and a stop waits in kernel.stop. So a kill reaches a
 * program that is paused as well as one that is running.
 *
 * Errors: `run` rejects only on a fault of the program itself (a trap);
 * the kernel says so and the process dies of SIGSEGV.
 */
export interface Program {
  run(): Promise<number>;
  /** Whether it is executing now, not paused: its process is the caller of the system call being made. */
  readonly running: boolean;
  /** Bytes of memory it holds (ps's size); 0 once it has ended. */
  readonly memoryBytes: number;
  /**
   * fork's copy: a program for `child` whose state is this one's, to resume
   * in its fork call. Throws RangeError when there is no memory for one.
   */
  copy(child: Process): Program;
}

/**
 * Loads programs from the filesystem for new processes (Linux's binfmt
 * handlers, with libc's PATH search). The kernel asks it in spawn; exec
 * from a running program is the program's own business, through its
 * loader.
 */
export interface ProgramLoader {
  /**
   * The program file `name` names, from directory `cwd`: `name` itself
   * when it holds a slash, else the first regular file `dir/name` for a
   * `dir` of `path` (a PATH value). ENOENT when there is none.
   */
  find(fs: Filesystem, name: string, path: string, cwd: string): string;
  /**
   * The program of `proc`, a new process of `kernel` that has none yet:
   * loads `file` (following `#!` to an interpreter), makes the process exec
   * it (Process.exec) and gives the program, not yet running. Errors:
   * ENOENT, EACCES (not an executable file), ENOEXEC, ELOOP.
   */
  start(kernel: Kernel, proc: Process, file: string): Promise<Program>;
}
