/**
 * W3C trace context (https://www.w3.org/TR/trace-context/) carried in every event's `traceparent`
 * extension. Cloudflare's tracing does not propagate context across Workers, Durable Objects or Queues,
 * so the envelope carries it: the API request starts (or continues) a trace and every later event
 * copies the value unchanged, so one id ties a whole order's story together in the logs.
 */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

function randomHex(bytes: number): string {
  const buf = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(buf, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function isTraceparent(value: string): boolean {
  const m = TRACEPARENT.exec(value);
  // All-zero trace or span ids are invalid by the spec.
  return !!m && !/^0+$/.test(m[1]!) && !/^0+$/.test(m[2]!);
}

/** Continues the caller's trace when it sent a valid header, otherwise starts a new one. */
export function startTrace(incoming?: string | null): string {
  const header = incoming?.trim().toLowerCase();
  const traceId = header && isTraceparent(header) ? header.slice(3, 35) : randomHex(16);
  const flags = header && isTraceparent(header) ? header.slice(53, 55) : "01";
  return `00-${traceId}-${randomHex(8)}-${flags}`;
}

/**
 * For commands that arrive through the gateway: the gateway already started the request's trace and
 * passed it in the `traceparent` header, so keep it unchanged (start one only if it is missing).
 */
export function continueTrace(header?: string | null): string {
  const value = header?.trim().toLowerCase();
  return value && isTraceparent(value) ? value : startTrace();
}
