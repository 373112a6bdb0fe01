/**
 * The suite's results, set beside the targets of figures.ts: the JSON
 * record, a Markdown table and an SVG chart (bench/results/latest.*).
 */
import { FIGURES, type Figure } from "./figures.ts";
import { comparedIn, summarize, type Measurement, type Subject, type Summary } from "./measure.ts";

export interface Results {
  /** ISO time the run started. */
  started: string;
  /** The machine and the software measured on it. */
  machine: Record<string, string>;
  /** Repetitions per figure. */
  runs: number;
  /** Whether workloads were cut down (`--quick`): such results are not the issue's figures. */
  quick: boolean;
  measurements: Measurement[];
}

/** One line of the report: a figure for a subject, its summary, and how it stands against its target. */
export interface Row {
  figure: Figure;
  subject: Subject;
  summary?: Summary;
  note?: string;
  /** The target's limit in the figure's unit, as resolved in this run. */
  limit?: number;
  /** median / limit (targets), or median / the compared subject's median (comparisons). */
  ratio?: number;
  /** Whether the target is met; undefined for comparisons and for missing figures. */
  met?: boolean;
  /** Who the ratio of a comparison is to. */
  compared?: Subject;
}

export function rows(results: Results): Row[] {
  const median = (figure: string, subject: Subject): number | undefined => {
    const m = results.measurements.find((x) => x.figure === figure && x.subject === subject);
    return m && m.samples.length ? summarize(m.samples).median : undefined;
  };
  const out: Row[] = [];
  for (const figure of FIGURES) {
    for (const m of results.measurements.filter((x) => x.figure === figure.id)) {
      const row: Row = { figure, subject: m.subject, note: m.note };
      out.push(row);
      if (!m.samples.length) continue;
      row.summary = summarize(m.samples);
      const target = figure.target;
      if (target?.for.includes(m.subject)) {
        const base = target.of ? median(target.of.figure ?? figure.id, target.of.subject) : 1;
        if (base === undefined) continue;
        row.limit = target.limit * base;
        row.ratio = row.summary.median / row.limit;
        row.met = target.bound === "max" ? row.ratio <= 1 : row.ratio >= 1;
      } else {
        const named = target?.of?.subject ?? figure.compare;
        const compare = named && comparedIn(m.subject, named);
        const base = compare && compare !== m.subject ? median(figure.id, compare) : undefined;
        if (base) {
          row.ratio = row.summary.median / base;
          row.compared = compare;
        }
      }
    }
  }
  return out;
}

/** A number as the report prints it: three significant digits, grouped thousands. */
export function formatValue(value: number, unit: string): string {
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  const text = value.toLocaleString("en-US", {
    maximumFractionDigits: unit === "bytes" ? 0 : digits,
  });
  return `${text} ${unit}`;
}

function ratioText(row: Row): string {
  if (row.ratio === undefined) return "";
  const r = `${row.ratio.toFixed(2)}×`;
  if (row.met !== undefined) return `${r} of target ${row.met ? "✓" : "✗"}`;
  return `${r} ${row.compared}`;
}

export function markdown(results: Results): string {
  const lines = [
    `Run of ${results.started}${results.quick ? " (quick: cut-down workloads, not the issue's figures)" : ""}; ` +
      `median of ${results.runs} runs, min–max beside it.`,
    "",
    "| figure | subject | median | min–max | target | ratio |",
    "| --- | --- | ---: | ---: | --- | --- |",
  ];
  for (const row of rows(results)) {
    const unit = row.figure.unit;
    const target = row.figure.target;
    const targetText =
      target && target.for.includes(row.subject)
        ? `${target.text}${target.of && row.limit !== undefined ? ` (${formatValue(row.limit, unit)})` : ""}`
        : "";
    const cells = row.summary
      ? [
          formatValue(row.summary.median, unit),
          `${formatValue(row.summary.min, unit)} – ${formatValue(row.summary.max, unit)}`,
        ]
      : [`cannot: ${row.note ?? "not measured"}`, ""];
    lines.push(
      `| ${row.figure.title} | ${row.subject} | ${cells.join(" | ")} | ${targetText} | ${ratioText(row)} |`,
    );
  }
  lines.push(
    "",
    "Machine: " +
      Object.entries(results.machine)
        .map(([k, v]) => `${k} ${v}`)
        .join("; ") +
      ".",
  );
  const notes = results.measurements.filter((m) => m.samples.length && m.note);
  if (notes.length) {
    lines.push("", "Notes:", "");
    for (const m of notes) lines.push(`- ${m.figure}, ${m.subject}: ${m.note}`);
  }
  return lines.join("\n") + "\n";
}

const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * Each figure with a target as a bar of how it stands against it, on a log
 * scale: 1 is the target, longer is better (limit / median for an upper
 * limit, median / limit for a lower one). Then the comparisons, as the
 * subject's standing against the compared one, the same way round.
 */
export function chart(results: Results): string {
  const all = rows(results).filter((r) => r.ratio !== undefined);
  const score = (r: Row) =>
    (
      r.figure.target && r.met !== undefined
        ? r.figure.target.bound === "max"
        : r.figure.better === "lower"
    )
      ? 1 / r.ratio!
      : r.ratio!;
  const sections: [string, Row[]][] = [
    [
      "against the targets (1 = the target; right of it is met)",
      all.filter((r) => r.met !== undefined),
    ],
    [
      "against native busybox or the named peer (1 = as fast; right of it is faster)",
      all.filter((r) => r.met === undefined),
    ],
  ];
  const width = 1080;
  const labelWidth = 500;
  const valueWidth = 170;
  const plot = width - labelWidth - valueWidth;
  const rowHeight = 20;
  const decades = 4; // 1/100 … 100
  const x = (s: number) =>
    labelWidth + (plot * (Math.log10(Math.min(Math.max(s, 1e-2), 1e2)) + decades / 2)) / decades;
  const parts: string[] = [];
  let y = 10;
  for (const [title, list] of sections) {
    if (!list.length) continue;
    parts.push(`<text x="8" y="${y + 14}" font-weight="bold">${escape(title)}</text>`);
    y += 24;
    const top = y;
    for (const r of list) {
      const s = score(r);
      const colour =
        r.met === undefined ? (s >= 1 ? "#4a7fb5" : "#b58a4a") : r.met ? "#3c9a5f" : "#c0463c";
      const left = Math.min(x(1), x(s));
      parts.push(
        `<text x="${labelWidth - 6}" y="${y + 14}" text-anchor="end">${escape(`${r.figure.title} — ${r.subject}`)}</text>`,
        `<rect x="${left.toFixed(1)}" y="${y + 4}" width="${Math.abs(x(s) - x(1)).toFixed(1)}" height="${rowHeight - 8}" fill="${colour}"/>`,
        `<text x="${labelWidth + plot + 6}" y="${y + 14}">${escape(`${formatValue(r.summary!.median, r.figure.unit)} (${s >= 1 ? "" : "1/"}${(s >= 1 ? s : 1 / s).toFixed(2)})`)}</text>`,
      );
      y += rowHeight;
    }
    for (let d = -decades / 2; d <= decades / 2; d++) {
      const gx = x(10 ** d);
      parts.push(
        `<line x1="${gx}" y1="${top}" x2="${gx}" y2="${y}" stroke="${d === 0 ? "#222" : "#ccc"}" stroke-width="${d === 0 ? 1.5 : 1}"/>`,
        `<text x="${gx}" y="${y + 14}" text-anchor="middle" fill="#666">${d < 0 ? `1/${10 ** -d}` : 10 ** d}</text>`,
      );
    }
    y += 30;
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    ...parts,
    "</svg>",
    "",
  ].join("\n");
}
