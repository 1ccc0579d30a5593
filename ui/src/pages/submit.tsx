// /ui/models/<Name>/new: a job's payload and options, as a form generated from the
// model's JSON Schema; the server's validation errors appear next to their fields.
import { type FormEvent, useMemo, useState } from "react";
import { errorMessage } from "../client.ts";
import { submitJob } from "../dynamic.ts";
import { type FieldErrors, initialValue, inputId, SchemaField } from "../form.tsx";
import { useAction, useTitle } from "../hooks.ts";
import type { JsonSchema, Model } from "../models.tsx";
import { jobPath, Link, navigate } from "../router.tsx";

/** The job options every model takes (SubmitXInput's fields besides the payload). */
const OPTIONS: JsonSchema = {
  type: "object",
  properties: {
    maxRetries: { type: "integer", minimum: 0, description: "Failed runs to retry (default: the queue's)." },
    partitionKey: { type: "string" },
    idempotencyKey: {
      type: "string",
      description: "A second submit with the same key returns the first job.",
    },
    periodicIntervalSeconds: { type: "number", minimum: 0, description: "Run again every so many seconds." },
    periodicMaxRuns: { type: "integer", minimum: 1 },
    periodicInitialDelaySeconds: {
      type: "number",
      minimum: 0,
      description: "Wait this long before the first run.",
    },
  },
};

function dropUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropUndefined);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, dropUndefined(v)]),
    );
  }
  return value;
}

export function SubmitPage({ model }: { model: Model }) {
  const [payload, setPayload] = useState(() => initialValue(model.payloadSchema, true));
  const [options, setOptions] = useState<unknown>({});
  const [errors, setErrors] = useState<FieldErrors>({});
  const [jsonErrors, setJsonErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string | null>(null);
  const [state, submit] = useAction(useMemo(() => submitJob(model), [model]));
  useTitle(`New ${model.name}`);

  const onJsonError = (path: string, error: string | null) =>
    setJsonErrors((current) => {
      const next = { ...current };
      if (error) next[path] = error;
      else delete next[path];
      return next;
    });

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setMessage(null);
    setErrors({});
    if (Object.keys(jsonErrors).length > 0) {
      setMessage("Some fields are not valid JSON.");
      return;
    }
    const input = dropUndefined({ ...(options as object), payload }) as Record<string, unknown>;
    const result = await submit({ input });
    if (result.data?.job) {
      navigate(jobPath(result.data.job.id));
      return;
    }
    if (result.error) {
      const fields: FieldErrors = {};
      for (const error of result.error.graphQLErrors) {
        const list = error.extensions?.fields as { path: string; message: string }[] | undefined;
        for (const field of list ?? []) fields[field.path] = field.message;
      }
      setErrors(fields);
      setMessage(errorMessage(result.error));
      const first = Object.keys(fields)[0];
      if (first) document.getElementById(inputId(first))?.focus();
    }
  };

  const allErrors = { ...errors, ...jsonErrors };
  return (
    <section aria-labelledby="submit-title">
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to="/">Overview</Link> / <Link to={`/models/${model.name}`}>{model.name}</Link>
      </nav>
      <h1 id="submit-title">Submit a {model.name}</h1>
      <form className="submit-form" onSubmit={onSubmit} noValidate>
        {message && (
          <p role="alert" className="error-banner">
            {message}
          </p>
        )}
        <SchemaField
          name="Payload"
          path="payload"
          schema={model.payloadSchema}
          required
          value={payload}
          onChange={setPayload}
          errors={allErrors}
          onJsonError={onJsonError}
        />
        <details className="options">
          <summary>Job options</summary>
          <SchemaField
            name="Options"
            path="options"
            schema={OPTIONS}
            required
            value={options}
            onChange={setOptions}
            errors={Object.fromEntries(Object.entries(allErrors).map(([k, v]) => [`options.${k}`, v]))}
            onJsonError={onJsonError}
          />
        </details>
        <div className="form-actions">
          <button type="submit" className="primary" disabled={state.fetching}>
            {state.fetching ? "Submitting…" : "Submit"}
          </button>
        </div>
      </form>
    </section>
  );
}
