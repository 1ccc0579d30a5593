// `npm run bench [-- --quick] [-- --only <figure>[,<figure>]] [-- --reps <n>]`: jobstar and
// its peers (raw graphile-worker, pg-boss, BullMQ) measured in the same run, interleaved,
// on one PostgreSQL server; prints medians of the reps and jobstar's ratio to each peer,
// and writes the same table to bench/results/latest.md.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { stopAllChildren } from "./children.js";
import { type DatabaseServer, openDatabaseServer } from "./database.js";
import { type BenchContext, type Figure, figuresOf } from "./figures/index.js";
import { redisVersion, removeLeftoverQueues } from "./peers/bullmq.js";
import { peersAvailable } from "./peers/index.js";
import { formatMarkdown, formatReps, formatText, type Row, tableCells } from "./table.js";

const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    reps: { type: "string", default: "3" },
  },
});
const reps = Number(args.reps);
if (!Number.isInteger(reps) || reps < 1) throw new Error("--reps must be a positive integer");
const only = args.only?.split(",");

let server: DatabaseServer | null = null;
const stop = async () => {
  await stopAllChildren();
  await removeLeftoverQueues().catch((error: unknown) => console.error("bench: Redis cleanup failed", error));
  await server?.close().catch((error: unknown) => console.error("bench: cleanup failed", error));
};
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => void stop().then(() => process.exit(130)));
}

const began = performance.now();
try {
  server = await openDatabaseServer();
  const { peers, notes } = await peersAvailable();
  const ctx: BenchContext = { server, peers, quick: args.quick };
  const all = figuresOf(ctx);
  const unknown = only?.filter((key) => !all.some((f) => f.key === key)) ?? [];
  if (unknown.length > 0) {
    throw new Error(
      `--only: no figure ${unknown.join(", ")}; figures: ${[...new Set(all.map((f) => f.key))].join(", ")}`,
    );
  }
  const figures = all.filter((f) => !only || only.includes(f.key));
  const environment = [
    `node ${process.version}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, load ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
    `PostgreSQL: ${server.description}: ${server.version}`,
    `Redis: ${(await redisVersion()) ?? "not reachable"} at 127.0.0.1:6379`,
    `${args.quick ? "quick run" : "full run"}, medians of ${reps} reps, systems interleaved within each rep`,
    ...notes,
  ];
  console.error(environment.join("\n"));
  const rows = await measureAll(figures, reps);
  const columns = [...new Set(rows.flatMap((r) => [...r.values.keys()]))];
  const cells = tableCells(rows, columns);
  const footnotes = [...new Set(figures.flatMap((f) => (f.footnote ? [f.footnote] : [])))];
  const seconds = ((performance.now() - began) / 1000).toFixed(0);
  console.log(
    `\n${environment.join("\n")}\n\n${formatText(cells)}\n\n${footnotes.join("\n")}\n\nreps:\n${formatReps(rows)}\n(${seconds} s)`,
  );
  const file = path.join(import.meta.dirname, "results", "latest.md");
  await fs.mkdir(path.dirname(file), { recursive: true });
  const command = `npm run bench${args.quick ? " -- --quick" : ""}`;
  await fs.writeFile(
    file,
    `${new Date().toISOString()}, \`${command}\`, ${seconds} s\n\n${environment.map((e) => `- ${e}`).join("\n")}\n\n` +
      `${formatMarkdown(cells)}\n\n${footnotes.map((f) => `- ${f}`).join("\n")}\n\nValues of each rep:\n\n${formatReps(rows)}\n`,
  );
  console.log(`written to ${path.relative(process.cwd(), file)}`);
} finally {
  await stop();
}
process.exit(0);

/** Each figure in turn; within it, each rep runs every system once, in order. */
async function measureAll(figures: readonly Figure[], reps: number): Promise<Row[]> {
  const rows = new Map<string, Row>();
  for (const figure of figures) {
    const began = performance.now();
    for (let rep = 0; rep < reps; rep++) {
      for (const contender of figure.contenders) {
        const samples = await contender.measure();
        for (const sample of samples) {
          let row = rows.get(sample.row.label);
          if (!row) {
            row = { spec: sample.row, values: new Map(), notes: new Set() };
            rows.set(sample.row.label, row);
          }
          if (sample.note) row.notes.add(sample.note);
          row.values.set(contender.column, [...(row.values.get(contender.column) ?? []), sample.value]);
        }
        const summary = samples.map((s) => `${s.value.toFixed(1)} ${s.row.unit}`).join(", ");
        console.error(`[${figure.key} rep ${rep + 1}/${reps}] ${contender.column}: ${summary}`);
      }
    }
    console.error(`[${figure.key}] ${((performance.now() - began) / 1000).toFixed(0)} s`);
  }
  return [...rows.values()];
}
