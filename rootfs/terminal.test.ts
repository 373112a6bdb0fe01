/**
 * The terminal as a user drives it: keys in, screen text out, with BusyBox's
 * ash as the login shell on the kernel's terminal (line discipline, termios,
 * job control), over the built image.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { Kernel } from "../core/kernel/kernel.ts";
import { WasmLoader } from "../core/wasi/loader.ts";
import type { MemoryFilesystem } from "../core/vfs/memory.ts";
import { resolveExisting } from "../core/vfs/resolve.ts";
import { TerminalSession } from "./terminal.ts";
import { loadBaseImage } from "./testing.ts";

const LEFT = "\x1b[D";
const UP = "\x1b[A";
const CTRL = (c: string) => String.fromCharCode(c.toUpperCase().charCodeAt(0) - 64);

let fs: MemoryFilesystem;

function readText(fs: MemoryFilesystem, path: string): string {
  const ino = resolveExisting(fs, fs.root, path, { follow: true });
  return new TextDecoder().decode(fs.read(ino, 0, fs.stat(ino).size));
}
let session: TerminalSession;

beforeEach(async () => {
  ({ fs } = await loadBaseImage());
  session = new TerminalSession(new Kernel(fs, new WasmLoader()));
  await session.login();
});

describe("line editing", () => {
  it("inserts where the cursor is moved with the arrow keys", async () => {
    await session.command(`echo helo${LEFT}l`);
    await session.waitFor(/^hello$/m);
  });

  it("Ctrl-A goes to the start of the line and Ctrl-E to its end", async () => {
    await session.command(`cho middle${CTRL("a")}e${CTRL("e")} end`);
    await session.waitFor(/^middle end$/m);
  });

  it("Ctrl-U deletes to the start of the line, Ctrl-K to its end", async () => {
    await session.command(`junk words${CTRL("u")}echo kept and gone${LEFT.repeat(9)}${CTRL("k")}`);
    await session.waitFor(/^kept$/m);
  });

  it("Ctrl-W deletes the word before the cursor", async () => {
    await session.command(`echo one two${CTRL("w")}three`);
    await session.waitFor(/^one three$/m);
  });

  it("Tab completes command names and paths", async () => {
    await session.command("ech\t /et\t");
    await session.waitFor(/^\/etc\/$/m);
  });

  it("Ctrl-R finds an earlier command by what it contains", async () => {
    await session.command("echo searchable-$((6*7))");
    await session.waitFor(/^searchable-42$/m);
    session.type(`${CTRL("r")}searchable`);
    await session.waitFor("echo searchable-");
    await session.command("");
    expect(session.text().match(/^searchable-42$/gm)?.length).toBe(2);
  });
});

describe("history", () => {
  it("is kept in ~/.ash_history and comes back in the next shell", async () => {
    await session.command("echo remembered-line");
    session.type(CTRL("d"));
    await session.kernel.waitFor(session.shell!);
    expect(readText(fs, "/root/.ash_history")).toContain("echo remembered-line");

    const again = new TerminalSession(new Kernel(fs, new WasmLoader()));
    await again.login();
    again.type(UP);
    await again.waitFor(/# echo remembered-line$/m);
  });
});

describe("signals from the keyboard", () => {
  it("Ctrl-C stops a shell loop that makes no system call, and the shell keeps its variables", async () => {
    await session.command("kept=yes");
    session.type("while :; do :; done\r");
    await new Promise((r) => setTimeout(r, 300));
    await session.keysThenPrompt(CTRL("c"));
    await session.command("echo kept=$kept");
    await session.waitFor(/^kept=yes$/m);
  });

  it("Ctrl-C stops a program writing as fast as it can", async () => {
    session.type("yes > /dev/null\r");
    await new Promise((r) => setTimeout(r, 300));
    await session.keysThenPrompt(CTRL("c"));
    await session.command("echo status=$?");
    await session.waitFor(/^status=130$/m);
  });

  it("Ctrl-Z stops a job; jobs lists it, fg brings it back and Ctrl-C ends it", async () => {
    session.type("sleep 100\r");
    await new Promise((r) => setTimeout(r, 200));
    await session.keysThenPrompt(CTRL("z"));
    await session.waitFor(/Stopped/);
    await session.command("jobs");
    await session.waitFor(/\[1\]\+ +Stopped +sleep 100/);
    session.type("fg\r");
    await session.waitFor(/^sleep 100$/m);
    await session.keysThenPrompt(CTRL("c"));
    await session.command("echo after=$?");
    await session.waitFor(/^after=130$/m);
  });

  it("bg lets a stopped job run on in the background", async () => {
    session.type("sleep 30\r");
    await new Promise((r) => setTimeout(r, 200));
    await session.keysThenPrompt(CTRL("z"));
    await session.command("bg");
    await session.command("jobs");
    await session.waitFor(/\[1\]\+ +Running +sleep 30/);
    await session.command("kill %1; wait; echo waited");
    await session.waitFor(/^waited$/m);
  });

  it("Ctrl-D ends a program's input", async () => {
    session.type("cat > /tmp/typed\r");
    // What is typed before cat runs would go to the shell's line editor.
    await new Promise((r) => setTimeout(r, 300));
    session.type("typed line\r");
    await session.keysThenPrompt(CTRL("d"));
    expect(readText(fs, "/tmp/typed")).toBe("typed line\n");
  });
});

describe("window size", () => {
  it("reaches programs (stty size) and follows a resize", async () => {
    await session.command("stty size");
    await session.waitFor(/^24 80$/m);
    session.tty.resize({ rows: 30, cols: 100 });
    session.screen.resize(100, 30);
    await session.command("stty size");
    await session.waitFor(/^30 100$/m);
  });
});

describe("full-screen programs", () => {
  it("vi fills the screen, edits a file and saves it", async () => {
    session.type("vi /tmp/note.txt\r");
    await session.waitFor(/^~\s*$/m);
    const rows = session.text().split("\n");
    // The tildes of empty lines reach the screen's last rows but one (the status line).
    expect(rows.length).toBeGreaterThanOrEqual(23);
    session.type("ihello from vi\x1b");
    await session.waitFor("hello from vi");
    await session.keysThenPrompt(":wq\r");
    expect(readText(fs, "/tmp/note.txt")).toBe("hello from vi\n");
  });

  it("less shows a screenful and pages on", async () => {
    session.type("seq 100 | less\r");
    await session.waitFor(/^23$/m);
    expect(session.text()).not.toMatch(/^24$/m);
    session.type(" ");
    await session.waitFor(/^46$/m);
    await session.keysThenPrompt("q");
  });

  it("top shows the processes on the whole screen and quits with q", async () => {
    session.type("top\r");
    await session.waitFor(/^\s+PID\s+PPID\s+USER\s+STAT\s+VSZ/m);
    await session.waitFor(/^\s*\d+\s+\d+\s+root\s+R\s+.*\btop$/m);
    await session.keysThenPrompt("q");
  });

  it("vi redraws for the new size when the window is resized", async () => {
    session.type("vi /tmp/other.txt\r");
    await session.waitFor(/^~\s*$/m);
    session.screen.resize(80, 40);
    session.tty.resize({ rows: 40, cols: 80 });
    await session.waitFor(() => session.text().split("\n").length >= 39);
    await session.keysThenPrompt(":q\r");
  });
});
