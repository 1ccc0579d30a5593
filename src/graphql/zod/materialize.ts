/**
 * Phase two of the zod → GraphQL mapping: register a {@link TypePlan}'s types on a builder,
 * reusing what an earlier mapping already registered for the same (schema, name).
 */
import { type InputFieldRef, InputListRef, type InputTypeParam, ListRef, type TypeParam } from "@pothos/core";
import { UnsupportedSchemaError } from "../../errors.js";
import type { ZodSchema } from "../../model/shape/introspect.js";
import type { NamedTypePlan, ScalarName, TypeNode, TypePlan } from "../../model/shape/plan.js";
import type { Builder } from "../builder.js";
import { addScalars } from "./scalars.js";
import type { Types } from "./types.js";

/** Any value of an input field, as Pothos normalizes an unknown input shape. */
type InputValue = NonNullable<unknown> | null | undefined;
type OutputParam = TypeParam<Types>;
type InputParam = InputTypeParam<Types>;

/** What one registered type remembers: where it came from and the ref to reuse. */
interface Registered {
  kind: NamedTypePlan["kind"];
  schema: ZodSchema;
  origin: string;
  output?: OutputParam;
  input?: InputParam;
}

const registries = new WeakMap<Builder, Map<string, Registered>>();

function registryOf(builder: Builder): Map<string, Registered> {
  let registry = registries.get(builder);
  if (!registry) {
    registry = new Map();
    registries.set(builder, registry);
  }
  return registry;
}

function describeOrigin(model: string, path: (string | number)[]): string {
  return `model ${model}, field ${path.join(".") || "(root)"}`;
}

class Materializer {
  private readonly registry: Map<string, Registered>;

  constructor(
    private readonly builder: Builder,
    private readonly model: string,
  ) {
    this.registry = registryOf(builder);
  }

  register(plan: TypePlan): void {
    for (const type of plan.types) {
      const existing = this.registry.get(type.name);
      if (existing && (existing.schema !== type.schema || existing.kind !== type.kind)) {
        throw new UnsupportedSchemaError(
          this.model,
          type.path,
          `GraphQL type name "${type.name}" is already used by a different schema (${existing.origin})`,
        );
      }
    }
    const created = plan.types.filter((type) => !this.registry.has(type.name));
    // Create every ref first so fields can point at types of the same plan (recursion included).
    const implementations = created.map((type) => this.create(type));
    for (const implement of implementations) implement();
  }

  /** Registers the type's ref and returns what fills in its fields once all refs exist. */
  private create(type: NamedTypePlan): () => void {
    const entry: Registered = {
      kind: type.kind,
      schema: type.schema,
      origin: describeOrigin(this.model, type.path),
    };
    this.registry.set(type.name, entry);
    if (type.kind === "enum") {
      const ref = this.builder.enumType(type.name, {
        description: type.description,
        values: Object.fromEntries(type.values.map(({ name, value }) => [name, { value }])),
      });
      entry.output = ref;
      entry.input = ref;
      return () => {};
    }
    if (type.kind === "object") {
      const ref = this.builder.objectRef<Record<string, unknown>>(type.name);
      entry.output = ref;
      return () => {
        const fields = type.fields.map((field) => ({ ...field, type: this.output(field.type) }));
        ref.implement({
          description: type.description,
          fields: (t) =>
            Object.fromEntries(
              fields.map(({ key, type: fieldType, nullable, description }) => [
                key,
                t.field({
                  type: fieldType,
                  nullable,
                  description,
                  resolve: (parent) => parent[key] as never,
                }),
              ]),
            ),
        });
      };
    }
    const ref = this.builder.inputRef<Record<string, InputValue>>(type.name);
    entry.input = ref;
    return () => {
      const fields = type.fields.map((field) => ({ ...field, type: this.input(field.type) }));
      ref.implement({
        description: type.description,
        fields: (t) =>
          Object.fromEntries(
            fields.map(({ key, type: fieldType, nullable, description }) => [
              key,
              t.field({ type: fieldType, required: !nullable, description }) as InputFieldRef<
                Types,
                InputValue
              >,
            ]),
          ),
      });
    };
  }

  private scalar(name: ScalarName) {
    if (name === "JSON" || name === "DateTime") {
      const refs = addScalars(this.builder);
      return name === "JSON" ? refs.json : refs.dateTime;
    }
    // Built-in scalars are referenced by name; Pothos adds them when the schema is built.
    return name;
  }

  output(node: TypeNode): OutputParam {
    switch (node.kind) {
      case "scalar":
        return this.scalar(node.name);
      case "list":
        return new ListRef<Types, unknown>(this.output(node.of), node.nullableItems);
      case "named": {
        const ref = this.registry.get(node.name)?.output;
        if (ref === undefined) throw new Error(`jobstar bug: output type ${node.name} was not registered`);
        return ref;
      }
    }
  }

  input(node: TypeNode): InputParam {
    switch (node.kind) {
      case "scalar":
        return this.scalar(node.name);
      case "list":
        return new InputListRef<Types, unknown>(this.input(node.of), !node.nullableItems);
      case "named": {
        const ref = this.registry.get(node.name)?.input;
        if (ref === undefined) throw new Error(`jobstar bug: input type ${node.name} was not registered`);
        return ref;
      }
    }
  }
}

/** Registers `plan` on `builder` and returns the ref of its root output type. */
export function materializeOutput(builder: Builder, plan: TypePlan, model: string): OutputParam {
  const materializer = new Materializer(builder, model);
  materializer.register(plan);
  return materializer.output(plan.root);
}

/** Registers `plan` on `builder` and returns the ref of its root input type. */
export function materializeInput(builder: Builder, plan: TypePlan, model: string): InputParam {
  const materializer = new Materializer(builder, model);
  materializer.register(plan);
  return materializer.input(plan.root);
}
