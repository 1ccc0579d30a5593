// A web page on another origin: CORS answers only the allowed origins, and a WebSocket
// from a page of another origin is refused, as the same-origin page's is not.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { Spec } from "../../src/index.js";
import { bearerTokens, createServer, type JobstarServer } from "../../src/server/index.js";
import { freshDatabase } from "../support/database.js";
import { testSpec } from "../support/spec.js";
import { codesOf, post, TOKENS, wsAs } from "./support.js";

let db: Awaited<ReturnType<typeof freshDatabase>>;
let spec: Spec;
let closed: JobstarServer;
let allowing: JobstarServer;
const APP = "http://app.example";
const EVIL = "http://evil.example";

beforeAll(async () => {
  db = await freshDatabase();
  spec = testSpec(db.url, "simple");
  await spec.start();
  closed = await createServer(spec, { port: 0, authenticate: bearerTokens(TOKENS) });
  allowing = await createServer(spec, { port: 0, authenticate: bearerTokens(TOKENS), allowedOrigins: [APP] });
});

afterAll(async () => {
  await closed?.close();
  await allowing?.close();
  await spec?.close();
  await db?.drop();
});

function preflight(url: string, origin: string) {
  return fetch(url, {
    method: "OPTIONS",
    headers: {
      origin,
      "access-control-request-method": "POST",
      "access-control-request-headers": "authorization, content-type",
    },
  });
}

function postFrom(url: string, origin: string) {
  return fetch(url, {
    method: "POST",
    headers: { origin, "content-type": "application/json", authorization: "Bearer token-alice" },
    body: JSON.stringify({ query: "{ viewer { user } }" }),
  });
}

describe("CORS", () => {
  it.each<[string, () => JobstarServer, string, string | null]>([
    ["by default, another origin", () => closed, EVIL, null],
    ["by default, even a friendly origin", () => closed, APP, null],
    ["with an allow-list, an origin on it", () => allowing, APP, APP],
    ["with an allow-list, an origin not on it", () => allowing, EVIL, null],
  ])("%s: allow-origin is %s", async (_name, server, origin, allowed) => {
    const answer = await preflight(server().url, origin);
    expect(answer.headers.get("access-control-allow-origin")).toBe(allowed);
    const response = await postFrom(server().url, origin);
    expect(response.headers.get("access-control-allow-origin")).toBe(allowed);
    if (allowed) {
      expect(answer.headers.get("access-control-allow-credentials")).toBe("true");
      expect(answer.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("authorization");
    }
    // x-user is no credential: it is never allowed across origins.
    expect(answer.headers.get("access-control-allow-headers") ?? "").not.toContain("x-user");
  });
});

describe("WebSocket origin", () => {
  /** Opens a graphql-ws socket with `origin` (none: a non-browser client); resolves to opened or the HTTP status. */
  function open(server: JobstarServer, origin: string | null): Promise<"open" | number> {
    const url = server.url.replace(/^http/, "ws");
    const socket = new WebSocket(url, "graphql-transport-ws", origin ? { origin } : {});
    return new Promise((resolve) => {
      socket.once("open", () => {
        socket.close();
        resolve("open");
      });
      socket.once("unexpected-response", (_request, response) => resolve(response.statusCode ?? 0));
      socket.once("error", () => resolve(0));
    });
  }

  it.each<[string, () => JobstarServer, (server: JobstarServer) => string | null, "open" | number]>([
    ["a page of another origin", () => closed, () => EVIL, 403],
    ["a page of the server's own origin (GraphiQL)", () => closed, (s) => new URL(s.url).origin, "open"],
    ["a client that is no browser (no Origin)", () => closed, () => null, "open"],
    ["an allowed origin", () => allowing, () => APP, "open"],
    ["another origin, with an allow-list", () => allowing, () => EVIL, 403],
  ])("%s: %s", async (_name, server, origin, expected) => {
    expect(await open(server(), origin(server()))).toBe(expected);
  });
});

describe("an authenticator that throws", () => {
  it("answers UNAUTHENTICATED (401 over HTTP, 4401 over graphql-ws), not a server error", async () => {
    const failing = await createServer(spec, {
      port: 0,
      authenticate: () => {
        throw new Error("malformed token");
      },
    });
    try {
      const reply = await post(failing.url, "owner", "{ viewer { user } }");
      expect(reply.status).toBe(401);
      expect(reply.codes).toEqual(["UNAUTHENTICATED"]);
      const ws = wsAs(failing.url, "owner");
      const { error } = await ws.first("{ viewer { user } }");
      expect(codesOf(error)).toEqual(["close:4401"]);
      await ws.dispose();
    } finally {
      await failing.close();
    }
  });
});
