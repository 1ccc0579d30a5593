/**
 * GraphQL naming rules used when zod schemas become GraphQL types.
 */

const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

/** Names GraphQL forbids as enum values even though they match the name grammar. */
const RESERVED_ENUM_VALUES = new Set(["true", "false", "null"]);

/** Whether `name` is a valid GraphQL name that is not reserved for introspection (`__` prefix). */
export function isGraphQLName(name: string): boolean {
  return GRAPHQL_NAME.test(name) && !name.startsWith("__");
}

/**
 * `max_depth`, `max-depth`, `maxDepth` → `MaxDepth`: the PascalCase segment a field name
 * contributes to the names of nested types.
 */
export function pascalCase(name: string): string {
  return name
    .split(/[^0-9A-Za-z]+/)
    .filter((part) => part.length > 0)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");
}

/** A valid GraphQL enum value name, or `undefined` if `raw` cannot be used unchanged. */
function asIs(raw: string): string | undefined {
  return isGraphQLName(raw) && !RESERVED_ENUM_VALUES.has(raw) ? raw : undefined;
}

/**
 * `random-forest` → `random_forest`, `1x` → `_1x`, `` → `_`, `true` → `_true`: every run of
 * characters outside `[_0-9A-Za-z]` becomes one `_`; a leading digit, a reserved word or a
 * leading `__` gets (or keeps) a single `_` prefix.
 */
function sanitize(raw: string): string {
  let name = raw.replace(/[^_0-9A-Za-z]+/g, "_").replace(/^_{2,}/, "_");
  if (name === "" || /^[0-9]/.test(name) || RESERVED_ENUM_VALUES.has(name)) name = `_${name}`;
  return name;
}

/**
 * GraphQL enum value names for raw labels, in order. Labels that are already valid names are
 * kept; the others are sanitized, and a sanitized name that is taken gets `_2`, `_3`, … appended.
 * The result depends only on the labels and their order.
 */
export function enumValueNames(labels: readonly string[]): string[] {
  const taken = new Set<string>();
  const names: (string | undefined)[] = labels.map((label) => {
    const name = asIs(label);
    if (name !== undefined) taken.add(name);
    return name;
  });
  return labels.map((label, index) => {
    const kept = names[index];
    if (kept !== undefined) return kept;
    const base = sanitize(label);
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base}_${n}`;
    taken.add(name);
    return name;
  });
}
