/**
 * The workloads' input files, made the same way in Node and in the page
 * from a fixed seed, so that every subject reads the same bytes and their
 * outputs can be compared.
 */

/** mulberry32: a small, fast, seeded generator of 32-bit words. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** `size` pseudo-random bytes. */
export function randomBytes(size: number, seed = 1): Uint8Array {
  const next = generator(seed);
  const out = new Uint8Array(size);
  const words = new Uint32Array(out.buffer, 0, size >> 2);
  for (let i = 0; i < words.length; i++) words[i] = next();
  for (let i = words.length * 4; i < size; i++) out[i] = next() & 0xff;
  return out;
}

const WORDS =
  "the of and to in is was that for on with as by at from his her they which this be are not have had one all were but an their there been has more its who would can when into will no so out them some what only over about than other time could these two may first then any like now".split(
    " ",
  );

/** About `size` bytes of text: lines of pseudo-random words, cut at exactly `size`. */
export function text(size: number, seed = 2): Uint8Array {
  const next = generator(seed);
  const encoder = new TextEncoder();
  const out = new Uint8Array(size);
  let at = 0;
  while (at < size) {
    const n = 6 + (next() % 10);
    const line: string[] = [];
    for (let i = 0; i < n; i++) line.push(WORDS[next() % WORDS.length]!);
    const bytes = encoder.encode(line.join(" ") + "\n");
    out.set(bytes.subarray(0, size - at), at);
    at += bytes.length;
  }
  return out;
}

/** `lines` pseudo-random integers below `limit`, one per line. */
export function integers(lines: number, limit: number, seed = 3): Uint8Array {
  const next = generator(seed);
  const parts: string[] = [];
  for (let i = 0; i < lines; i++) parts.push(String(next() % limit));
  return new TextEncoder().encode(parts.join("\n") + "\n");
}
