import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { ROOT } from "./child.js";

/** Debian's chromium: playwright never downloads a browser here. */
export const CHROMIUM = "/usr/bin/chromium";

/** Where browser tests save screenshots (git-ignored). */
export const ARTIFACTS = path.join(ROOT, "test-artifacts");

/**
 * Makes sure chromium is there: on a fresh Debian machine where we are root, installs
 * Debian's package (as `.ci/run` does); otherwise says what to install.
 */
function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  if (process.getuid?.() === 0 && existsSync("/usr/bin/apt-get")) {
    execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit" });
    execFileSync("apt-get", ["install", "-y", "-qq", "chromium"], {
      stdio: "inherit",
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
    return;
  }
  throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)`);
}

/** The newest modification time of the files under `dir` (recursively), in ms. */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(file) : statSync(file).mtimeMs);
  }
  return latest;
}

/**
 * Makes sure ui/dist is built from the current ui/src (npm install builds it; a checkout
 * without it, or with sources changed since, is built again here). Run once per test run
 * (global setup), as parallel builds would write over each other.
 */
export function ensureUiBuilt(): void {
  const index = path.join(ROOT, "ui/dist/index.html");
  const sources = Math.max(
    newest(path.join(ROOT, "ui/src")),
    statSync(path.join(ROOT, "ui/index.html")).mtimeMs,
  );
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  execFileSync("npm", ["run", "build:ui"], { cwd: ROOT, stdio: "inherit" });
}

/** Launches headless chromium with settings that keep it quiet and off the network. */
export async function launchBrowser(): Promise<Browser> {
  ensureChromium();
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Console errors and uncaught exceptions of a page, so tests can assert there are none. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
  return errors;
}

/** Saves a full-page screenshot as test-artifacts/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}
