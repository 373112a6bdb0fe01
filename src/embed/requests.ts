/**
 * Checks that a message from the host is a well-formed request
 * (src/embed-protocol.ts): the host is another program, so each field is
 * checked before it reaches the container.
 */
import type { EmbedRequest, RequestId } from "../embed-protocol.ts";

/** A message that is ours (`overbox: 1`) but not a request the embed can act on. */
export class BadRequest extends Error {
  constructor(
    readonly id: RequestId | null,
    message: string,
  ) {
    super(`EINVAL: ${message}`);
  }
}

/** Whether `data` is a message of the protocol at all (others are not ours to answer). */
export function isOurs(data: unknown): data is { overbox: 1 } {
  return isObject(data) && data.overbox === 1;
}

/** The request `data` is; throws BadRequest if it is not one. */
export function parseRequest(data: { overbox: 1 }): EmbedRequest {
  const m = data as Record<string, unknown>;
  const id = typeof m.id === "string" || typeof m.id === "number" ? m.id : null;
  const bad = (message: string): never => {
    throw new BadRequest(id, message);
  };
  if (id === null) bad("a request needs an id (a string or a number)");
  switch (m.type) {
    case "exec":
      if (!isCommand(m.command)) bad("exec: command is a string or an array of strings");
      if (m.stdin !== undefined && !isData(m.stdin)) bad("exec: stdin is a string or bytes");
      if (m.cwd !== undefined && typeof m.cwd !== "string") bad("exec: cwd is a string");
      if (m.env !== undefined && !isEnv(m.env)) bad("exec: env maps names to strings");
      if (m.stream !== undefined && typeof m.stream !== "boolean") bad("exec: stream is a boolean");
      break;
    case "readFile":
      if (typeof m.path !== "string") bad("readFile: path is a string");
      if (m.as !== undefined && m.as !== "text" && m.as !== "bytes") {
        bad('readFile: as is "text" or "bytes"');
      }
      break;
    case "writeFile":
      if (typeof m.path !== "string") bad("writeFile: path is a string");
      if (!isData(m.data)) bad("writeFile: data is a string or bytes");
      break;
    case "input":
      if (typeof m.data !== "string") bad("input: data is a string");
      break;
    case "reset":
      break;
    default:
      bad(`unknown request type ${JSON.stringify(m.type)}`);
  }
  return m as unknown as EmbedRequest;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null;
}

function isCommand(v: unknown): v is string | string[] {
  return (
    typeof v === "string" ||
    (Array.isArray(v) && v.length > 0 && v.every((a) => typeof a === "string"))
  );
}

function isData(v: unknown): v is string | Uint8Array {
  return typeof v === "string" || v instanceof Uint8Array;
}

function isEnv(v: unknown): v is Record<string, string> {
  return isObject(v) && Object.values(v).every((s) => typeof s === "string");
}
