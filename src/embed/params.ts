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
 * default.
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
    warnings,
  };
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
