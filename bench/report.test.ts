import { describe, expect, it } from "vitest";
import { summarize, type Measurement } from "./measure.ts";
import { chart, markdown, rows, type Results } from "./report.ts";

const results = (measurements: Measurement[]): Results => ({
  started: "2026-11-23T00:00:00.000Z",
  machine: { cpu: "test" },
  runs: 5,
  quick: false,
  measurements,
});

describe("the benchmark report", () => {
  it("summarizes samples as median, min and max", () => {
    expect(summarize([5, 1, 3])).toEqual({ median: 3, min: 1, max: 5 });
    expect(summarize([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4 });
  });

  it("holds a figure to an absolute limit: met at or under it, missed over it", () => {
    const [met] = rows(
      results([
        {
          figure: "start.warm",
          subject: "overbox (browser)",
          unit: "ms",
          samples: [100, 150, 200],
        },
      ]),
    );
    expect(met).toMatchObject({ limit: 150, ratio: 1, met: true });
    const [missed] = rows(
      results([
        { figure: "start.cold", subject: "overbox (browser)", unit: "ms", samples: [1500] },
      ]),
    );
    expect(missed).toMatchObject({ limit: 1000, ratio: 1.5, met: false });
  });

  it("compares overbox in Firefox or WebKit with raw IndexedDB in the same browser, and that with nobody", () => {
    const table = rows(
      results([
        { figure: "persist.read", subject: "raw IndexedDB", unit: "MB/s", samples: [100] },
        { figure: "persist.read", subject: "overbox (WebKit)", unit: "MB/s", samples: [90] },
        { figure: "persist.read", subject: "raw IndexedDB (WebKit)", unit: "MB/s", samples: [180] },
      ]),
    );
    const of = (subject: string) => table.find((r) => r.subject === subject);
    expect(of("overbox (WebKit)")).toMatchObject({
      ratio: 0.5,
      compared: "raw IndexedDB (WebKit)",
    });
    expect(of("raw IndexedDB (WebKit)")?.ratio).toBeUndefined();
    expect(
      markdown(
        results(
          table.map((r) => ({
            figure: r.figure.id,
            subject: r.subject,
            unit: "MB/s",
            samples: [r.summary!.median],
          })),
        ),
      ),
    ).toContain("| 0.50× raw IndexedDB (WebKit) |");
  });

  it("holds a figure to a multiple of another subject's median in the same run", () => {
    const table = rows(
      results([
        { figure: "applet.sort", subject: "native busybox", unit: "ms", samples: [100, 100, 100] },
        { figure: "applet.sort", subject: "overbox (CLI)", unit: "ms", samples: [300, 300, 300] },
        { figure: "persist.write", subject: "raw IndexedDB", unit: "MB/s", samples: [100] },
        { figure: "persist.write", subject: "overbox (browser)", unit: "MB/s", samples: [60] },
      ]),
    );
    const sort = table.find((r) => r.figure.id === "applet.sort" && r.subject === "overbox (CLI)");
    expect(sort).toMatchObject({ limit: 150, ratio: 2, met: false });
    // The reference itself is shown beside it, compared with nothing.
    const native = table.find((r) => r.subject === "native busybox");
    expect(native?.met).toBeUndefined();
    const write = table.find(
      (r) => r.figure.id === "persist.write" && r.subject === "overbox (browser)",
    );
    expect(write).toMatchObject({ limit: 50, met: true });
    expect(write!.ratio).toBeCloseTo(1.2);
  });

  it("takes a target's reference from another figure when it names one", () => {
    const [, extra] = rows(
      results([
        { figure: "memory.image", subject: "overbox (browser)", unit: "MB", samples: [2] },
        { figure: "memory.extra", subject: "overbox (browser)", unit: "MB", samples: [5] },
      ]),
    );
    expect(extra).toMatchObject({ limit: 2, ratio: 2.5, met: false });
  });

  it("leaves a target unjudged when its reference was not measured", () => {
    const [row] = rows(
      results([{ figure: "applet.gzip", subject: "overbox (CLI)", unit: "ms", samples: [10] }]),
    );
    expect(row!.met).toBeUndefined();
    expect(row!.limit).toBeUndefined();
  });

  it("shows a comparison figure as a ratio to its compared subject, and a peer that cannot as its reason", () => {
    const measurements: Measurement[] = [
      { figure: "pipeline", subject: "native busybox", unit: "MB/s", samples: [400] },
      { figure: "pipeline", subject: "overbox (CLI)", unit: "MB/s", samples: [100] },
      {
        figure: "persist.small-write",
        subject: "lifo",
        unit: "ops/s",
        samples: [],
        note: "no sync",
      },
    ];
    const table = rows(results(measurements));
    expect(table.find((r) => r.subject === "overbox (CLI)")).toMatchObject({ ratio: 0.25 });
    expect(table.find((r) => r.subject === "lifo")!.summary).toBeUndefined();
    const md = markdown(results(measurements));
    expect(md).toContain(
      "| pipeline throughput | overbox (CLI) | 100 MB/s | 100 MB/s – 100 MB/s |  | 0.25× native busybox |",
    );
    expect(md).toContain("cannot: no sync");
    expect(chart(results(measurements))).toMatch(/^<svg[^]*<\/svg>\n$/);
  });
});
