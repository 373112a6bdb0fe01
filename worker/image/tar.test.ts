import { describe, expect, it } from "vitest";
import { buildLayer } from "./layer.ts";
import { readTar } from "./tar.ts";

/** A minimal ustar archive of the given entries (name, typeflag, body, linkname). */
function tar(
  entries: Array<{ name: string; type?: string; body?: string; link?: string }>,
): Uint8Array {
  const blocks: Uint8Array[] = [];
  const enc = new TextEncoder();
  for (const e of entries) {
    const body = enc.encode(e.body ?? "");
    const h = new Uint8Array(512);
    const put = (offset: number, s: string) => h.set(enc.encode(s), offset);
    put(0, e.name);
    put(100, "0000644\0");
    put(108, "0000000\0");
    put(116, "0000000\0");
    put(124, body.length.toString(8).padStart(11, "0") + "\0");
    put(136, "00000000000\0");
    put(156, e.type ?? "0");
    put(157, e.link ?? "");
    put(257, "ustar\0");
    put(263, "00");
    put(148, "        ");
    const sum = h.reduce((a, b) => a + b, 0);
    put(148, sum.toString(8).padStart(6, "0") + "\0 ");
    blocks.push(h, new Uint8Array(Math.ceil(body.length / 512) * 512).fill(0));
    blocks[blocks.length - 1]!.set(body);
  }
  blocks.push(new Uint8Array(1024));
  const out = new Uint8Array(blocks.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of blocks) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

describe("tar to layer", () => {
  it("turns OCI whiteouts into whiteout entries and opaque directories", async () => {
    const layer = await buildLayer(
      readTar(
        tar([
          { name: "etc/", type: "5" },
          { name: "etc/.wh.motd" },
          { name: "var/.wh..wh..opq" },
          { name: "var/new", body: "x" },
        ]),
      ),
    );
    expect(layer.index.entries.map((e) => [e.path, e.type, e.opaque ?? false])).toEqual([
      ["etc", "directory", false],
      ["etc/motd", "whiteout", false],
      ["var", "directory", true],
      ["var/new", "file", false],
    ]);
  });

  it.each([
    ["a path with ..", [{ name: "../escape", body: "x" }], /escapes the root/],
    ["an absolute path", [{ name: "/etc/passwd", body: "x" }], /absolute path/],
    [
      "a hard link out of the layer",
      [{ name: "h", type: "1", link: "../../etc/shadow" }],
      /escapes the root/,
    ],
    [
      "a hard link to a missing file",
      [{ name: "h", type: "1", link: "nothing" }],
      /not a file of this layer/,
    ],
  ])("refuses %s, building nothing", async (_what, entries, message) => {
    await expect(buildLayer(readTar(tar(entries)))).rejects.toThrow(message);
  });

  it("refuses what is not a tar archive", () => {
    expect(() => readTar(new TextEncoder().encode("not a tar".padEnd(600, "!")))).toThrow(
      /not a tar archive/,
    );
  });
});

describe("hard links in a layer", () => {
  it("put the data under the first name in layer order, whatever the source's order", async () => {
    // In the tar, "z" holds the data and "a" links to it; "a" sorts first.
    const layer = await buildLayer(
      readTar(
        tar([
          { name: "z", body: "shared" },
          { name: "a", type: "1", link: "z" },
        ]),
      ),
    );
    expect(layer.index.entries.map((e) => [e.path, e.type, e.target ?? e.size])).toEqual([
      ["a", "file", 6],
      ["z", "hardlink", "a"],
    ]);
  });
});
