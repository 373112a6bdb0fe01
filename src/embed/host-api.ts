/**
 * The embed's end of the postMessage API (src/embed-protocol.ts): it
 * decides whom to listen to, acts on requests with the Sandbox, and posts
 * replies and events to the host page.
 */
import type {
  EmbedEvent,
  EmbedReply,
  EmbedRequest,
  ExecRequest,
  RequestId,
} from "../embed-protocol.ts";
import type { Sandbox } from "../index.ts";
import { BadRequest, isOurs, parseRequest } from "./requests.ts";

/** Omit over each member of a union (plain Omit keeps only the keys all members share). */
type Without<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type Reply = Without<EmbedReply, "overbox" | "id">;
type HostEvent = Without<EmbedEvent, "overbox">;

/**
 * Listens to messages from the moment it is made. Acts only on a request
 * from the parent window on an allowed origin; any other message of ours
 * is ignored (a warning on the console says why) and nothing is posted
 * in answer. Each request gets one reply, to the origin it came from;
 * events go to the parent on each allowed origin (`post`).
 */
export class HostApi {
  /** The host page: the parent window, or null when the embed is not in a frame. */
  private readonly parent: Window | null = window.parent === window ? null : window.parent;

  /**
   * `origins`: the host origins allowed (the `origins` parameter); empty
   * turns the API off. `box`: the container, once open; requests that
   * come before wait for it.
   */
  constructor(
    private readonly origins: string[],
    private readonly box: Promise<Sandbox>,
  ) {
    addEventListener("message", (e) => this.receive(e));
  }

  /** Whether anyone may use the API: the embed is in a frame and `origins` names its host. */
  get enabled(): boolean {
    return this.parent !== null && this.origins.length > 0;
  }

  /**
   * Posts an event to the host page, once per allowed origin: the browser
   * delivers only the copy whose targetOrigin is the parent's origin, so a
   * parent on another origin gets nothing.
   */
  post(event: HostEvent): void {
    if (!this.enabled) return;
    for (const origin of this.origins) this.parent?.postMessage({ overbox: 1, ...event }, origin);
  }

  private receive(e: MessageEvent): void {
    if (!isOurs(e.data)) return;
    // Ignored, never answered: a message from anyone but the parent, or
    // from an origin the embedding page did not allow. Said on the
    // console, for the developer of the host page.
    if (!this.enabled) {
      console.warn(`overbox embed: a message from ${e.origin} was ignored: the API is off`);
      return;
    }
    if (e.source !== this.parent || !this.origins.includes(e.origin)) {
      console.warn(`overbox embed: a message from ${e.origin} was ignored: not an allowed origin`);
      return;
    }
    const answer = (id: RequestId | null, reply: Reply) =>
      this.parent?.postMessage({ overbox: 1, id, ...reply }, e.origin);
    let request: EmbedRequest;
    try {
      request = parseRequest(e.data);
    } catch (err) {
      if (err instanceof BadRequest) answer(err.id, { type: "error", message: err.message });
      return;
    }
    this.act(request, (reply) => answer(request.id, reply), e.origin).catch((err: unknown) =>
      answer(request.id, {
        type: "error",
        message: err instanceof Error ? err.message : String(err),
      }),
    );
  }

  /** Does what `r` asks and replies once (a failure throws instead). */
  private async act(r: EmbedRequest, reply: (reply: Reply) => void, origin: string): Promise<void> {
    const box = await this.box;
    switch (r.type) {
      case "exec": {
        if (r.stream) return this.stream(box, r, reply, origin);
        const { exitCode, stdout, stderr } = await box.exec(r.command, {
          ...where(r),
          ...(r.stdin !== undefined ? { stdin: r.stdin } : {}),
        });
        return reply({ type: "result", exitCode, stdout, stderr });
      }
      case "readFile": {
        const data =
          r.as === "bytes" ? await box.fs.readFile(r.path) : await box.fs.readTextFile(r.path);
        return reply({ type: "result", data });
      }
      case "writeFile":
        await box.fs.writeFile(r.path, r.data);
        return reply({ type: "result" });
      case "reset":
        await box.reset();
        return reply({ type: "result" });
      case "input":
        await box.input(r.data);
        return reply({ type: "result" });
    }
  }

  /**
   * Starts a streamed exec and replies with its pid; its output then goes
   * to the host that asked, as `stdout` and `stderr` events, and its
   * status last, as `exit`.
   */
  private async stream(
    box: Sandbox,
    r: ExecRequest,
    reply: (reply: Reply) => void,
    origin: string,
  ): Promise<void> {
    const args = typeof r.command === "string" ? ["sh", "-c", r.command] : r.command;
    const p = await box.spawn(args, where(r));
    reply({ type: "result", pid: p.pid });
    const send = (event: HostEvent) => this.parent?.postMessage({ overbox: 1, ...event }, origin);
    const pump = async (stream: ReadableStream<Uint8Array>, type: "stdout" | "stderr") => {
      const decoder = new TextDecoder();
      const reader = stream.getReader();
      for (let c = await reader.read(); !c.done; c = await reader.read()) {
        const data = decoder.decode(c.value, { stream: true });
        if (data) send({ type, id: r.id, data });
      }
      const last = decoder.decode();
      if (last) send({ type, id: r.id, data: last });
    };
    const writer = p.stdin.getWriter();
    void (async () => {
      if (r.stdin !== undefined) await writer.write(r.stdin);
      await writer.close();
    })().catch(() => undefined); // The program may end without reading its stdin.
    void Promise.all([pump(p.stdout, "stdout"), pump(p.stderr, "stderr"), p.exited]).then(
      ([, , exitCode]) => send({ type: "exit", id: r.id, exitCode }),
    );
  }
}

/** An exec's working directory and environment. */
function where(r: ExecRequest): { cwd?: string; env?: Record<string, string> } {
  return {
    ...(r.cwd !== undefined ? { cwd: r.cwd } : {}),
    ...(r.env !== undefined ? { env: r.env } : {}),
  };
}
