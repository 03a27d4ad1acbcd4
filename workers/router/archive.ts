import {
  ARCHIVE_CONTENT_TYPE,
  archiveKey,
  hourStart,
  toNdjson,
} from "../../durable-objects/router/event-archive";
import type { AnyPizzaEvent } from "../../shared/events/envelope";
import { logEvent } from "../../shared/log";

/**
 * The archive of every valid event that passes the router (R2, layout in
 * durable-objects/router/event-archive.ts), from which an operator replays a time range to one subscriber
 * (durable-objects/router/archive-replay.ts).
 *
 * One put per router batch and per hour of event time in it, not one per event: R2 charges a write
 * (class A operation) per put whatever its size, and a batch holds up to 100 events, almost always of
 * one hour (two across an hour boundary, more only when late retries meet new events).
 *
 * The router archives a batch before it forwards or acks any of it: an event whose object could not be
 * written is neither forwarded nor acked but retried, like a failed forward, so every event a subscriber
 * got is in the archive. The same event can be archived more than once (a retried batch, a duplicate
 * delivery); replays skip repeats within a run, and the subscriber's inbox drops any left.
 */
export interface ToArchive {
  message: Message<unknown>;
  event: AnyPizzaEvent;
}

/** Archives the events; answers the messages whose events could not be (none: an empty set). */
export async function archiveEvents(
  bucket: R2Bucket | undefined,
  entries: readonly ToArchive[],
  archivedAt: Date = new Date(),
): Promise<Set<Message<unknown>>> {
  const byHour = new Map<number, ToArchive[]>();
  for (const entry of entries) {
    const hour = hourStart(entry.event.time);
    byHour.set(hour, [...(byHour.get(hour) ?? []), entry]);
  }
  const unarchived = new Set<Message<unknown>>();
  await Promise.all(
    [...byHour].map(async ([hour, group]) => {
      try {
        // A missing binding fails here too, as a refused write would: nothing goes out unarchived.
        if (!bucket) throw new Error("the router has no EVENT_ARCHIVE binding");
        await bucket.put(
          archiveKey(hour, archivedAt, crypto.randomUUID()),
          // The bodies exactly as received: a replay sends what the router forwarded.
          toNdjson(group.map((g) => g.message.body)),
          {
            httpMetadata: { contentType: ARCHIVE_CONTENT_TYPE },
            customMetadata: { events: `${group.length}` },
          },
        );
      } catch (error) {
        for (const g of group) unarchived.add(g.message);
        logEvent({ at: "router", outcome: "archive-failed", count: group.length, reason: String(error) });
      }
    }),
  );
  return unarchived;
}
