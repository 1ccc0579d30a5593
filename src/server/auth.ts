import { createHash, timingSafeEqual } from "node:crypto";
import { ConfigurationError } from "../errors.js";
import type { Authenticate, RequestSource } from "../graphql/yoga.js";
import type { Principal } from "../model/policy.js";

/** One accepted bearer token and whom it stands for. */
export interface TokenEntry {
  user: string;
  token: string;
  /** Default: none. */
  roles?: string[];
}

/**
 * An authenticator accepting fixed bearer tokens: `Authorization: Bearer <token>` on
 * HTTP and SSE, `connectionParams.authorization` (the same `Bearer <token>` string) on
 * graphql-ws. `tokens` is a list, or text such as `alice:secret-a:admin,bob:secret-b`
 * (`user:token[:role+role]`, comma-separated), as `JOBSTAR_TOKENS` gives it.
 */
export function bearerTokens(tokens: string | TokenEntry[]): Authenticate {
  const entries = typeof tokens === "string" ? parseTokens(tokens) : tokens;
  if (entries.length === 0) throw new ConfigurationError("bearerTokens: no tokens given");
  const known = entries.map((entry) => {
    if (!entry.user || !entry.token)
      throw new ConfigurationError("bearerTokens: a token needs a user and a token");
    return { digest: digest(entry.token), principal: { user: entry.user, roles: [...(entry.roles ?? [])] } };
  });
  return (source: RequestSource): Principal | null => {
    const token = bearerToken(source);
    if (token === null) return null;
    const given = digest(token);
    // Compare every entry in constant time, so timing tells nothing about which one nearly matched.
    let found: Principal | null = null;
    for (const entry of known) if (timingSafeEqual(entry.digest, given)) found = entry.principal;
    return found ? { user: found.user, roles: [...found.roles] } : null;
  };
}

/** Parses `user:token[:role+role]` entries separated by commas. */
export function parseTokens(text: string): TokenEntry[] {
  return text
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part) => {
      const [user = "", token = "", roles = "", ...rest] = part.split(":");
      if (!user || !token || rest.length > 0) {
        throw new ConfigurationError(`bearerTokens: "${user || "?"}:…" is not user:token[:role+role]`);
      }
      return { user, token, roles: roles.split("+").filter((role) => role.length > 0) };
    });
}

/** The token of `Authorization: Bearer <token>` (HTTP) or `connectionParams.authorization` (graphql-ws). */
function bearerToken(source: RequestSource): string | null {
  const params = source.connectionParams;
  const fromParams = params?.authorization ?? params?.Authorization;
  const header =
    source.request?.headers.get("authorization") ?? (typeof fromParams === "string" ? fromParams : null);
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1] ?? null;
}

function digest(token: string): Buffer {
  return createHash("sha256").update(token).digest();
}
