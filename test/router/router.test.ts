import { env } from "cloudflare:workers";
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createEvent } from "../../shared/events/envelope";
import type { EventType } from "../../shared/events/registry";
import { startTrace } from "../../shared/events/trace";
import worker from "../../workers/router";
import { shardFor, shardKeyOf } from "../../shared/bus/shards";
import { BUS_DEAD_LETTER_QUEUE, LOCAL_DEV_ONLY, subscriptions } from "../../workers/router/routing-table";
import { staffSimulatorSubscription } from "../../workers/staff-simulator/subscriptions";
import { exampleData } from "../support/example-events";
import { waitFor } from "../support/wait-for";
import { queueConsumer } from "../support/queue-batch";
import { tappedQueues } from "../support/queue-tap";

/**
 * The router with real queues: a worker consumes every queue the router sends to (each subscriber's
 * queue and the bus's dead-letter queue; test/support/queue-tap-worker.js) and records what arrived.
 */
type Arrival = { id?: string; body?: { id?: string }; reason?: string };
const received = () => tappedQueues<Arrival>();
const event = <T extends Parameters<typeof exampleData>[0]>(type: T) =>
  createEvent(type, exampleData(type), {
    traceparent: startTrace(),
    causationid: "test",
    subject: crypto.randomUUID(),
  });

const { deliverBatch: route } = queueConsumer(worker, "pizza-events");

/**
 * Where an event must go: the queue of every subscriber of its type, as the subscriptions declare, but
 * those of local development only: the tests run the router as a deploy builds it (shared/local-life.ts).
 */
const subscriberQueuesOf = (type: string) =>
  subscriptions
    .filter((s) => Object.hasOwn(s.events, type as EventType) && !LOCAL_DEV_ONLY.has(s))
    .map((s) => s.queue);

/** Every queue the router can send to, each with its producer binding in the router's env. */
const queues = [
  ...subscriptions.map((s) => ({ queue: s.queue, binding: s.binding })),
  { queue: BUS_DEAD_LETTER_QUEUE, binding: "DEAD_LETTERS" },
];

/**
 * Everything every queue will ever get from what the router was given so far. Absence is proven, not
 * hoped for, in three steps:
 *  1. `route` resolves only when the router's handler and anything it left to waitUntil have
 *     finished, and the router acknowledges an event only once the queues accepted every copy it sent
 *     (its sendBatch calls resolved); so every copy, misrouted or not, is in its queue by now.
 *  2. Only then is a marker put on every one of those queues, straight through the router's own
 *     producer bindings (not through the router, so a router that routes wrongly cannot hold it back).
 *  3. The local queue hands each queue's messages to the tap in the order it accepted them, one batch
 *     at a time, and the tap acknowledges them all (nothing comes back later as a retry).
 * So once every queue's marker has arrived, everything sent before it has arrived too: an event that
 * is not at a queue then was never sent there. (A copy sent with `delaySeconds` would be overtaken by
 * the marker; the router forwards without a delay.)
 */
async function everythingArrived(): Promise<Record<string, Arrival[]>> {
  const marker = `marker-${crypto.randomUUID()}`;
  const bindings = env as unknown as Record<string, Queue>;
  await Promise.all(queues.map(({ binding }) => bindings[binding]!.send({ id: marker })));
  return waitFor("the marker at every queue the router sends to", async () => {
    const r = await received();
    return queues.every(({ queue }) => r[queue]?.some((m) => m.id === marker)) ? r : undefined;
  });
}

/** At each queue, the arrivals that are (or carry, as a dead letter) one of `events`. */
function arrivalsOf(all: Record<string, Arrival[]>, events: { id: string }[]) {
  const ids = new Set(events.map((e) => e.id));
  return Object.fromEntries(
    queues.map(({ queue }) => [
      queue,
      (all[queue] ?? []).filter((m) => ids.has(m.id ?? "") || ids.has(m.body?.id ?? "")),
    ]),
  );
}

describe("the router", () => {
  it("forwards each event, unchanged, to every subscriber of its type and to no one else", async () => {
    const confirmed = event("com.plantbasedpizza.order.confirmed.v2");
    const started = event("com.plantbasedpizza.kitchen.preparation-started.v1");
    // As the subscriptions say: the kitchen reads the confirmation, orders reads the kitchen's news.
    expect(subscriberQueuesOf(confirmed.type)).toContain("kitchen-inbox");
    expect(subscriberQueuesOf(started.type)).toContain("orders-inbox");
    const result = await route([confirmed, started]);
    expect(result.explicitAcks).toHaveLength(2);

    const arrivals = arrivalsOf(await everythingArrived(), [confirmed, started]);
    // Each queue got exactly the events its subscriber reads, once each, exactly as sent; every other
    // queue (the other subscribers', the dead-letter queue) got none of them.
    expect(arrivals).toEqual(
      Object.fromEntries(
        queues.map(({ queue }) => [
          queue,
          [confirmed, started].filter((e) => subscriberQueuesOf(e.type).includes(queue)),
        ]),
      ),
    );
    expect(arrivals["orders-inbox"]).not.toContainEqual(confirmed);
    expect(arrivals["kitchen-inbox"]).not.toContainEqual(started);
  });

  it("acknowledges an event nobody subscribes to, and sends it nowhere", async () => {
    // Loyalty announces points awarded; no context reads it (yet): the archive keeps it for one that will.
    const awarded = event("com.plantbasedpizza.loyalty.points-awarded.v1");
    expect(subscriberQueuesOf(awarded.type)).toEqual([]);
    const result = await route([awarded]);
    expect(result.explicitAcks).toHaveLength(1);
    expect(result.retryMessages).toEqual([]);
    const arrivals = arrivalsOf(await everythingArrived(), [awarded]);
    expect(Object.values(arrivals).flat()).toEqual([]);
  });

  it("dead-letters an invalid event with the reason and still forwards the valid ones beside it", async () => {
    const confirmed = event("com.plantbasedpizza.order.confirmed.v2");
    const broken = {
      ...event("com.plantbasedpizza.order.confirmed.v2"),
      id: `broken-${crypto.randomUUID()}`,
      type: "com.plantbasedpizza.order.misplaced.v1",
    };
    const result = await route([broken, confirmed]);
    expect(result.explicitAcks).toHaveLength(2);

    const arrivals = arrivalsOf(await everythingArrived(), [broken, confirmed]);
    // The invalid event reaches the dead-letter queue only, as a letter saying why.
    expect(arrivals[BUS_DEAD_LETTER_QUEUE]).toEqual([
      expect.objectContaining({
        kind: "dead-letter",
        queue: "pizza-events",
        reason: "unregistered event type com.plantbasedpizza.order.misplaced.v1",
        body: broken,
      }),
    ]);
    for (const { queue } of queues.filter((q) => q.queue !== BUS_DEAD_LETTER_QUEUE))
      expect(arrivals[queue], queue).toEqual(
        subscriberQueuesOf(confirmed.type).includes(queue) ? [confirmed] : [],
      );
  });

  it("forwards nothing to the simulated staff's queue in a deploy build, where no simulated staff can run", async () => {
    const confirmed = event("com.plantbasedpizza.order.confirmed.v2");
    // The simulated staff subscribe to it; a development build (npm run dev) forwards it to them.
    expect(Object.hasOwn(staffSimulatorSubscription.events, confirmed.type)).toBe(true);
    expect((await route([confirmed])).explicitAcks).toHaveLength(1);
    const arrivals = arrivalsOf(await everythingArrived(), [confirmed]);
    expect(arrivals["kitchen-inbox"]).toEqual([confirmed]);
    expect(arrivals[staffSimulatorSubscription.queue]).toEqual([]);
  });

  it("routes what comes from any shard of the bus the same way", async () => {
    const { deliverBatch: routeShard2 } = queueConsumer(worker, "pizza-events-2");
    const confirmed = event("com.plantbasedpizza.order.confirmed.v2");
    const broken = { ...event("com.plantbasedpizza.order.confirmed.v2"), data: { orderId: "not-an-id" } };
    expect((await routeShard2([confirmed, broken])).explicitAcks).toHaveLength(2);
    const arrivals = arrivalsOf(await everythingArrived(), [confirmed, broken]);
    for (const { queue } of queues.filter((q) => q.queue !== BUS_DEAD_LETTER_QUEUE))
      expect(arrivals[queue], queue).toEqual(
        subscriberQueuesOf(confirmed.type).includes(queue) ? [confirmed] : [],
      );
    // A letter names the bus (shard 0's name), where a redrive puts it back.
    expect(arrivals[BUS_DEAD_LETTER_QUEUE]).toEqual([
      expect.objectContaining({ kind: "dead-letter", queue: "pizza-events", body: broken }),
    ]);
  });

  it("shards a subscriber's queue as the bus is, when it binds the shards: by the event's subject", async () => {
    // The kitchen's queue in two shards: its own and, standing in for kitchen-inbox-1, the delivery's
    // (a real queue, tapped, which reads no confirmation itself).
    expect(subscriberQueuesOf("com.plantbasedpizza.order.confirmed.v2")).not.toContain("delivery-inbox");
    const shardedEnv = { ...env, KITCHEN_INBOX_1: env.DELIVERY_INBOX };
    const kitchen = { queue: "kitchen-inbox", binding: "KITCHEN_INBOX" };
    const confirmations = Array.from({ length: 20 }, () => event("com.plantbasedpizza.order.confirmed.v2"));
    const batch = createMessageBatch<unknown>(
      "pizza-events",
      confirmations.map((body) => ({ id: crypto.randomUUID(), timestamp: new Date(), attempts: 1, body })),
    );
    const ctx = createExecutionContext();
    await worker.queue(batch, shardedEnv, ctx);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toHaveLength(confirmations.length);

    const arrivals = arrivalsOf(await everythingArrived(), confirmations);
    const standsFor = (queue: string) => (queue === "kitchen-inbox-1" ? "delivery-inbox" : queue);
    for (const e of confirmations) {
      const shard = standsFor(shardFor(kitchen, shardKeyOf(e), 2).queue);
      const other = shard === "kitchen-inbox" ? "delivery-inbox" : "kitchen-inbox";
      expect(arrivals[shard], e.subject).toContainEqual(e);
      expect(arrivals[other], e.subject).not.toContainEqual(e);
    }
    // Both shards got some (by chance all on one: 2 * 2^-20).
    expect(arrivals["kitchen-inbox"]!.length).toBeGreaterThan(0);
    expect(arrivals["delivery-inbox"]!.length).toBeGreaterThan(0);
  });
});
