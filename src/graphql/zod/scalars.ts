/**
 * The `JSON` and `DateTime` scalars every jobstar schema declares.
 */

import type { ScalarRef } from "@pothos/core";
import { GraphQLError, Kind, type ValueNode } from "graphql";
import { z } from "zod";
import type { Builder } from "../builder.js";
import type { Types } from "./types.js";

/** Refs of the custom scalars, for `t.field({ type })` and `t.arg({ type })`. */
export interface ScalarRefs {
  json: ScalarRef<Types, unknown, unknown>;
  dateTime: ScalarRef<Types, Date | string, Date>;
}

const added = new WeakMap<Builder, ScalarRefs>();

/** ISO 8601 date-time with an explicit offset (`Z` or `±hh:mm`), as accepted on input. */
const isoDateTime = z.iso.datetime({ offset: true });

const DATE_TIME_EXAMPLE = '"2024-01-31T12:00:00Z"';

function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value instanceof Date) return "an invalid Date";
  return value === null ? "null" : typeof value;
}

function parseDateTime(value: unknown): Date {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value;
  if (typeof value === "string" && isoDateTime.safeParse(value).success) {
    const date = new Date(value);
    // PostgreSQL stores no year 0 (nor any before it): the years 1 to 9999 are accepted.
    const year = date.getUTCFullYear();
    if (!Number.isNaN(date.getTime()) && year >= 1 && year <= 9999) return date;
  }
  throw new GraphQLError(
    `DateTime must be an ISO 8601 date-time with a time zone, e.g. ${DATE_TIME_EXAMPLE}; got ${describeValue(value)} (years 1 to 9999)`,
    // graphql-js copies these onto the variable's error: the caller's input was bad.
    { extensions: { code: "VALIDATION_FAILED" } },
  );
}

function serializeDateTime(value: unknown): string {
  const date = value instanceof Date ? value : typeof value === "string" ? new Date(value) : undefined;
  if (date === undefined || Number.isNaN(date.getTime())) {
    throw new GraphQLError(
      `DateTime cannot represent ${describeValue(value)}: expected a Date or a date string`,
    );
  }
  return date.toISOString();
}

function parseJsonLiteral(node: ValueNode, variables: Record<string, unknown> | null | undefined): unknown {
  switch (node.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return node.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return node.values.map((item) => parseJsonLiteral(item, variables));
    case Kind.OBJECT:
      // fromEntries defines own properties, so a "__proto__" key cannot change the prototype.
      return Object.fromEntries(
        node.fields.map((field) => [field.name.value, parseJsonLiteral(field.value, variables)]),
      );
    case Kind.VARIABLE:
      return variables?.[node.name.value];
    case Kind.ENUM:
      throw new GraphQLError(`JSON cannot contain the bare name ${node.value}; quote strings`);
  }
}

/**
 * Implements the `JSON` scalar (any JSON value; literals of every kind, objects and lists
 * included) and the `DateTime` scalar (ISO 8601 strings out from a `Date` or a date string; on
 * input, ISO 8601 date-times with a time zone become `Date`s, anything else is rejected) on
 * `builder`. Call it once per builder; further calls return the same refs.
 */
export function addScalars(builder: Builder): ScalarRefs {
  const existing = added.get(builder);
  if (existing) return existing;
  const refs: ScalarRefs = {
    json: builder.scalarType("JSON", {
      description: "Any JSON value: object, array, string, number, boolean or null.",
      serialize: (value) => value,
      parseValue: (value) => value,
      parseLiteral: (node, variables) => parseJsonLiteral(node, variables),
    }),
    dateTime: builder.scalarType("DateTime", {
      description: "A point in time as an ISO 8601 string with a time zone, e.g. 2024-01-31T12:00:00.000Z.",
      specifiedByURL: "https://scalars.graphql.org/andimarek/date-time",
      serialize: serializeDateTime,
      parseValue: parseDateTime,
      parseLiteral: (node) => {
        if (node.kind !== Kind.STRING) {
          throw new GraphQLError(
            `DateTime must be a string, e.g. ${DATE_TIME_EXAMPLE}; got a ${node.kind} literal`,
          );
        }
        return parseDateTime(node.value);
      },
    }),
  };
  added.set(builder, refs);
  return refs;
}
