// Form inputs generated from a JSON Schema: strings, numbers, enums, booleans, nested
// objects, lists, and JSON for anything freer. Values are kept as the API will get
// them; enum labels become the API's GraphQL enum names.
import { enumValueNames } from "../../src/model/shape/names.ts";
import type { JsonSchema } from "./models.tsx";

/** Field errors by dotted path (`payload.data_id`). */
export type FieldErrors = Record<string, string>;

function kindOf(
  schema: JsonSchema,
): "enum" | "string" | "number" | "integer" | "boolean" | "object" | "array" | "json" {
  if (Array.isArray(schema.enum) && schema.enum.every((v) => typeof v === "string")) return "enum";
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  if (type === "object" && schema.properties && !schema.additionalProperties) return "object";
  if (type === "array" && schema.items) return "array";
  if (type === "string" || type === "number" || type === "integer" || type === "boolean") return type;
  return "json";
}

/** The starting value of a field of `schema`. */
export function initialValue(schema: JsonSchema, required: boolean): unknown {
  if (schema.default !== undefined) return schema.default;
  switch (kindOf(schema)) {
    case "object":
      return Object.fromEntries(
        Object.entries(schema.properties ?? {}).map(([key, sub]) => [
          key,
          initialValue(sub, schema.required?.includes(key) ?? false),
        ]),
      );
    case "array":
      return [];
    case "boolean":
      return required ? false : undefined;
    case "string":
      // Sent as typed, so an empty required field gets the server's own message.
      return required ? "" : undefined;
    case "json":
      return required && (schema.type === "object" || schema.additionalProperties) ? {} : undefined;
    default:
      return undefined;
  }
}

/** An input id for a path: `payload.data_id` → `f-payload-data_id`. */
export function inputId(path: string): string {
  return `f-${path.replace(/[^A-Za-z0-9_-]/g, "-")}`;
}

interface Props {
  name: string;
  path: string;
  schema: JsonSchema;
  required: boolean;
  value: unknown;
  onChange: (value: unknown) => void;
  errors: FieldErrors;
  /** JSON text fields that do not parse, by path: reported before anything is sent. */
  onJsonError: (path: string, message: string | null) => void;
}

function Hint({ schema }: { schema: JsonSchema }) {
  const bits: string[] = [];
  // zod gives every integer the safe-integer bounds: only real limits are worth saying.
  const real = (bound: number | undefined): bound is number =>
    bound !== undefined && Math.abs(bound) < Number.MAX_SAFE_INTEGER;
  if (real(schema.minimum)) bits.push(`≥ ${schema.minimum}`);
  if (real(schema.maximum)) bits.push(`≤ ${schema.maximum}`);
  if (schema.minLength !== undefined) bits.push(`at least ${schema.minLength} character(s)`);
  if (!schema.description && bits.length === 0) return null;
  return (
    <span className="hint">
      {schema.description}
      {schema.description && bits.length ? " " : ""}
      {bits.length > 0 && `(${bits.join(", ")})`}
    </span>
  );
}

function ErrorText({ path, errors }: { path: string; errors: FieldErrors }) {
  const message = errors[path];
  if (!message) return null;
  return (
    <span className="field-error" id={`${inputId(path)}-error`} role="alert">
      {message}
    </span>
  );
}

/** One field of a JSON Schema, and its children for objects and lists. */
export function SchemaField(props: Props) {
  const { name, path, schema, required, value, onChange, errors } = props;
  const id = inputId(path);
  const kind = kindOf(schema);
  const invalid = errors[path] ? true : undefined;
  const described = errors[path] ? `${id}-error` : undefined;
  const label = (
    <label htmlFor={id}>
      {schema.title ?? name}
      {required && (
        <span aria-hidden="true" className="required">
          {" "}
          *
        </span>
      )}
    </label>
  );

  if (kind === "object") {
    const object = (value ?? {}) as Record<string, unknown>;
    return (
      <fieldset className="nested" data-path={path}>
        <legend>{schema.title ?? name}</legend>
        <Hint schema={schema} />
        <ErrorText path={path} errors={errors} />
        {Object.entries(schema.properties ?? {}).map(([key, sub]) => (
          <SchemaField
            {...props}
            key={key}
            name={key}
            path={`${path}.${key}`}
            schema={sub}
            required={schema.required?.includes(key) ?? false}
            value={object[key]}
            onChange={(next) => onChange({ ...object, [key]: next })}
          />
        ))}
      </fieldset>
    );
  }

  if (kind === "array") {
    const items = Array.isArray(value) ? value : [];
    const itemSchema = schema.items ?? {};
    return (
      <fieldset className="nested" data-path={path}>
        <legend>{schema.title ?? name}</legend>
        <Hint schema={schema} />
        <ErrorText path={path} errors={errors} />
        {items.map((item, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: list items are positional
          <div className="list-item" key={i}>
            <SchemaField
              {...props}
              name={`${name} ${i + 1}`}
              path={`${path}.${i}`}
              schema={itemSchema}
              required
              value={item}
              onChange={(next) => onChange(items.map((old, j) => (j === i ? next : old)))}
            />
            <button type="button" onClick={() => onChange(items.filter((_, j) => j !== i))}>
              Remove {name} {i + 1}
            </button>
          </div>
        ))}
        <button type="button" onClick={() => onChange([...items, initialValue(itemSchema, true)])}>
          Add {name}
        </button>
      </fieldset>
    );
  }

  let input: React.ReactNode;
  if (kind === "enum") {
    const labels = (schema.enum ?? []).map(String);
    const names = enumValueNames(labels);
    input = (
      <select
        id={id}
        value={typeof value === "string" ? value : ""}
        aria-invalid={invalid}
        aria-describedby={described}
        required={required}
        onChange={(e) => onChange(e.target.value || undefined)}
      >
        <option value="">{required ? "Choose…" : "(none)"}</option>
        {labels.map((labelText, i) => (
          <option key={labelText} value={names[i]}>
            {labelText}
          </option>
        ))}
      </select>
    );
  } else if (kind === "boolean") {
    input = required ? (
      <input
        id={id}
        type="checkbox"
        checked={value === true}
        aria-invalid={invalid}
        aria-describedby={described}
        onChange={(e) => onChange(e.target.checked)}
      />
    ) : (
      <select
        id={id}
        value={value === undefined ? "" : String(value)}
        aria-invalid={invalid}
        aria-describedby={described}
        onChange={(e) => onChange(e.target.value === "" ? undefined : e.target.value === "true")}
      >
        <option value="">(not set)</option>
        <option value="true">yes</option>
        <option value="false">no</option>
      </select>
    );
  } else if (kind === "number" || kind === "integer") {
    input = (
      <input
        id={id}
        type="number"
        inputMode={kind === "integer" ? "numeric" : "decimal"}
        step={kind === "integer" ? 1 : "any"}
        value={typeof value === "number" ? value : ""}
        aria-invalid={invalid}
        aria-describedby={described}
        onChange={(e) => onChange(e.target.value === "" ? undefined : Number(e.target.value))}
      />
    );
  } else if (kind === "string") {
    input = (
      <input
        id={id}
        type="text"
        value={typeof value === "string" ? value : ""}
        placeholder={schema.format === "date-time" ? "2025-01-31T12:00:00Z" : undefined}
        aria-invalid={invalid}
        aria-describedby={described}
        onChange={(e) => onChange(e.target.value === "" && !required ? undefined : e.target.value)}
      />
    );
  } else {
    input = <JsonInput {...props} id={id} invalid={invalid} described={described} />;
  }
  return (
    <div className="form-field" data-path={path}>
      {label}
      <Hint schema={schema} />
      {input}
      <ErrorText path={path} errors={errors} />
    </div>
  );
}

/** A free JSON value as text; it must parse before the form is sent. */
function JsonInput(props: Props & { id: string; invalid: true | undefined; described: string | undefined }) {
  const { id, value, onChange, onJsonError, path, invalid, described } = props;
  return (
    <textarea
      id={id}
      rows={3}
      className="mono"
      defaultValue={value === undefined ? "" : JSON.stringify(value, null, 2)}
      aria-invalid={invalid}
      aria-describedby={described}
      onChange={(e) => {
        const text = e.target.value.trim();
        if (text === "") {
          onJsonError(path, null);
          onChange(undefined);
          return;
        }
        try {
          onChange(JSON.parse(text));
          onJsonError(path, null);
        } catch {
          onJsonError(path, "not valid JSON");
        }
      }}
    />
  );
}
