import { type Attributes, type Span, SpanStatusCode, trace } from "@opentelemetry/api";

/**
 * Runs `work` in an OpenTelemetry span named `name` (a child of the active span, if any),
 * ending it when `work` settles and marking it failed when `work` throws. Without a
 * tracer provider registered by the application, the span is a no-op.
 */
export function inSpan<T>(
  name: string,
  attributes: Attributes,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  return trace.getTracer("jobstar").startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: error instanceof Error ? error.message : String(error),
      });
      throw error;
    } finally {
      span.end();
    }
  });
}
