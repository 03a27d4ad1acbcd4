import { z } from "zod";
import type { DeadLetterOffice } from "../../../durable-objects/dead-letters/dead-letter-office";
import type { DeprecatedReads } from "../../../durable-objects/dead-letters/deprecated-reads";
import { deprecationOf, eventTypes, type Deprecation } from "../../../shared/events/registry";
import { requireRole } from "../../../shared/http/auth";
import { errorResponse } from "../../../shared/http/errors";
import { readJsonBody } from "../../../shared/http/json-body";
import { LAST_RESORT_QUEUE } from "../../dead-letters/filing";
import { deadLetterQueues as subscriberDeadLetterQueues, subscriptions } from "../../router/routing-table";

/** Every dead-letter queue operators can read: the bus's and each subscriber's, and the last resort. */
const deadLetterQueues = [...subscriberDeadLetterQueues, LAST_RESORT_QUEUE];
import { newRoutes } from "./app";

const Limit = z.coerce.number().int().min(1).max(500).default(100);

/**
 * GET /ops/deprecations, one entry per deprecated version in the registry:
 *
 *   { "deprecations": [{
 *       "type": "com.plantbasedpizza.order.completed.v1",
 *       "since": RFC 3339, "sunset": RFC 3339, "replacedBy": "…order.completed.v2", "migration": URI,
 *       "subscribers": [{ "subscriber": "loyalty", "subscribed": true,
 *                         "events": 42, "firstAt": RFC 3339 | null, "lastAt": RFC 3339 | null }] }] }
 *
 * `subscribers` lists every subscriber that subscribes to the version now (`subscribed`, from the
 * routing table) or has handled some of it before (a subscriber that has moved on keeps its counts,
 * with `subscribed: false`), in the routing table's order; `events` counts what its consumer harness
 * handled (processed or duplicate), `firstAt`/`lastAt` are null while it has handled none.
 */
interface DeprecatedVersion extends Deprecation {
  type: string;
  subscribers: {
    subscriber: string;
    subscribed: boolean;
    events: number;
    firstAt: string | null;
    lastAt: string | null;
  }[];
}

/**
 * Operators' endpoints (operator role only): read the dead letters of every queue, see who still reads
 * deprecated event versions, and put an event on the bus by hand (to re-drive one fixed from a dead
 * letter). A hand-put event gets no special treatment: the router validates it like any other and
 * dead-letters it if it is not a valid event.
 */
export const opsRoutes = newRoutes()
  .use("*", requireRole("operator"))
  .get("/dead-letters", async (c) => {
    const queue = c.req.query("queue");
    if (queue !== undefined && !deadLetterQueues.includes(queue)) {
      return errorResponse(c, 400, "validation_failed", "Unknown dead-letter queue.", [
        { field: "queue", reason: `one of ${deadLetterQueues.join(", ")}` },
      ]);
    }
    const limit = Limit.safeParse(c.req.query("limit"));
    if (!limit.success)
      return errorResponse(c, 400, "validation_failed", "Bad limit.", [
        { field: "limit", reason: "a whole number from 1 to 500" },
      ]);
    const offices = c.env.DEAD_LETTER_OFFICE as DurableObjectNamespace<DeadLetterOffice>;
    const lists = await Promise.all(
      (queue ? [queue] : deadLetterQueues).map((q) => offices.getByName(q).list(limit.data)),
    );
    const deadLetters = lists
      .flat()
      .sort((a, b) => b.receivedAt.localeCompare(a.receivedAt))
      .slice(0, limit.data)
      .map(({ bodyJson, ...letter }) => ({ ...letter, body: JSON.parse(bodyJson) as unknown }));
    return c.json({ deadLetters });
  })
  .get("/deprecations", async (c) => {
    const counters = c.env.DEPRECATED_READS as DurableObjectNamespace<DeprecatedReads>;
    // Every subscriber's own object, read in parallel.
    const readsBySubscriber = await Promise.all(
      subscriptions.map(async (s) => ({
        subscription: s,
        reads: await counters.getByName(s.subscriber).reads(),
      })),
    );
    const deprecations: DeprecatedVersion[] = eventTypes.flatMap((type) => {
      const deprecation = deprecationOf(type);
      if (!deprecation) return [];
      const subscribers = readsBySubscriber.flatMap(({ subscription, reads }) => {
        const subscribed = Object.hasOwn(subscription.events, type);
        const read = reads.find((r) => r.type === type);
        if (!subscribed && !read) return [];
        return [
          {
            subscriber: subscription.subscriber,
            subscribed,
            events: read?.events ?? 0,
            firstAt: read?.firstAt ?? null,
            lastAt: read?.lastAt ?? null,
          },
        ];
      });
      return [{ type, ...deprecation, subscribers }];
    });
    return c.json({ deprecations });
  })
  .post("/bus/events", async (c) => {
    const parsed = await readJsonBody(c);
    if (!parsed.ok) return parsed.response;
    await c.env.PIZZA_EVENTS.send(parsed.body, { contentType: "json" });
    return c.json({ accepted: true, queue: "pizza-events" }, 202);
  });
