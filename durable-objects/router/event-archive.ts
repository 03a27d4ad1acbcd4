/**
 * The event archive's layout in R2 (bucket `pizza-event-archive`, the router's EVENT_ARCHIVE binding),
 * shared by the one writer (the router, workers/router/archive.ts) and the one reader (ArchiveReplay).
 *
 * An object is NDJSON: one line per event, each exactly the body the router received and forwarded. Its
 * key starts with the UTC hour of its events' `time` (CloudEvents' time of the fact, not of archiving):
 *
 *   events/2026/11/24/03/20261124T031502123Z-<uuid>.ndjson
 *
 * so a replay of a time range lists exactly the hours of the range, even for an event the router only
 * got hours after its `time` (the bus retries for up to 15 h). Within an hour, keys sort by when they
 * were archived; the uuid keeps two routers archiving in the same millisecond apart.
 */
export const ARCHIVE_ROOT = "events/";
export const ARCHIVE_CONTENT_TYPE = "application/x-ndjson";
const HOUR_MS = 60 * 60 * 1000;

/** The start of the UTC hour an instant falls in (ms since the epoch). */
export function hourStart(time: Date | string): number {
  const ms = typeof time === "string" ? Date.parse(time) : time.getTime();
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

/** `events/2026/11/24/03/`: where the events whose `time` falls in that hour are archived. */
export function hourPrefix(hour: number): string {
  const iso = new Date(hour).toISOString();
  return `${ARCHIVE_ROOT}${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(11, 13)}/`;
}

/** The start of every hour that [from, to) touches, oldest first. */
export function hoursOf(from: Date, to: Date): number[] {
  const hours: number[] = [];
  for (let hour = hourStart(from); hour < to.getTime(); hour += HOUR_MS) hours.push(hour);
  return hours;
}

/** A new object's key in an hour: archive time (so keys sort by it), then something unique. */
export function archiveKey(hour: number, archivedAt: Date, unique: string): string {
  const stamp = archivedAt.toISOString().replace(/[-:.]/g, "");
  return `${hourPrefix(hour)}${stamp}-${unique}.ndjson`;
}

/** An object's body: each event on its own line, as received. */
export function toNdjson(bodies: readonly unknown[]): string {
  return bodies.map((b) => `${JSON.stringify(b)}\n`).join("");
}

/** An object's lines (empty lines, as after the last event, are not events). */
export function linesOf(ndjson: string): string[] {
  return ndjson.split("\n").filter((line) => line.trim() !== "");
}
