import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Where the operator UI lives under the server's root. */
export const UI_PATH = "/ui";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
  ".map": "application/json; charset=utf-8",
};

/**
 * The built UI (`ui/dist`) of the package this module belongs to: found by walking up
 * from this file to the package root, so it does not depend on the working directory
 * nor on whether the code runs from `src/` or a build output folder.
 */
export function findUiDist(from = path.dirname(fileURLToPath(import.meta.url))): string | null {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "package.json")) && existsSync(path.join(dir, "ui"))) {
      return path.join(dir, "ui", "dist");
    }
    if (path.dirname(dir) === dir) return null;
  }
}

/** A request handler for the UI: returns false when the request is not the UI's. */
export type UiHandler = (request: IncomingMessage, response: ServerResponse) => boolean;

/**
 * Serves the operator UI at `/ui` (index.html for any `/ui/*` path that is not a file,
 * as the UI routes in the browser) and redirects `/` there. Hashed assets are cached
 * for a year; index.html is revalidated on every load so a new build is picked up.
 */
export function createUiHandler(dist: string | null = findUiDist()): UiHandler {
  return (request, response) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    const method = request.method ?? "GET";
    if (method !== "GET" && method !== "HEAD") return false;
    if (url.pathname === "/") {
      response.writeHead(302, { location: `${UI_PATH}/` }).end();
      return true;
    }
    if (url.pathname !== UI_PATH && !url.pathname.startsWith(`${UI_PATH}/`)) return false;
    void serve(dist, url.pathname, method === "HEAD", response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { "content-type": "text/plain" });
      response.end(error instanceof Error ? error.message : "error");
    });
    return true;
  };
}

async function serve(dist: string | null, pathname: string, head: boolean, response: ServerResponse) {
  if (!dist || !existsSync(path.join(dist, "index.html"))) {
    response
      .writeHead(503, { "content-type": "text/plain; charset=utf-8" })
      .end("The UI is not built: run `npm run build:ui` (npm install does it).\n");
    return;
  }
  let relative: string;
  try {
    relative = decodeURIComponent(pathname.slice(UI_PATH.length)).replace(/^\/+/, "");
  } catch {
    relative = "";
  }
  const file = path.resolve(dist, relative);
  // Outside dist (`..`), a folder, or no such file: the UI's router decides, from index.html.
  const inside = file.startsWith(dist + path.sep);
  const isFile = inside && (await stat(file).catch(() => null))?.isFile() === true;
  const assetLike = relative.startsWith("assets/");
  if (!isFile && assetLike) {
    response.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("Not found\n");
    return;
  }
  const target = isFile ? file : path.join(dist, "index.html");
  const body = await readFile(target);
  response.writeHead(200, {
    "content-type": CONTENT_TYPES[path.extname(target)] ?? "application/octet-stream",
    "content-length": body.length,
    "cache-control": assetLike ? "public, max-age=31536000, immutable" : "no-cache",
    "x-content-type-options": "nosniff",
  });
  response.end(head ? undefined : body);
}
