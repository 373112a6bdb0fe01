import { describe, expect, it } from "vitest";
import { ErrnoError } from "../errno.ts";
import { WouldBlock, retrying } from "../vfs/would-block.ts";
import { Pipe } from "./pipe.ts";

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

function outcome(call: () => unknown): string {
  try {
    call();
    return "ok";
  } catch (e) {
    if (e instanceof WouldBlock) return "would block";
    if (e instanceof ErrnoError) return e.errno;
    throw e;
  }
}

describe("pipes", () => {
  it("hand bytes from the write end to the read end in order", () => {
    const [r, w] = new Pipe().ends();
    w.write(bytes("hello "));
    w.write(bytes("world"));
    expect(text(r.read(3))).toBe("hel");
    expect(text(r.read(100))).toBe("lo world");
  });

  it("block a reader on an empty pipe until a write, and give end-of-file when the writers are gone", async () => {
    const [r, w] = new Pipe().ends();
    expect(outcome(() => r.read(10))).toBe("would block");
    const reading = retrying(() => r.read(10));
    await Promise.resolve();
    w.write(bytes("late"));
    expect(text(await reading)).toBe("late");
    const writer2 = w.hold();
    w.drop();
    expect(outcome(() => r.read(10))).toBe("would block"); // one write end still open
    writer2.drop();
    expect(r.read(10)).toHaveLength(0);
  });

  it("stay bounded: a writer fills the buffer, writes in part, then waits for the reader", async () => {
    const pipe = new Pipe(8);
    const [r, w] = pipe.ends();
    expect(w.write(bytes("0123456789"))).toBe(8);
    expect(outcome(() => w.write(bytes("x")))).toBe("would block");
    const writing = retrying(() => w.write(bytes("89")));
    expect(text(r.read(4))).toBe("0123");
    expect(await writing).toBe(2);
    expect(pipe.available).toBe(6);
  });

  it("answer EPIPE to a writer once the readers are gone, and wake a waiting writer", async () => {
    const pipe = new Pipe(4);
    const [r, w] = pipe.ends();
    w.write(bytes("full"));
    const writing = retrying(() => w.write(bytes("more"))).catch((e: ErrnoError) => e.errno);
    r.drop();
    expect(await writing).toBe("EPIPE");
    expect(outcome(() => w.write(bytes("x")))).toBe("EPIPE");
  });

  it("say EAGAIN instead of waiting when non-blocking", () => {
    const [r, w] = new Pipe(1).ends();
    (r as unknown as { nonblocking: boolean }).nonblocking = true;
    (w as unknown as { nonblocking: boolean }).nonblocking = true;
    expect(outcome(() => r.read(1))).toBe("EAGAIN");
    w.write(bytes("a"));
    expect(outcome(() => w.write(bytes("b")))).toBe("EAGAIN");
  });

  it("are fifos to stat, and each end is readable or writable only", () => {
    const [r, w] = new Pipe().ends();
    expect(r.stat().type).toBe("fifo");
    expect(r.stat().ino).toBe(w.stat().ino);
    expect(outcome(() => r.write(bytes("x")))).toBe("EBADF");
    expect(outcome(() => w.read(1))).toBe("EBADF");
  });
});
