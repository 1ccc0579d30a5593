/**
 * The API shape of a zod schema: a plan of named object, input and enum types, lists and
 * scalars, made without any GraphQL library. `spec.addModel` plans every model so that an
 * unmappable schema fails there; the GraphQL layer then registers the planned types.
 */
import { UnsupportedSchemaError } from "../../errors.js";
import {
  type Direction,
  defOf,
  descriptionOf,
  isJsonUnion,
  isNullish,
  numberFormat,
  peel,
  type ZodSchema,
} from "./introspect.js";
import { enumValueNames, isGraphQLName, pascalCase } from "./names.js";

/** Scalars a zod schema can map to. */
export type ScalarName = "String" | "Int" | "Float" | "Boolean" | "JSON" | "DateTime";

/** A GraphQL type expression (without the outer nullability, which belongs to the field). */
export type TypeNode =
  | { kind: "scalar"; name: ScalarName }
  | { kind: "list"; of: TypeNode; nullableItems: boolean }
  | { kind: "named"; name: string };

/** One field of a planned object or input object type. */
export interface FieldPlan {
  key: string;
  type: TypeNode;
  nullable: boolean;
  description: string | undefined;
}

/** A value an enum carries internally: the original zod literal. */
export type EnumValue = string | number;

/** A GraphQL type the plan will register, with the zod schema it came from. */
export type NamedTypePlan =
  | {
      kind: "object" | "input";
      name: string;
      schema: ZodSchema;
      path: (string | number)[];
      description: string | undefined;
      fields: FieldPlan[];
    }
  | {
      kind: "enum";
      name: string;
      schema: ZodSchema;
      path: (string | number)[];
      description: string | undefined;
      values: { name: string; value: EnumValue }[];
    };

/** The GraphQL types one zod schema needs, in discovery order, and the root type expression. */
export interface TypePlan {
  root: TypeNode;
  types: NamedTypePlan[];
}

/** What a plan is made for. */
export interface PlanOptions {
  direction: Direction;
  /** Base name of the root type; input object types get `Input` appended. */
  typeName: string;
  /** Model name used in error messages. */
  model: string;
  /** Path prefix for error messages (e.g. `["payload"]`). */
  path: readonly (string | number)[];
}

interface Visited {
  node: TypeNode;
  nullable: boolean;
  description: string | undefined;
}

const JSON_NODE: TypeNode = { kind: "scalar", name: "JSON" };

function scalar(name: ScalarName): TypeNode {
  return { kind: "scalar", name };
}

/** Reasons for constructs GraphQL cannot express, by zod definition type. */
const UNSUPPORTED: Record<string, string> = {
  bigint: "bigint is not supported (not representable in JSON); use z.number().int() or z.string()",
  symbol: "symbol is not supported",
  null: "a schema that only accepts null is not supported",
  undefined: "a schema that only accepts undefined is not supported",
  void: "void is not supported",
  never: "never is not supported",
  nan: "NaN is not supported",
  tuple: "tuples are not supported; use an array or an object",
  map: "Map is not supported; use z.record() or an array of objects",
  set: "Set is not supported; use an array",
  function: "functions are not supported",
  promise: "promises are not supported",
  file: "files are not supported",
  custom: "custom schemas (z.custom, z.instanceof) are not supported",
  success: "z.success() is not supported",
  intersection: "intersections are not supported; combine object schemas with .extend() instead",
};

/** How deep a payload or artifact schema may nest. */
const MAX_DEPTH = 64;

class Planner {
  private readonly types = new Map<string, NamedTypePlan>();
  private readonly ancestors = new Map<ZodSchema, string>();

  constructor(private readonly options: PlanOptions) {}

  plan(schema: ZodSchema): TypePlan {
    const { typeName, path } = this.options;
    if (!isGraphQLName(typeName)) this.fail([...path], `"${typeName}" is not a valid GraphQL type name`);
    const root = this.visit(schema, typeName, [...path]).node;
    return { root, types: [...this.types.values()] };
  }

  private fail(path: (string | number)[], reason: string): never {
    throw new UnsupportedSchemaError(this.options.model, path, reason);
  }

  private visit(schema: ZodSchema, baseName: string, path: (string | number)[]): Visited {
    // A recursive z.lazy makes a new object schema on each expansion, so no identity check
    // catches it; a depth bound does, before the stack overflows.
    if (path.length > MAX_DEPTH) {
      this.fail(
        path.slice(0, 6),
        `the schema nests deeper than ${MAX_DEPTH} levels: a recursive z.lazy has no GraphQL type; ` +
          "bound its depth, or type that field z.unknown() (a JSON scalar)",
      );
    }
    const peeled = peel(schema, this.options.direction);
    if (!peeled) this.fail(path, "schema wrappers do not end (a z.lazy that returns itself?)");
    const typeDescription = descriptionOf(peeled.schema) ?? peeled.description;
    const { node, nullable } = this.classify(peeled.schema, baseName, path, typeDescription);
    return { node, nullable: peeled.nullable || nullable, description: peeled.description };
  }

  private classify(
    schema: ZodSchema,
    baseName: string,
    path: (string | number)[],
    description: string | undefined,
  ): { node: TypeNode; nullable: boolean } {
    const def = defOf(schema);
    const required = (node: TypeNode) => ({ node, nullable: false });
    switch (def.type) {
      case "string":
      case "template_literal":
        return required(scalar("String"));
      case "number": {
        const format = numberFormat(schema);
        return required(scalar(format === "safeint" || format === "int32" ? "Int" : "Float"));
      }
      case "boolean":
        return required(scalar("Boolean"));
      case "date":
        return required(scalar("DateTime"));
      case "any":
      case "unknown":
        return { node: JSON_NODE, nullable: true };
      case "record":
        return required(JSON_NODE);
      case "array": {
        const item = this.visit(def.element, baseName, path);
        return required({ kind: "list", of: item.node, nullableItems: item.nullable });
      }
      case "object":
        return required(this.object(schema, def.shape, baseName, path, description));
      case "enum":
      case "literal":
        return this.enumeration(schema, [schema], baseName, path, description);
      case "union":
        if (isJsonUnion(def.options)) {
          return { node: JSON_NODE, nullable: def.options.some(isNullish) };
        }
        return this.enumeration(schema, def.options, baseName, path, description);
      case "transform":
        return this.fail(
          path,
          this.options.direction === "input"
            ? "the input type of a transform (e.g. z.preprocess) cannot be determined; validate the input with a schema first"
            : "the output type of a transform cannot be determined; pipe it into a schema (.pipe(z.string())) or use z.codec",
        );
      default:
        return this.fail(path, UNSUPPORTED[def.type] ?? `${def.type} schemas are not supported`);
    }
  }

  private register(plan: NamedTypePlan): void {
    const existing = this.types.get(plan.name);
    if (existing && existing.schema !== plan.schema) {
      this.fail(
        plan.path,
        `GraphQL type name "${plan.name}" is also derived for a different schema at ${existing.path.join(".") || "(root)"}`,
      );
    }
    this.types.set(plan.name, plan);
  }

  private object(
    schema: ZodSchema,
    shape: Readonly<Record<string, ZodSchema>>,
    baseName: string,
    path: (string | number)[],
    description: string | undefined,
  ): TypeNode {
    const ancestor = this.ancestors.get(schema);
    if (ancestor !== undefined) return { kind: "named", name: ancestor };
    const keys = Object.keys(shape);
    // GraphQL object types need at least one field; an empty object is any JSON object.
    if (keys.length === 0) return JSON_NODE;
    const kind = this.options.direction === "input" ? "input" : "object";
    const name = kind === "input" ? `${baseName}Input` : baseName;
    const existing = this.types.get(name);
    if (existing?.schema === schema) return { kind: "named", name };
    const plan: NamedTypePlan = { kind, name, schema, path, description, fields: [] };
    this.register(plan);
    this.ancestors.set(schema, name);
    for (const key of keys) {
      const fieldPath = [...path, key];
      if (!isGraphQLName(key)) this.fail(fieldPath, `"${key}" is not a valid GraphQL field name`);
      const field = shape[key];
      if (field === undefined) continue;
      const visited = this.visit(field, `${baseName}${pascalCase(key) || "_"}`, fieldPath);
      plan.fields.push({
        key,
        type: visited.node,
        nullable: visited.nullable,
        description: visited.description,
      });
    }
    this.ancestors.delete(schema);
    return { kind: "named", name };
  }

  /** Enums, literals and unions of them become one GraphQL enum named `baseName`. */
  private enumeration(
    schema: ZodSchema,
    members: readonly ZodSchema[],
    baseName: string,
    path: (string | number)[],
    description: string | undefined,
  ): { node: TypeNode; nullable: boolean } {
    const labels: string[] = [];
    const values: EnumValue[] = [];
    let nullable = false;
    const add = (label: string, value: unknown) => {
      if (value === null || value === undefined) {
        nullable = true;
      } else if (typeof value === "string" || typeof value === "number") {
        if (!values.includes(value)) {
          labels.push(label);
          values.push(value);
        }
      } else {
        this.fail(
          path,
          typeof value === "boolean"
            ? "boolean literals are not supported; use z.boolean()"
            : `literal ${String(value)} of type ${typeof value} cannot be an enum value`,
        );
      }
    };
    for (const member of members) {
      const def = defOf(member);
      if (def.type === "enum") {
        const entries: Readonly<Record<string, unknown>> = def.entries;
        for (const [key, value] of Object.entries(entries)) {
          // TypeScript numeric enums also map values back to keys; skip those reverse entries.
          if (typeof value === "string" && typeof entries[value] === "number") continue;
          add(key, value);
        }
      } else if (def.type === "literal") {
        for (const value of def.values) add(String(value), value);
      } else if (!isNullish(member)) {
        this.fail(
          path,
          "unions are only supported when every member is a literal or enum (GraphQL has no input unions)",
        );
      }
    }
    if (values.length === 0) this.fail(path, "an enum needs at least one non-null value");
    const names = enumValueNames(labels);
    this.register({
      kind: "enum",
      name: baseName,
      schema,
      path,
      description,
      values: values.map((value, index) => ({ name: names[index] ?? String(value), value })),
    });
    return { node: { kind: "named", name: baseName }, nullable };
  }
}

/** Reads `schema` into the GraphQL types it needs; throws {@link UnsupportedSchemaError} if it can't. */
export function planType(schema: ZodSchema, options: PlanOptions): TypePlan {
  return new Planner(options).plan(schema);
}
