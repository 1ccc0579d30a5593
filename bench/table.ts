// The result table: one row per figure line, one column per system (medians of the reps),
// then jobstar's ratio to each other column, in words as well as numbers.
import { median } from "./stats.js";

/** What a row measures. */
export interface RowSpec {
  readonly label: string;
  readonly unit: string;
  /** Whether a larger value is better (rates) or worse (latencies, memory). */
  readonly higherIsBetter: boolean;
  /** Words for "jobstar is worse / better", default slower / faster. */
  readonly words?: readonly [string, string];
}

/** A row and the values of each rep, by column. */
export interface Row {
  readonly spec: RowSpec;
  readonly values: Map<string, number[]>;
  readonly notes: Set<string>;
}

/** jobstar ÷ `other` and what that means for jobstar, e.g. "0.27 (3.7× slower)". */
export function ratio(spec: RowSpec, jobstar: number, other: number): string {
  if (!Number.isFinite(jobstar) || !Number.isFinite(other) || other === 0 || jobstar === 0) return "–";
  const r = jobstar / other;
  const [worse, better] = spec.words ?? ["slower", "faster"];
  const jobstarBetter = spec.higherIsBetter ? r > 1 : r < 1;
  const factor = r >= 1 ? r : 1 / r;
  return `${round(r)} (${round(factor)}× ${jobstarBetter ? better : worse})`;
}

function round(x: number): string {
  if (Math.abs(x) >= 100) return x.toFixed(0);
  if (Math.abs(x) >= 10) return x.toFixed(1);
  if (Math.abs(x) >= 0.01 || x === 0) return x.toFixed(2);
  return x.toPrecision(2);
}

function cell(spec: RowSpec, values: number[] | undefined): string {
  if (!values?.length) return "";
  return `${round(median(values))} ${spec.unit}`;
}

/** The header and cells of the table, the columns in the order given (jobstar first). */
export function tableCells(rows: readonly Row[], columns: readonly string[]): string[][] {
  const others = columns.filter((c) => c !== "jobstar");
  const header = ["figure", ...columns, ...others.map((c) => `jobstar ÷ ${c}`)];
  const lines = rows.map((row) => {
    const j = median(row.values.get("jobstar") ?? []);
    const label = [row.spec.label, ...row.notes].join(" ");
    return [
      label,
      ...columns.map((c) => cell(row.spec, row.values.get(c))),
      ...others.map((c) =>
        row.values.get(c)?.length ? ratio(row.spec, j, median(row.values.get(c) ?? [])) : "",
      ),
    ];
  });
  return [header, ...lines];
}

/** Fixed-width text for the terminal. */
export function formatText(cells: string[][]): string {
  const widths = (cells[0] ?? []).map((_, i) => Math.max(...cells.map((line) => (line[i] ?? "").length)));
  return cells.map((line) => line.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ")).join("\n");
}

/** A Markdown table, its columns padded as the repository's formatter (Biome) pads them. */
export function formatMarkdown(cells: string[][]): string {
  const [header = [], ...body] = cells;
  const widths = header.map((_, i) => Math.max(3, ...cells.map((line) => (line[i] ?? "").length)));
  const line = (c: string[]) => `| ${c.map((x, i) => x.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}

/** Each row's values of every rep, for the record under the table. */
export function formatReps(rows: readonly Row[]): string {
  return rows
    .map((row) => {
      const parts = [...row.values].map(([c, v]) => `${c} ${v.map((x) => round(x)).join(", ")}`);
      return `- ${row.spec.label} (${row.spec.unit}): ${parts.join("; ")}`;
    })
    .join("\n");
}
