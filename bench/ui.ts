// Measures the operator UI in Debian's chromium against a running server:
// `npx tsx bench/ui.ts http://127.0.0.1:4000` (seed it with many TrainingJobs first).
// Prints how long the model page takes to show its first page of jobs, to page on,
// and how long a status change takes to appear on the job page and in the model page's row.
import { chromium } from "playwright-core";

const origin = process.argv[2] ?? "http://127.0.0.1:4000";
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });

async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(`${origin}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data: T; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

const { trainingJobs } = await gql<{ trainingJobs: { totalCount: number } }>(
  "{ trainingJobs(first: 0) { totalCount } }",
);
console.log(`TrainingJobs in the database: ${trainingJobs.totalCount}`);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const loads: number[] = [];
for (let i = 0; i < 5; i++) {
  const started = performance.now();
  await page.goto(`${origin}/ui/models/TrainingJob`);
  await page.locator("tr[data-job-id]").nth(49).waitFor();
  loads.push(performance.now() - started);
}
console.log(
  `model page, first 50 rows shown (full load): median ${median(loads)?.toFixed(0)} ms`,
  loads.map(Math.round),
);

const pages: number[] = [];
for (let i = 0; i < 5; i++) {
  const first = await page.locator("tr[data-job-id]").first().getAttribute("data-job-id");
  const started = performance.now();
  await page.getByRole("button", { name: "Next →" }).click();
  await page.waitForFunction(
    (id) => document.querySelector("tr[data-job-id]")?.getAttribute("data-job-id") !== id,
    first,
  );
  pages.push(performance.now() - started);
}
console.log(`next page: median ${median(pages)?.toFixed(0)} ms`, pages.map(Math.round));

const rows = await browser.newPage({ viewport: { width: 1280, height: 800 } });
const latencies: number[] = [];
const rowLatencies: number[] = [];
for (let i = 0; i < 5; i++) {
  const { job } = await gql<{ job: { id: string } }>(
    `mutation { job: submitTrainingJob(input: { payload: { data_id: "bench", algo: mlp, params: {} }, periodicInitialDelaySeconds: 3600 }) { id } }`,
  );
  await page.goto(`${origin}/ui/jobs/${encodeURIComponent(job.id)}`);
  await page.locator('.job-title .badge[data-status="PENDING"]').waitFor();
  await rows.goto(`${origin}/ui/models/TrainingJob`);
  await rows.locator(`tr[data-job-id="${job.id}"] .badge[data-status="PENDING"]`).waitFor();
  await page.waitForTimeout(300);
  const started = performance.now();
  await gql("mutation($id: ID!) { cancelTrainingJob(id: $id) { id } }", { id: job.id });
  const committed = performance.now();
  await Promise.all([
    page
      .locator('.job-title .badge[data-status="CANCELLED"]')
      .waitFor()
      .then(() => latencies.push(performance.now() - committed)),
    rows
      .locator(`tr[data-job-id="${job.id}"] .badge[data-status="CANCELLED"]`)
      .waitFor()
      .then(() => rowLatencies.push(performance.now() - committed)),
  ]);
  if (i === 0) console.log(`(the cancel mutation itself took ${(committed - started).toFixed(0)} ms)`);
}
console.log(
  `status change → job page: median ${median(latencies)?.toFixed(0)} ms`,
  latencies.map(Math.round),
);
console.log(
  `status change → model page row: median ${median(rowLatencies)?.toFixed(0)} ms`,
  rowLatencies.map(Math.round),
);
await browser.close();
