import { createHash } from "node:crypto";

/** JSON with object keys sorted, so equal data always hashes equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === "object" && !Array.isArray(v)) {
      const sorted: Record<string, unknown> = {};
      for (const key of Object.keys(v).sort()) sorted[key] = (v as Record<string, unknown>)[key];
      return sorted;
    }
    return v;
  });
}

/** SHA-256 (hex) of the canonical JSON of `value`. */
export function dataHash(value: unknown): string {
  return createHash("sha256").update(canonicalJson(value)).digest("hex");
}
