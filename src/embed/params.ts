/**
 * The embed's URL parameters, read once at start:
 *
 *   embed.html?container=docs&theme=light&fontSize=13&command=ls%20-l
 *             &readonly=1&origins=https://docs.example
 *
 * image (default busybox); container, a name or "ephemeral" (the
 * default: in memory, thrown away); command, typed into the shell once it
 * is up; readonly (1 or true), open it read-only: changes are not saved;
 * theme, dark or light; fontSize, in pixels; origins, the host pages
 * allowed to use the postMessage API (src/embed-protocol.ts), none by
 * default; network (1 or true), HTTP out to the web through the page's
 * fetch, off by default and taken only from a page `origins` names (or
 * with the embed opened as a page of its own: see networkAllowed);
 * proxy, a CORS proxy prefix for that HTTP (an http(s) URL); preview,
 * a container's TCP port and a path (`8080` or `8080/docs/`) shown under
 * the terminal once a server listens there (the site's /ports/N/...).
 * Unknown parameters are ignored; a malformed value is replaced by its
 * default and said in `warnings`.
 */

export interface EmbedParams {
  image: string;
  /** "ephemeral" (the default), or a name. */
  container: string;
  /** Typed into the terminal's shell once it is up; empty for none. */
  command: string;
  readOnly: boolean;
  theme: "dark" | "light";
  fontSize: number;
  /** The host pages' origins allowed to use the API; empty: the API is off. */
  origins: string[];
  /** HTTP out through the page's fetch was asked for (see networkAllowed). */
  network: boolean;
  /** A CORS proxy prefix, or "" for none. */
  proxy: string;
  /** The port shown under the terminal, and the path from "/"; null for none. */
  preview: { port: number; path: string } | null;
  warnings: string[];
}

export const EPHEMERAL = "ephemeral";
/**
 * Named embed containers are stored as `embed.NAME`: a link anywhere on the
 * web can open embed.html with a `command` (as a top-level page, which
 * has this site's storage), and must not reach the playground's containers.
 */
export const CONTAINER_PREFIX = "embed.";

const FONT_SIZES = { min: 6, max: 48, default: 14 };

export function parseEmbedParams(search: string): EmbedParams {
  const q = new URLSearchParams(search);
  const warnings: string[] = [];
  const theme = q.get("theme") ?? "dark";
  if (theme !== "dark" && theme !== "light") warnings.push(`theme ${theme}: dark or light`);
  return {
    image: q.get("image") || "busybox",
    container: q.get("container") || EPHEMERAL,
    command: q.get("command") ?? "",
    readOnly: ["1", "true"].includes(q.get("readonly") ?? ""),
    theme: theme === "light" ? "light" : "dark",
    fontSize: fontSize(q.get("fontSize"), warnings),
    origins: origins(q.get("origins"), warnings),
    network: ["1", "true"].includes(q.get("network") ?? ""),
    proxy: proxy(q.get("proxy"), warnings),
    preview: preview(q.get("preview"), warnings),
    warnings,
  };
}

function proxy(value: string | null, warnings: string[]): string {
  if (!value) return "";
  try {
    const u = new URL(value);
    if (u.protocol === "http:" || u.protocol === "https:") return value;
  } catch {
    // Not a URL: refused below.
  }
  warnings.push(`proxy ${value}: not an http(s) URL, ignored`);
  return "";
}

function preview(value: string | null, warnings: string[]): EmbedParams["preview"] {
  if (!value) return null;
  const m = /^(\d{1,5})(\/[^\s#]*)?$/.exec(value);
  const port = Number(m?.[1]);
  if (m && port >= 1 && port <= 65535) return { port, path: m[2] ?? "/" };
  warnings.push(`preview ${value}: a port from 1 to 65535, and a path from / (8080/docs/)`);
  return null;
}

/**
 * Whether the embed may reach the web: only if `network` asks, and either
 * the embed is a page of its own (whoever opened it sees what it runs) or
 * the page framing it is one `origins` names. `embedder` is that page's
 * origin, as far as the browser tells (null when it does not).
 */
export function networkAllowed(
  params: EmbedParams,
  framed: boolean,
  embedder: string | null,
): boolean {
  if (!params.network) return false;
  if (!framed) return true;
  return embedder !== null && params.origins.includes(embedder);
}

function fontSize(value: string | null, warnings: string[]): number {
  if (value === null) return FONT_SIZES.default;
  const n = Number(value);
  if (Number.isFinite(n) && n >= FONT_SIZES.min && n <= FONT_SIZES.max) return n;
  warnings.push(`fontSize ${value}: a number from ${FONT_SIZES.min} to ${FONT_SIZES.max}`);
  return FONT_SIZES.default;
}

/**
 * A comma-separated list of origins (`https://docs.example`); a URL is
 * taken for its origin. "*" and opaque origins ("null", file:) are
 * refused: each would let pages nobody chose drive the container.
 */
function origins(value: string | null, warnings: string[]): string[] {
  const out: string[] = [];
  for (const item of (value ?? "").split(",").map((s) => s.trim())) {
    if (item === "") continue;
    let origin = "null";
    try {
      origin = new URL(item).origin;
    } catch {
      // Not a URL: refused below.
    }
    if (origin === "null") warnings.push(`origin ${item}: not an http(s) origin, ignored`);
    else if (!out.includes(origin)) out.push(origin);
  }
  return out;
}

/**
 * The program a start command runs first: its first word, past variable
 * assignments (`LANG=C python3 -q` runs python3). None for an empty
 * command; a builtin or a word of shell syntax is simply not found.
 */
export function commandProgram(command: string): string[] {
  const words = command.trim().split(/\s+/);
  const first = words.find((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w));
  return first ? [first] : [];
}
