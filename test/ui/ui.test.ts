// The operator UI in a real browser (Debian's chromium, driven by playwright-core)
// against the demo server (`jobstar serve` with examples/demo-server.ts) on its own fresh database: open, and
// (the describe block below) a second one with JOBSTAR_TOKENS, on a database of its own.

import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARTIFACTS, collectErrors, launchBrowser, screenshot } from "../support/browser.js";
import { type Child, spawnCli, stopChild, waitForOutput } from "../support/child.js";
import { freshDatabase } from "../support/database.js";

let db: Awaited<ReturnType<typeof freshDatabase>>;
let server: Child;
let origin: string;
let browser: Browser;
let context: BrowserContext;
const errors: string[] = [];

beforeAll(async () => {
  db = await freshDatabase();
  server = spawnCli(["serve", "--models", "./examples/demo-server.ts"], {
    DATABASE_URL: db.url,
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "info",
  });
  origin = await serverOrigin(server);
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
}, 90_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  if (server) await stopServer(server);
  await db?.drop();
  expect(errors, "console errors in the browser").toEqual([]);
});

/** The origin of a demo server, once it has printed its URL. */
async function serverOrigin(child: Child): Promise<string> {
  await waitForOutput(child, "GraphiQL at ", 90_000);
  const printed = /GraphiQL at (http:\/\/127\.0\.0\.1:\d+)\/graphql/.exec(child.stdout());
  if (!printed?.[1]) throw new Error(`no URL in the demo server's output:\n${child.stdout()}`);
  return printed[1];
}

/** Stops a demo server: SIGTERM, then SIGKILL if it takes over 10 s. */
async function stopServer(child: Child): Promise<void> {
  const timer = setTimeout(() => child.process.kill("SIGKILL"), 10_000);
  await stopChild(child, "SIGTERM");
  clearTimeout(timer);
}

async function open(path: string, target?: Page): Promise<Page> {
  const page = target ?? (await context.newPage());
  if (!target) watch(page);
  await page.goto(`${origin}${path}`);
  return page;
}

function watch(page: Page) {
  const pageErrors = collectErrors(page);
  page.on("close", () => errors.push(...pageErrors));
}

/** Submits a job over the API, as another client would. */
async function submit(model: string, input: unknown): Promise<string> {
  const response = await fetch(`${origin}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      query: `mutation($input: Submit${model}Input!) { job: submit${model}(input: $input) { id } }`,
      variables: { input },
    }),
  });
  const body = (await response.json()) as { data?: { job: { id: string } }; errors?: unknown };
  if (!body.data) throw new Error(JSON.stringify(body.errors));
  return body.data.job.id;
}

/** Waits until the badge matching `selector` shows each status of `statuses`, in order. */
async function seeStatuses(page: Page, selector: string, statuses: string[], timeout = 20_000) {
  for (const status of statuses) {
    await page.waitForFunction(
      ([sel, want]) => document.querySelector(sel as string)?.getAttribute("data-status") === want,
      [selector, status],
      { timeout, polling: 10 },
    );
  }
}

it("redirects / to /ui and serves the built assets with their types and caching", async () => {
  const root = await fetch(`${origin}/`, { redirect: "manual" });
  expect(root.status).toBe(302);
  expect(root.headers.get("location")).toBe("/ui/");
  const deep = await fetch(`${origin}/ui/jobs/${encodeURIComponent("training-job:x")}`);
  expect(deep.status).toBe(200);
  expect(deep.headers.get("content-type")).toMatch(/^text\/html/);
  const html = await deep.text();
  const script = /src="(\/ui\/assets\/[^"]+\.js)"/.exec(html)?.[1];
  expect(script).toBeTruthy();
  const asset = await fetch(`${origin}${script}`);
  expect(asset.headers.get("content-type")).toMatch(/^text\/javascript/);
  expect(asset.headers.get("cache-control")).toContain("immutable");
  expect((await fetch(`${origin}/ui/assets/missing.js`)).status).toBe(404);
  expect((await fetch(`${origin}/ui/..%2F..%2Fpackage.json`)).headers.get("content-type")).toMatch(
    /^text\/html/,
  );
  // The API is still the API.
  expect((await fetch(`${origin}/health`)).status).toBe(200);
});

it("says what is missing for an unknown model, job or page", async () => {
  const page = await open(
    `/ui/jobs/${encodeURIComponent("training-job:00000000-0000-0000-0000-000000000000")}`,
  );
  await page
    .getByRole("alert")
    .filter({ hasText: /not found|no TrainingJob|does not exist/i })
    .waitFor();
  await page.goto(`${origin}/ui/models/NoSuchJob`);
  await page.getByText("There is no model NoSuchJob.").waitFor();
  await page.goto(`${origin}/ui/jobs/${encodeURIComponent("no-such-job:1")}`);
  await page.getByText("There is no job no-such-job:1.").waitFor();
  await page.goto(`${origin}/ui/elsewhere`);
  await page.getByRole("heading", { name: "Not found" }).waitFor();
  await page.close();
});

it("shows every demo model on the overview, with counts and a chart", async () => {
  const page = await open("/");
  expect(new URL(page.url()).pathname).toBe("/ui/");
  for (const model of ["TrainingJob", "ReportJob", "FlakyJob"]) {
    await expect.poll(() => page.locator(`[data-model="${model}"] h2`).textContent()).toBe(model);
  }
  await page
    .locator('[data-model="TrainingJob"] [data-count="PENDING"]')
    .filter({ hasText: /^\d+$/ })
    .waitFor();
  await page.locator('[data-model="TrainingJob"] figure.chart').waitFor();
  await screenshot(page, "overview");
  await page.close();
});

it("submits a TrainingJob through the form, shows a field error, then follows the job live", async () => {
  // The model page, open before the job exists: its row must appear and change live.
  const list = await open("/ui/models/TrainingJob");
  await list.getByText(/^\d+ jobs?$/).waitFor();
  await list.evaluate(() => {
    (window as unknown as { notReloaded: boolean }).notReloaded = true;
  });

  const page = await open("/ui/models/TrainingJob/new");
  await page.locator("#f-payload-algo").selectOption({ label: "random-forest" });
  await page.locator("#f-payload-params").fill('{ "n": 100 }');
  await page.getByRole("button", { name: "Submit" }).click();
  // data_id is empty: the server's message, next to the field.
  const fieldError = page.locator("#f-payload-data_id-error");
  await fieldError.waitFor();
  expect(await fieldError.textContent()).toMatch(/\S/);
  expect(await page.locator("#f-payload-data_id").getAttribute("aria-invalid")).toBe("true");
  await screenshot(page, "submit-invalid");

  await page.locator("#f-payload-data_id").fill("data:1");
  await page.getByText("Job options").click();
  await page.locator("#f-options-periodicInitialDelaySeconds").fill("2");
  await page.getByRole("button", { name: "Submit" }).click();
  await page.waitForURL(/\/ui\/jobs\/training-job%3A/);
  const id = decodeURIComponent(new URL(page.url()).pathname.split("/").pop() ?? "");
  await page.evaluate(() => {
    (window as unknown as { notReloaded: boolean }).notReloaded = true;
  });

  await Promise.all([
    seeStatuses(page, ".job-title .badge", ["PENDING", "PROCESSING", "COMPLETED"]),
    seeStatuses(list, `tr[data-job-id="${id}"] .badge`, ["PENDING", "PROCESSING", "COMPLETED"]),
  ]);
  for (const p of [page, list]) {
    expect(await p.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
  }
  // History: submitted, claimed, completed, each with who and what changed; and the logs.
  await expect.poll(() => page.locator(".timeline > li").count()).toBeGreaterThanOrEqual(3);
  expect(await page.locator(".timeline").textContent()).toContain("status: PENDING → PROCESSING");
  await page.getByText("epoch 3/3").waitFor();
  expect(await page.locator("pre.json").first().textContent()).toContain('"data_id": "data:1"');
  expect(await page.locator("pre.json").nth(1).textContent()).toContain('"accuracy": 0.93');
  // Finished: it can be rerun, not cancelled.
  expect(await page.getByRole("button", { name: "Cancel" }).count()).toBe(0);
  expect(await page.getByRole("button", { name: "Rerun" }).count()).toBe(1);
  await screenshot(page, "job-completed");
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, "no sideways scrolling of the job page on a phone").toBeLessThanOrEqual(0);
  await screenshot(page, "job-phone");
  await screenshot(list, "model");
  await list.close();
  await page.close();
});

it("cancels a delayed job after a confirmation", async () => {
  const id = await submit("TrainingJob", {
    payload: { data_id: "later", algo: "mlp", params: {} },
    periodicInitialDelaySeconds: 3600,
  });
  const page = await open(`/ui/jobs/${encodeURIComponent(id)}`);
  await seeStatuses(page, ".job-title .badge", ["PENDING"]);
  await page.getByRole("button", { name: "Cancel" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.waitFor();
  await screenshot(page, "confirm-cancel");
  await dialog.getByRole("button", { name: "Cancel job" }).click();
  await seeStatuses(page, ".job-title .badge", ["CANCELLED"]);
  await page.getByRole("button", { name: "Rerun" }).waitFor();
  expect(await page.getByRole("button", { name: "Cancel" }).count()).toBe(0);
  await page.close();
});

it("reruns a failed FlakyJob", async () => {
  const id = await submit("FlakyJob", { payload: { failTimes: 0, fatal: true } });
  const page = await open(`/ui/jobs/${encodeURIComponent(id)}`);
  await seeStatuses(page, ".job-title .badge", ["FAILED"]);
  expect(await page.locator(".state-errmsg, .errmsg").first().textContent()).toContain(
    "told to fail for good",
  );
  const before = await page.locator(".timeline > li").count();
  await page.getByRole("button", { name: "Rerun" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Rerun job" }).click();
  // It runs again (and, being fatal, fails again): new revisions appear without a reload.
  await expect
    .poll(() => page.locator(".timeline > li").count(), { timeout: 20_000 })
    .toBeGreaterThanOrEqual(before + 3);
  await seeStatuses(page, ".job-title .badge", ["FAILED"]);
  await screenshot(page, "job-failed-rerun");
  await page.close();
});

it("shows the server's message when it refuses an action", async () => {
  const id = await submit("TrainingJob", {
    payload: { data_id: "refused", algo: "mlp", params: {} },
    periodicInitialDelaySeconds: 3600,
  });
  const page = await context.newPage();
  watch(page);
  // No live updates on this page (its WebSocket goes nowhere), so it still offers Cancel
  // after another client has cancelled the job.
  await page.routeWebSocket(/\/graphql$/, () => {});
  await page.goto(`${origin}/ui/jobs/${encodeURIComponent(id)}`);
  await seeStatuses(page, ".job-title .badge", ["PENDING"]);
  await fetch(`${origin}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      query: "mutation($id: ID!) { cancelTrainingJob(id: $id) { id } }",
      variables: { id },
    }),
  });
  await page.getByRole("button", { name: "Cancel" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Cancel job" }).click();
  const banner = page.locator(".error-banner");
  await banner.waitFor();
  expect(await banner.textContent()).toMatch(/cancel/i);
  await page.close();
});

// "before": the first connection drops before the server's acknowledgement reaches the
// page, so the page has never been live; it must still read again once it is.
it.each(["after", "before"])(
  "reads the page again when its live connection comes back after a drop %s its first acknowledgement",
  async (when) => {
    const id = await submit("TrainingJob", {
      payload: { data_id: `drop-${when}`, algo: "mlp", params: {} },
      periodicInitialDelaySeconds: 3600,
    });
    const page = await context.newPage();
    watch(page);
    // The WebSocket goes through here: `down` cuts it and refuses new ones; the first
    // connection's messages from the server are held back when `when` is "before".
    let down = false;
    const sockets: { close: () => void }[] = [];
    const held: (string | Buffer)[] = [];
    await page.routeWebSocket(/\/graphql$/, (ws) => {
      if (down) return ws.close();
      const server = ws.connectToServer();
      if (when === "before" && sockets.length === 0) server.onMessage((message) => held.push(message));
      sockets.push(ws);
    });
    await page.goto(`${origin}/ui/models/TrainingJob`);
    const badge = page.locator(`tr[data-job-id="${id}"] .badge`);
    await expect.poll(() => badge.getAttribute("data-status")).toBe("PENDING");
    await expect.poll(() => sockets.length).toBe(1);
    if (when === "before") await expect.poll(() => held.length).toBeGreaterThan(0);
    down = true;
    for (const socket of sockets) socket.close();
    // Changed while the page cannot hear about it.
    await fetch(`${origin}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        query: "mutation($id: ID!) { cancelTrainingJob(id: $id) { id } }",
        variables: { id },
      }),
    });
    await page.waitForTimeout(500);
    expect(await badge.getAttribute("data-status")).toBe("PENDING");
    down = false;
    await expect.poll(() => badge.getAttribute("data-status"), { timeout: 20_000 }).toBe("CANCELLED");
    await page.close();
  },
);

it("sends the token it is given on every request, from session storage", async () => {
  const page = await open("/ui/");
  await page.locator('[data-model="FlakyJob"]').waitFor();
  await page.getByRole("button", { name: "Token" }).click();
  await page.locator("#token").fill("secret-token");
  const request = page.waitForRequest((r) => r.url().endsWith("/graphql") && r.method() === "POST");
  await page.getByRole("button", { name: "Use token" }).click();
  expect((await request).headers().authorization).toBe("Bearer secret-token");
  expect(await page.evaluate(() => sessionStorage.getItem("jobstar.token"))).toBe("secret-token");
  await page.getByRole("button", { name: "Sign out" }).click();
  expect(await page.evaluate(() => sessionStorage.getItem("jobstar.token"))).toBeNull();
  await page.close();
});

describe("with authentication (JOBSTAR_TOKENS)", () => {
  // Its own demo server and database, with tokens: alice is an admin, bob a plain user,
  // vera a viewer (read and subscribe to every job, change none).
  const TOKENS = { alice: "secret-a", bob: "secret-b", vera: "secret-v" } as const;
  let authDb: Awaited<ReturnType<typeof freshDatabase>>;
  let authServer: Child;
  let authOrigin: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    authDb = await freshDatabase();
    authServer = spawnCli(["serve", "--models", "./examples/demo-server.ts"], {
      DATABASE_URL: authDb.url,
      PORT: "0",
      HOST: "127.0.0.1",
      LOG_LEVEL: "info",
      JOBSTAR_TOKENS: `alice:${TOKENS.alice}:admin,bob:${TOKENS.bob},vera:${TOKENS.vera}:viewer`,
    });
    authOrigin = await serverOrigin(authServer);
  }, 90_000);

  afterAll(async () => {
    for (const c of contexts) await c.close();
    if (authServer) await stopServer(authServer);
    await authDb?.drop();
  });

  /** Calls the API as `user`; returns `data`, or throws the errors. */
  async function call<T>(user: keyof typeof TOKENS, query: string, variables: unknown): Promise<T> {
    const response = await fetch(`${authOrigin}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${TOKENS[user]}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: T; errors?: unknown };
    if (!body.data || body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  }

  /** Submits a TrainingJob as `user`; by default delayed, so it stays PENDING for the test's length. */
  async function submitAs(
    user: keyof typeof TOKENS,
    dataId: string,
    options: Record<string, unknown> = { periodicInitialDelaySeconds: 3600 },
  ): Promise<string> {
    const data = await call<{ job: { id: string } }>(
      user,
      "mutation($input: SubmitTrainingJobInput!) { job: submitTrainingJob(input: $input) { id } }",
      { input: { payload: { data_id: dataId, algo: "mlp", params: {} }, ...options } },
    );
    return data.job.id;
  }

  /** A tab of a new browser session that already holds `user`'s token (as if typed in). */
  async function signedIn(user: keyof typeof TOKENS, path: string): Promise<Page> {
    const session = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    contexts.push(session);
    await session.addInitScript((token) => sessionStorage.setItem("jobstar.token", token), TOKENS[user]);
    const page = await session.newPage();
    watch(page);
    await page.goto(`${authOrigin}${path}`);
    await page.locator(".viewer").filter({ hasText: user }).waitFor();
    return page;
  }

  const jobPath = (id: string) => `/ui/jobs/${encodeURIComponent(id)}`;
  const buttons = (page: Page) => page.getByRole("button", { name: /^(Cancel|Rerun)$/ }).count();

  it("asks for a token, refuses a wrong one with the server's message, then works over HTTP and graphql-ws", async () => {
    const session = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    contexts.push(session);
    const page = await session.newPage();
    // The browser logs each 401 response as a console error: that is the point here.
    // Every other console error, and every uncaught exception, still counts.
    const pageErrors = collectErrors(page);
    page.on("close", () =>
      errors.push(...pageErrors.filter((e) => !/the server responded with a status of 401\b/.test(e))),
    );
    // What the page sends in graphql-ws' connection_init; `spoil` replaces its token.
    const connectionParams: unknown[] = [];
    let spoil = false;
    await page.routeWebSocket(/\/graphql$/, (ws) => {
      const upstream = ws.connectToServer();
      ws.onMessage((message) => {
        const parsed = JSON.parse(String(message)) as { type: string; payload?: unknown };
        if (parsed.type !== "connection_init") return upstream.send(message);
        connectionParams.push(parsed.payload);
        if (!spoil) return upstream.send(message);
        upstream.send(JSON.stringify({ ...parsed, payload: { authorization: "Bearer spoilt" } }));
      });
    });

    await page.goto(`${authOrigin}/ui/models/TrainingJob`);
    await page.getByText("The server needs a token to show anything.").waitFor();
    await page.locator("#token").fill("wrong");
    await page.getByRole("button", { name: "Use token" }).click();
    const refusal = page.locator(".token-prompt [role=alert]");
    await refusal.waitFor();
    // The server's own words (no token or a wrong one: the same answer).
    expect(await refusal.textContent()).toMatch(/^The server refused this token: authentication required/);
    await screenshot(page, "token-refused");

    await page.locator("#token").fill(TOKENS.alice);
    await page.getByRole("button", { name: "Use token" }).click();
    await page.getByText(/^\d+ jobs?$/).waitFor();
    await page.locator(".viewer").filter({ hasText: "alice" }).waitFor();
    expect(await page.locator(".token-prompt").count()).toBe(0);
    expect(await page.evaluate(() => sessionStorage.getItem("jobstar.token"))).toBe(TOKENS.alice);
    await expect.poll(() => connectionParams).toContainEqual({ authorization: `Bearer ${TOKENS.alice}` });
    // Live over the authenticated WebSocket: a job submitted now appears and runs on the
    // page already open (nothing else would tell it).
    const id = await submitAs("alice", "live", {});
    await seeStatuses(page, `tr[data-job-id="${id}"] .badge`, ["PROCESSING", "COMPLETED"]);

    // The tab keeps its token across reloads.
    await page.reload();
    await page.locator(`tr[data-job-id="${id}"]`).waitFor();
    await screenshot(page, "token-accepted");

    // A live connection the server refuses (closed with 4401): the UI asks for a token again.
    spoil = true;
    await page.reload();
    await page.locator(`tr[data-job-id="${id}"]`).waitFor();
    await refusal.waitFor();
    expect(await refusal.textContent()).toBe("The server refused this token: Unauthorized");
    await page.close();
  });

  it("shows a viewer another user's job and model page without Rerun or Cancel", async () => {
    const pending = await submitAs("alice", "for-vera");
    const cancelled = await submitAs("alice", "for-vera-cancelled");
    await call("alice", "mutation($id: ID!) { cancelTrainingJob(id: $id) { id } }", { id: cancelled });
    const page = await signedIn("vera", jobPath(pending));
    await seeStatuses(page, ".job-title .badge", ["PENDING"]);
    await page.locator(".timeline > li").first().waitFor();
    expect(await page.locator(".job-title").textContent()).toContain(pending);
    expect(await buttons(page)).toBe(0);
    await page.goto(`${authOrigin}${jobPath(cancelled)}`);
    await seeStatuses(page, ".job-title .badge", ["CANCELLED"]);
    await page.locator(".timeline > li").first().waitFor();
    expect(await buttons(page)).toBe(0);
    await screenshot(page, "job-viewer");
    await page.goto(`${authOrigin}/ui/models/TrainingJob`);
    await page.locator(`tr[data-job-id="${pending}"]`).waitFor();
    await page.locator(`tr[data-job-id="${cancelled}"]`).waitFor();
    expect(await buttons(page)).toBe(0);
    await page.close();
  });

  it("shows a plain user only their own jobs, and Cancel on their own pending job", async () => {
    const alices = await submitAs("alice", "not-for-bob");
    const bobs = await submitAs("bob", "bobs");
    const page = await signedIn("bob", "/ui/models/TrainingJob");
    await page.locator(`tr[data-job-id="${bobs}"]`).waitFor();
    expect(await page.locator(`tr[data-job-id="${alices}"]`).count()).toBe(0);
    const creators = await page
      .locator("tr[data-job-id]")
      .evaluateAll((rows) => rows.map((row) => row.textContent ?? ""));
    expect(creators.every((text) => text.includes("bob"))).toBe(true);
    await page.goto(`${authOrigin}${jobPath(bobs)}`);
    await seeStatuses(page, ".job-title .badge", ["PENDING"]);
    await page.getByRole("button", { name: "Cancel" }).waitFor();
    expect(await page.getByRole("button", { name: "Rerun" }).count()).toBe(0);
    // His own job, once it has run: Rerun, no Cancel.
    const done = await submitAs("bob", "bobs-done", {});
    await page.goto(`${authOrigin}${jobPath(done)}`);
    await seeStatuses(page, ".job-title .badge", ["COMPLETED"]);
    await page.getByRole("button", { name: "Rerun" }).waitFor();
    expect(await page.getByRole("button", { name: "Cancel" }).count()).toBe(0);
    // Alice's job is not his to see: the server says so, and nothing can be done to it.
    await page.goto(`${authOrigin}${jobPath(alices)}`);
    await page.locator("main [role=alert]").waitFor();
    expect(await buttons(page)).toBe(0);
    await page.close();
  });

  it("lets an admin cancel another user's job", async () => {
    const bobs = await submitAs("bob", "for-alice");
    const page = await signedIn("alice", jobPath(bobs));
    await seeStatuses(page, ".job-title .badge", ["PENDING"]);
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Cancel job" }).click();
    await seeStatuses(page, ".job-title .badge", ["CANCELLED"]);
    await page.getByRole("button", { name: "Rerun" }).waitFor();
    expect(await page.getByRole("button", { name: "Cancel" }).count()).toBe(0);
    const data = await call<{ job: { status: string; info: { updatedBy: string } } }>(
      "bob",
      "query($id: ID!) { job: trainingJob(id: $id) { status info { updatedBy } } }",
      { id: bobs },
    );
    expect(data.job).toEqual({ status: "CANCELLED", info: { updatedBy: "alice" } });
    await page.close();
  });

  it("filters, sorts and pages a model's jobs", { timeout: 60_000 }, async () => {
    // Delayed jobs: they stay PENDING, so the listing does not move under the test. Seen by
    // alice (an admin sees everyone's), 55 of hers and 5 of bob's.
    const delayed = { partitionKey: "bulk", periodicInitialDelaySeconds: 3600 };
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) ids.push(await submitAs(i < 55 ? "alice" : "bob", `bulk:${i}`, delayed));
    const page = await signedIn("alice", "/ui/models/TrainingJob?partitionKey=bulk");
    await page.getByText("60 jobs").waitFor();
    expect(await page.locator("tr[data-job-id]").count()).toBe(50);
    // Newest first: the last submitted leads.
    expect(await page.locator("tr[data-job-id]").first().getAttribute("data-job-id")).toBe(ids[59]);
    await page.getByRole("button", { name: "Next →" }).click();
    await expect.poll(() => page.locator("tr[data-job-id]").count()).toBe(10);
    expect(await page.locator("tr[data-job-id]").last().getAttribute("data-job-id")).toBe(ids[0]);
    await page.getByRole("button", { name: "← Previous" }).click();
    await expect.poll(() => page.locator("tr[data-job-id]").count()).toBe(50);
    expect(await page.locator("tr[data-job-id]").first().getAttribute("data-job-id")).toBe(ids[59]);

    await page.getByRole("button", { name: /^Created/ }).click();
    await expect.poll(() => page.locator("tr[data-job-id]").first().getAttribute("data-job-id")).toBe(ids[0]);

    await page.getByLabel("Creator").fill("bob");
    await page.getByLabel("pending").check();
    await page.getByRole("button", { name: "Apply" }).click();
    await page.getByText("5 jobs").waitFor();
    expect(new URL(page.url()).search).toContain("createdBy=bob");
    await page.getByLabel("completed").check();
    await page.getByLabel("pending").uncheck();
    await page.getByRole("button", { name: "Apply" }).click();
    await page.getByText("No jobs match.").waitFor();
    await page.close();
  });
});

it("is usable by keyboard, on a phone and in dark mode", async () => {
  const page = await open("/ui/");
  await page.locator('[data-model="TrainingJob"]').waitFor();
  // From the top bar: the skip link comes first, and shows itself when focused.
  await page.locator(".brand").focus();
  await page.keyboard.press("Shift+Tab");
  expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to content");
  expect((await page.locator(".skip").boundingBox())?.x).toBeGreaterThanOrEqual(0);
  await page.keyboard.press("Tab");
  await page.keyboard.press("Tab");
  const focused = await page.evaluate(() => {
    const element = document.activeElement as HTMLElement;
    return { text: element.textContent, outline: getComputedStyle(element).outlineStyle };
  });
  expect(focused.text).toBe("TrainingJob");
  expect(focused.outline).not.toBe("none");
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/ui\/models\/TrainingJob$/);
  // After a navigation, focus is on the new page's content: Tab goes into it.
  await page.keyboard.press("Tab");
  expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Submit a job");

  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByText(/^\d+ jobs?$/).waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, "no sideways scrolling of the page on a phone").toBeLessThanOrEqual(0);
  await screenshot(page, "model-phone");

  await page.emulateMedia({ colorScheme: "dark" });
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(background).toBe("rgb(17, 19, 24)");
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`${origin}/ui/`);
  await page.locator('[data-model="TrainingJob"] figure.chart').waitFor();
  await screenshot(page, "overview-dark");
  await page.emulateMedia({ colorScheme: "light" });
  await page.screenshot({ path: `${ARTIFACTS}/overview-final.png` });
  await page.close();
});
