// The operator UI in a real browser (Debian's chromium, driven by playwright-core)
// against the demo server (examples/demo-server.ts) on its own fresh database.

import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ARTIFACTS, collectErrors, launchBrowser, screenshot } from "../support/browser.js";
import { type Child, spawnTs, stopChild, waitForOutput } from "../support/child.js";
import { freshDatabase } from "../support/database.js";

let db: Awaited<ReturnType<typeof freshDatabase>>;
let server: Child;
let origin: string;
let browser: Browser;
let context: BrowserContext;
const errors: string[] = [];

beforeAll(async () => {
  db = await freshDatabase();
  server = spawnTs("examples/demo-server.ts", { DATABASE_URL: db.url, PORT: "0", HOST: "127.0.0.1" });
  await waitForOutput(server, "GraphiQL at ", 30_000);
  const printed = /GraphiQL at (http:\/\/127\.0\.0\.1:\d+)\/graphql/.exec(server.stdout());
  if (!printed?.[1]) throw new Error(`no URL in the demo server's output:\n${server.stdout()}`);
  origin = printed[1];
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
}, 90_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  if (server) {
    const timer = setTimeout(() => server.process.kill("SIGKILL"), 10_000);
    await stopChild(server, "SIGTERM");
    clearTimeout(timer);
  }
  await db?.drop();
  expect(errors, "console errors in the browser").toEqual([]);
});

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

/** Submits a job over the API, as another client (`user`) would. */
async function submit(model: string, input: unknown, user = "anonymous"): Promise<string> {
  const response = await fetch(`${origin}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-user": user },
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

it("filters, sorts and pages a model's jobs", async () => {
  // Delayed jobs: they stay PENDING, so the listing does not move under the test.
  const delayed = (i: number) => ({
    payload: { data_id: `bulk:${i}`, algo: "mlp", params: {} },
    partitionKey: "bulk",
    periodicInitialDelaySeconds: 3600,
  });
  const ids: string[] = [];
  for (let i = 0; i < 60; i++) ids.push(await submit("TrainingJob", delayed(i), i < 55 ? "erin" : "frank"));
  const page = await open("/ui/models/TrainingJob?partitionKey=bulk");
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

  await page.getByLabel("Creator").fill("frank");
  await page.getByLabel("pending").check();
  await page.getByRole("button", { name: "Apply" }).click();
  await page.getByText("5 jobs").waitFor();
  expect(new URL(page.url()).search).toContain("createdBy=frank");
  await page.getByLabel("completed").check();
  await page.getByLabel("pending").uncheck();
  await page.getByRole("button", { name: "Apply" }).click();
  await page.getByText("No jobs match.").waitFor();
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

it("reads the page again when its live connection comes back after a drop", async () => {
  const id = await submit("TrainingJob", {
    payload: { data_id: "drop", algo: "mlp", params: {} },
    periodicInitialDelaySeconds: 3600,
  });
  const page = await context.newPage();
  watch(page);
  // The WebSocket goes through here: `down` cuts it and refuses new ones.
  let down = false;
  const sockets: { close: () => void }[] = [];
  await page.routeWebSocket(/\/graphql$/, (ws) => {
    if (down) return ws.close();
    ws.connectToServer();
    sockets.push(ws);
  });
  await page.goto(`${origin}/ui/models/TrainingJob`);
  const badge = page.locator(`tr[data-job-id="${id}"] .badge`);
  await expect.poll(() => badge.getAttribute("data-status")).toBe("PENDING");
  await expect.poll(() => sockets.length).toBe(1);
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
});

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

it("asks for a token when the server wants one, and sends it over HTTP and graphql-ws", async () => {
  // The server's side of authentication is not here yet: play its contract in the
  // browser's network layer (401 + UNAUTHENTICATED without "Bearer good"), and pass
  // everything else on to the real server.
  const guarded = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await guarded.newPage();
  // The browser logs each 401 as a console error, which is the point here: collect only
  // the page's uncaught exceptions.
  page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
  const connectionParams: unknown[] = [];
  await page.routeWebSocket(/\/graphql$/, (ws) => {
    const upstream = ws.connectToServer();
    ws.onMessage((message) => {
      const parsed = JSON.parse(String(message)) as { type: string; payload?: unknown };
      if (parsed.type === "connection_init") connectionParams.push(parsed.payload);
      upstream.send(message);
    });
  });
  // urql sends short queries as GET (`/graphql?query=…`), the rest as POST.
  await page.route(
    (url) => url.pathname === "/graphql",
    async (route) => {
      if (route.request().headers().authorization === "Bearer good") return route.continue();
      await route.fulfill({
        status: 401,
        contentType: "application/json",
        body: JSON.stringify({
          errors: [{ message: "A token is required.", extensions: { code: "UNAUTHENTICATED" } }],
        }),
      });
    },
  );
  await page.goto(`${origin}/ui/models/TrainingJob`);
  await page.getByText("The server needs a token to show anything.").waitFor();
  await page.locator("#token").fill("bad");
  await page.getByRole("button", { name: "Use token" }).click();
  await page.getByText("The server refused this token.").waitFor();
  await page.locator("#token").fill("good");
  await page.getByRole("button", { name: "Use token" }).click();
  await page.getByText(/^\d+ jobs?$/).waitFor();
  await expect.poll(() => connectionParams).toContainEqual({ authorization: "Bearer good" });
  // A new tab of the same session would ask again; this one keeps it across reloads.
  await page.reload();
  await page.getByText(/^\d+ jobs?$/).waitFor();
  await screenshot(page, "token-accepted");
  await page.close();
  await guarded.close();
});

it("shows no action buttons when the server says the viewer may not act", async () => {
  // Until the server has `viewerCanCancel` / `viewerCanRerun` (with authentication), play
  // them here: add them to the schema the UI introspects, and answer them as a viewer's
  // (false) when the UI asks, passing the rest of the query on to the real server.
  const id = await submit("TrainingJob", {
    payload: { data_id: "viewer", algo: "mlp", params: {} },
    periodicInitialDelaySeconds: 3600,
  });
  const page = await context.newPage();
  watch(page);
  const flag = (name: string) => ({ name, type: { kind: "SCALAR", name: "Boolean", ofType: null } });
  await page.route(
    (url) => url.pathname === "/graphql",
    async (route) => {
      // urql sends short queries as GET (`?query=…`), the rest as POST.
      const url = new URL(route.request().url());
      const post = route.request().postData();
      const params = post ? (JSON.parse(post) as { query: string }) : null;
      const query = params?.query ?? url.searchParams.get("query") ?? "";
      if (query.includes("query SchemaTypes")) {
        const response = await route.fetch();
        const json = (await response.json()) as {
          data: { __schema: { types: { name: string; fields: unknown[] | null }[] } };
        };
        const type = json.data.__schema.types.find((t) => t.name === "TrainingJob");
        type?.fields?.push(flag("viewerCanCancel"), flag("viewerCanRerun"));
        return route.fulfill({ response, json });
      }
      if (query.includes("viewerCanCancel")) {
        const stripped = query.replace(/viewerCan(Cancel|Rerun)/g, "");
        url.searchParams.set("query", stripped);
        const response = await route.fetch(
          params ? { postData: JSON.stringify({ ...params, query: stripped }) } : { url: url.toString() },
        );
        const json = (await response.json()) as { data?: { job?: Record<string, unknown> } };
        if (json.data?.job) Object.assign(json.data.job, { viewerCanCancel: false, viewerCanRerun: false });
        return route.fulfill({ response, json });
      }
      return route.continue();
    },
  );
  await page.goto(`${origin}/ui/jobs/${encodeURIComponent(id)}`);
  await seeStatuses(page, ".job-title .badge", ["PENDING"]);
  await page.locator(".timeline > li").first().waitFor();
  expect(await page.getByRole("button", { name: "Cancel" }).count()).toBe(0);
  expect(await page.getByRole("button", { name: "Rerun" }).count()).toBe(0);
  // The same job, to someone the server does not restrict: Cancel is there.
  await page.unrouteAll();
  await page.reload();
  await page.getByRole("button", { name: "Cancel" }).waitFor();
  await page.close();
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
