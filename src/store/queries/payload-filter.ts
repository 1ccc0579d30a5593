/**
 * Conditions on a job's payload fields, as SQL over the `data->'payload'` jsonb. Equality
 * is jsonb containment (`@>`), which a GIN index on `data->'payload'` can serve; ranges
 * compare numbers as numeric and dates as ISO 8601 text.
 */
import { type SQL, sql } from "drizzle-orm";
import { isCondition, type PayloadFilter, type PayloadValue } from "../../model/payload-fields.js";

const RANGES = { gt: ">", gte: ">=", lt: "<", lte: "<=" } as const;

const json = (value: PayloadValue) => (value instanceof Date ? value.toISOString() : value);

/** The SQL conditions of `filter` on the jsonb expression `payload`. */
export function payloadConditions(payload: SQL, filter: PayloadFilter): SQL[] {
  const conditions: SQL[] = [];
  for (const [field, given] of Object.entries(filter)) {
    const condition = isCondition(given) ? given : { eq: given };
    const contains = (value: PayloadValue) =>
      sql`${payload} @> ${JSON.stringify({ [field]: json(value) })}::jsonb`;
    if (condition.eq !== undefined) conditions.push(contains(condition.eq));
    if (condition.in !== undefined) {
      conditions.push(
        condition.in.length === 0 ? sql`false` : sql`(${sql.join(condition.in.map(contains), sql` or `)})`,
      );
    }
    for (const [name, operator] of Object.entries(RANGES) as [keyof typeof RANGES, string][]) {
      const bound = condition[name];
      if (bound === undefined) continue;
      const value = sql`${payload}->${field}::text`;
      // CASE, not AND: PostgreSQL may evaluate either side of an AND first, and a cast of
      // a value of another type would fail the whole query.
      conditions.push(
        bound instanceof Date
          ? sql`(case when jsonb_typeof(${value}) = 'string' then (${payload}->>${field}::text) collate "C" end) ${sql.raw(operator)} ${bound.toISOString()}`
          : sql`(case when jsonb_typeof(${value}) = 'number' then (${value})::numeric end) ${sql.raw(operator)} ${bound}::numeric`,
      );
    }
  }
  return conditions;
}
