// Small pieces shared by the pages.
import { type ReactNode, useEffect, useRef } from "react";
import type { JobStatus } from "./gql/graphql.ts";

/** A job status as a coloured badge (the colour is never the only cue: the text is there). */
export function StatusBadge({ status }: { status: JobStatus }) {
  return (
    <span className={`badge badge-${status.toLowerCase()}`} data-status={status}>
      {status}
    </span>
  );
}

/** A time, local and short, with the exact ISO time on hover. */
export function Time({ value }: { value: string | null | undefined }) {
  if (!value) return <span className="muted">—</span>;
  const date = new Date(value);
  return (
    <time dateTime={value} title={value}>
      {date.toLocaleString(undefined, { dateStyle: "short", timeStyle: "medium" })}
    </time>
  );
}

/** A JSON value, indented and readable however deep it nests. */
export function JsonView({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <span className="muted">none</span>;
  return <pre className="json">{JSON.stringify(value, null, 2)}</pre>;
}

/** A label and its value, in a definition list. */
export function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="field-row">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** A small bar chart of counts (oldest first), with a text alternative. */
export function Sparkbars({ values, label }: { values: number[]; label: string }) {
  const max = Math.max(1, ...values);
  const width = 240;
  const height = 40;
  const bar = width / Math.max(1, values.length);
  const total = values.reduce((a, b) => a + b, 0);
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`${label}: ${total} in the last hour`}>
        {values.map((v, i) => (
          <rect
            // biome-ignore lint/suspicious/noArrayIndexKey: one bar per minute, in order
            key={i}
            x={i * bar + 0.5}
            width={Math.max(1, bar - 1)}
            y={height - (v / max) * height}
            height={(v / max) * height}
          >
            <title>{`${values.length - i} min ago: ${v}`}</title>
          </rect>
        ))}
      </svg>
      <div className="chart-axis" aria-hidden="true">
        <span>{values.length} min ago</span>
        <span>now</span>
      </div>
      <figcaption>
        {label}: {total} in the last hour (peak {Math.max(0, ...values)}/min)
      </figcaption>
    </figure>
  );
}

/** A modal confirmation: resolves through `onConfirm` / `onCancel`; Escape cancels. */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  onConfirm,
  onCancel,
}: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} onCancel={onCancel} aria-labelledby="confirm-title">
      <h2 id="confirm-title">{title}</h2>
      <div>{children}</div>
      <div className="actions">
        <button type="button" onClick={onCancel}>
          Back
        </button>
        <button type="button" className="primary" onClick={onConfirm}>
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
