import type { Context } from "hono";
import { z } from "zod";
import type { InboxEntry } from "../../../shared/durable/inbox";
import { OrderId } from "../../../shared/events/catalog/ids";
import type { PizzaEvent } from "../../../shared/events/envelope";
import { isRegistered, registry } from "../../../shared/events/registry";
import { errorResponse } from "../../../shared/http/errors";
import { apiRoute, json, OrderIdParams, routesOf } from "../../../shared/http/openapi";
import { logEvent } from "../../../shared/log";
import { newRoutes, type OrdersApp } from "./app";

/** One context's handling of an event: when its object applied it, on which delivery attempt. */
export const Handling = z.object({
  context: z.string(),
  at: z.string(),
  attempts: z.number().int().nullable().meta({
    description: "The queue delivery that applied it (1: the first); null where the inbox did not keep it.",
  }),
  outcome: z.string(),
});

export const TimelineEvent = z.object({
  id: z.string(),
  type: z.string(),
  source: z.string(),
  // The registry's producer of its type.
  producer: z.string().meta({ description: "The context that produced it." }),
  time: z.string(),
  causationid: z.string().optional(),
  traceparent: z.string().optional(),
  handledBy: z.array(Handling).meta({ description: "Which contexts applied it, when, oldest first." }),
});
export type TimelineEvent = z.infer<typeof TimelineEvent>;

/** GET /ops/orders/{orderId}/timeline's answer (the schemas, for the OpenAPI document too). */
export const Timeline = z.object({
  orderId: z.string(),
  events: z.array(TimelineEvent),
  unavailable: z.array(z.string()).optional().meta({
    description:
      "Contexts that did not answer: the timeline lacks what they handled (absent when all answered).",
  }),
});
export type Timeline = z.infer<typeof Timeline>;

/**
 * What each context's entrypoint answers (`wrangler types` cannot see another worker's entrypoints, so
 * the shapes are named here, as for the context APIs in shared/http/context-api.ts).
 */
interface HandledAbout {
  handledAbout(orderId: string): Promise<InboxEntry[]>;
}
interface LoyaltyHandledAbout {
  handledAbout(orderId: string, customerId: string): Promise<InboxEntry[]>;
}
interface AnalyticsHandledAbout {
  handledAbout(
    orderId: string,
    confirmations: { source: string; id: string; confirmedAt: string }[],
  ): Promise<InboxEntry[]>;
}

type Asked = { context: string; entries: InboxEntry[] } | { context: string; failed: string };

async function ask(context: string, question: () => Promise<InboxEntry[]>): Promise<Asked> {
  try {
    return { context, entries: await question() };
  } catch (error) {
    return { context, failed: error instanceof Error ? error.message : String(error) };
  }
}

/** The producer of an event: its type's registered producer, else what its source names. */
function producerOf(type: string, source: string): string {
  if (isRegistered(type)) return registry[type].producer;
  return source.replace(/^\/contexts\//, "");
}

const keyOf = (e: { source: string; id: string }) => `${e.source} ${e.id}`;

/**
 * The order's timeline from what each context knows: the facts the Order applied (its own events and
 * the other contexts' it consumed) and every context's inbox entries about the order, one entry per
 * event (by source and id), each with the contexts that handled it, oldest first by the event's time
 * (events of the same instant keep the Order's own order, which is causal). Exported for the tests.
 */
export function buildTimeline(
  applied: PizzaEvent[],
  handled: { context: string; entries: InboxEntry[] }[],
): TimelineEvent[] {
  const events = new Map<string, TimelineEvent>();
  const described = (e: {
    id: string;
    type: string;
    source: string;
    time: string;
    causationid?: string;
    traceparent?: string;
  }): TimelineEvent => ({
    id: e.id,
    type: e.type,
    source: e.source,
    producer: producerOf(e.type, e.source),
    time: e.time,
    ...(e.causationid ? { causationid: e.causationid } : {}),
    ...(e.traceparent ? { traceparent: e.traceparent } : {}),
    handledBy: [],
  });
  for (const event of applied) events.set(keyOf(event), described(event));
  for (const { context, entries } of handled) {
    for (const entry of entries) {
      const key = keyOf(entry);
      // An event only an inbox knows (a command to payments, an older version loyalty reads): as its
      // inbox row describes it; a row from before the inbox kept the event's time shows when it was applied.
      if (!events.has(key)) events.set(key, described({ ...entry, time: entry.time ?? entry.processedAt }));
      events.get(key)!.handledBy.push({
        context,
        at: entry.processedAt,
        attempts: entry.attempts,
        outcome: "processed",
      });
    }
  }
  const when = (time: string) => Date.parse(time) || 0;
  for (const event of events.values()) event.handledBy.sort((a, b) => when(a.at) - when(b.at));
  // Array sort is stable: same-instant events keep the order they were added in.
  return [...events.values()].sort((a, b) => when(a.time) - when(b.time));
}

/** The Order's confirmations (any version): where analytics counted the order. */
function confirmationsIn(applied: PizzaEvent[]) {
  return applied.flatMap((e) =>
    e.type.startsWith("com.plantbasedpizza.order.confirmed.")
      ? [{ source: e.source, id: e.id, confirmedAt: (e.data as { confirmedAt: string }).confirmedAt }]
      : [],
  );
}

const service = <T>(c: Context<OrdersApp>, binding: keyof Env) => c.env[binding] as unknown as T;

/**
 * GET /ops/orders/{orderId}/timeline (operator role, checked by the ops routes):
 *
 *   { "orderId": "…", "events": [{ "id", "type", "source", "producer", "time", "causationid"?,
 *       "traceparent"?, "handledBy": [{ "context", "at", "attempts": number | null, "outcome" }] }] }
 *
 * Every event about the order, oldest first: the Order's own events and the other contexts' events it
 * applied (from its applied events), and whatever the contexts' per-order objects applied (their
 * inboxes: payments, kitchen, delivery, collection; loyalty's entries about the order in its customer's
 * account; analytics' in the ledger of the order's confirmation). `handledBy` says which context applied
 * it, when, and on which delivery attempt (null for events applied before the inbox kept attempts), and
 * `causationid` which event or command caused it. Events that no per-order object consumed nor the Order
 * applied are missing: loyalty's points awarded (nobody subscribes to it), an older version of the
 * Order's event nobody reads, the simulated staff's handling (local only, their shift objects are not
 * asked). A context that does not answer is named in `unavailable`, and the rest is still shown.
 * 400 for an order id that is not a UUID; 404 when no context knows the order.
 */
const orderTimeline = apiRoute(
  {
    method: "get",
    path: "/{orderId}/timeline",
    tags: ["Operations"],
    summary: "An order's timeline: every event about it, and which context handled each",
    description:
      "Oldest first: the Order's own events and the other contexts' it applied, and what each context's " +
      "per-order objects applied (their inboxes), each with who handled it, when and on which delivery " +
      "attempt, and what caused it (`causationid`). A context that does not answer is named in " +
      "`unavailable`; the rest is still shown.",
    request: { params: OrderIdParams },
    responses: { 200: json(Timeline, "The order's timeline.") },
  },
  { roles: ["operator"] },
  // Unlike the other order routes, which answer 404 for any id that cannot be an order's.
  { 400: "The order id is not a UUID." },
  { 404: "No context knows the order." },
);

export const timelineRoutes = routesOf(newRoutes()).serve(orderTimeline, async (c) => {
  const orderId = c.req.param("orderId");
  if (!OrderId.safeParse(orderId).success)
    return errorResponse(c, 400, "validation_failed", "Bad order id.", [
      { field: "orderId", reason: "an order id is a UUID" },
    ]);
  // The per-order contexts are asked at once; the Order also says whose loyalty account and which
  // ledger to ask. Payments only hears of an order from the Order, so it is asked only for known ones
  // (its object sets up its tables as it starts: asking about any id would store them).
  const perOrder = [
    ask("kitchen", () => service<HandledAbout>(c, "KITCHEN").handledAbout(orderId)),
    ask("delivery", () => service<HandledAbout>(c, "DELIVERY").handledAbout(orderId)),
    ask("collection", () => service<HandledAbout>(c, "COLLECTION").handledAbout(orderId)),
  ];
  const facts = await c.env.ORDERS.getByName(orderId).timelineFacts();
  const more = facts
    ? [
        // Orders itself, beyond the Order: the customer's list of orders (GET /orders) applied order submitted.
        ask("orders", () =>
          c.env.CUSTOMER_ORDERS.getByName(facts.customerId).handledEvents({ subject: orderId }),
        ),
        ask("payments", () => service<HandledAbout>(c, "PAYMENTS").handledAbout(orderId)),
        ask("loyalty", () =>
          service<LoyaltyHandledAbout>(c, "LOYALTY").handledAbout(orderId, facts.customerId),
        ),
        ask("analytics", () =>
          service<AnalyticsHandledAbout>(c, "ANALYTICS").handledAbout(
            orderId,
            confirmationsIn(facts.applied),
          ),
        ),
      ]
    : [];
  const answers = await Promise.all([...perOrder, ...more]);
  const handled = [
    ...(facts ? [{ context: "orders", entries: facts.handled }] : []),
    ...answers.flatMap((a) => ("entries" in a ? [a] : [])),
  ];
  const unavailable = answers.flatMap((a) => ("failed" in a ? [a] : []));
  for (const { context, failed } of unavailable)
    logEvent({ at: "ops-timeline", outcome: "context-unavailable", context, orderId, reason: failed });
  const events = buildTimeline(facts?.applied ?? [], handled);
  if (events.length === 0 && unavailable.length === 0)
    return errorResponse(c, 404, "not_found", `No context knows order ${orderId}.`, [
      { field: "orderId", reason: "no context has handled an event about this order" },
    ]);
  const timeline: Timeline = {
    orderId,
    events,
    ...(unavailable.length > 0 ? { unavailable: unavailable.map((u) => u.context) } : {}),
  };
  return c.json(timeline);
}).app;
