// The UI is generated from whatever models are registered: a model it has never seen,
// with nested objects, lists, numbers, enums and booleans, gets its card, its table and
// a submit form with the right inputs, served by createServer in this process.

import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { z } from "zod";
import { Job, Schema, Spec } from "../../src/index.js";
import { SimpleMessageQueueFactory } from "../../src/message-queue.js";
import { createServer, type JobstarServer } from "../../src/server/index.js";
import { collectErrors, launchBrowser, screenshot } from "../support/browser.js";
import { freshDatabase } from "../support/database.js";

const PipelinePayload = z.object({
  name: z.string().min(1).describe("What to call the run."),
  count: z.number().int().min(1),
  ratio: z.number().optional(),
  mode: z.enum(["fast-path", "slow"]),
  verbose: z.boolean(),
  target: z.object({ host: z.string(), port: z.number().int() }),
  tags: z.array(z.string()),
  steps: z.array(z.object({ label: z.string(), weight: z.number() })),
});
class PipelineJob extends Job(PipelinePayload) {}

let db: Awaited<ReturnType<typeof freshDatabase>>;
let spec: Spec;
let server: JobstarServer;
let browser: Browser;
let page: Page;
let errors: string[];

beforeAll(async () => {
  db = await freshDatabase();
  spec = new Spec().configure({
    databaseUrl: db.url,
    messageQueueFactory: new SimpleMessageQueueFactory({ retryDelay: () => 0 }),
  });
  spec.addModel(new Schema(PipelineJob, "v1"), {
    jobHandler: async (job, ctx) => {
      ctx.log(`pipeline ${job.data.payload.name}: ${job.data.payload.steps.length} step(s)`);
    },
  });
  await spec.getResourceManager(PipelineJob).startConsume({ block: false });
  server = await createServer(spec, { port: 0 });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  errors = collectErrors(page);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await spec?.close();
  await db?.drop();
});

it("builds the overview and a nested submit form from a model it has never seen", async () => {
  const origin = server.url.replace(/\/graphql$/, "");
  await page.goto(`${origin}/ui/`);
  await page.locator('[data-model="PipelineJob"] h2').waitFor();
  await page.locator('[data-model="PipelineJob"]').getByRole("link", { name: "Submit" }).click();
  await page.waitForURL(/\/ui\/models\/PipelineJob\/new$/);

  await page.locator("#f-payload-name").fill("nightly");
  await page.locator("#f-payload-count").fill("3");
  await page.locator("#f-payload-ratio").fill("0.5");
  await page.locator("#f-payload-mode").selectOption({ label: "fast-path" });
  await page.locator("#f-payload-verbose").check();
  await page.locator("#f-payload-target-host").fill("db.internal");
  await page.locator("#f-payload-target-port").fill("5432");
  await page.getByRole("button", { name: "Add tags" }).click();
  await page.getByRole("button", { name: "Add tags" }).click();
  await page.locator("#f-payload-tags-0").fill("a");
  await page.locator("#f-payload-tags-1").fill("b");
  await page.getByRole("button", { name: "Remove tags 1" }).click();
  await page.getByRole("button", { name: "Add steps" }).click();
  await page.locator("#f-payload-steps-0-label").fill("extract");
  await page.locator("#f-payload-steps-0-weight").fill("2.5");
  await screenshot(page, "custom-model-form");
  await page.getByRole("button", { name: "Submit" }).click();

  await page.waitForURL(/\/ui\/jobs\/pipeline-job%3A/);
  await page.locator('.job-title .badge[data-status="COMPLETED"]').waitFor();
  const payload = JSON.parse((await page.locator("pre.json").first().textContent()) ?? "null");
  expect(payload).toEqual({
    name: "nightly",
    count: 3,
    ratio: 0.5,
    mode: "fast_path",
    verbose: true,
    target: { host: "db.internal", port: 5432 },
    tags: ["b"],
    steps: [{ label: "extract", weight: 2.5 }],
  });
  await page.getByText("pipeline nightly: 1 step(s)").waitFor();
  expect(errors).toEqual([]);
});
