/**
 * One structured JSON line per thing worth knowing. Workers Logs indexes objects passed to
 * console.log, so operators can filter by type, id, traceparent or outcome in the dashboard.
 * Never pass payloads, tokens or addresses here: identifiers and outcomes only.
 */
export type LogFields = Record<string, string | number | boolean | undefined>;

export function logEvent(fields: LogFields): void {
  console.log(fields);
}
