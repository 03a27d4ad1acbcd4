import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Order } from "../../durable-objects/orders/order";
import { BUS, shardCount, shardFor } from "../../shared/bus/shards";
import { Outbox } from "../../shared/durable/outbox";
import { createEvent, type PizzaEvent } from "../../shared/events/envelope";
import type { EventType } from "../../shared/events/registry";
import { startTrace } from "../../shared/events/trace";
import { NO_FAULTS } from "../../shared/faults";
import { exampleData } from "../support/example-events";
import { publishedSettled, tappedQueues } from "../support/queue-tap";

/**
 * The sharded bus with real queues: orders' wrangler.toml binds every shard (as `npm run dev` runs it),
 * the outbox of each Order object publishes its events, and the tap (consuming every shard, as the
 * router does) records which shard each event reached.
 */
const LIFE: EventType[] = [
  "com.plantbasedpizza.order.submitted.v1",
  "com.plantbasedpizza.order.confirmed.v2",
  "com.plantbasedpizza.order.ready-for-collection.v1",
  "com.plantbasedpizza.order.completed.v2",
];

/** An order's events, all about it (subject: its id). */
function eventsOf(orderId: string): PizzaEvent[] {
  const traceparent = startTrace();
  return LIFE.map((type) =>
    createEvent(type, { ...(exampleData(type) as object), orderId } as never, {
      traceparent,
      causationid: "bus-shards-test",
      subject: orderId,
    }),
  );
}

describe("the sharded bus", () => {
  it("runs with several shards, as npm run dev does", () => {
    expect(shardCount(env, BUS)).toBeGreaterThanOrEqual(3);
  });

  it("keeps each order's events on one shard, the one its id picks, and spreads orders over every shard", async () => {
    // Enough orders that all landing on fewer shards than there are would take a broken spread
    // (by chance: 3 * (2/3)^30, about 1 in 60,000 runs).
    const orders = Array.from({ length: 30 }, () => crypto.randomUUID());
    await Promise.all(
      orders.map((orderId) =>
        runInDurableObject(env.ORDERS.getByName(orderId), async (_order: Order, state) => {
          const outbox = new Outbox(state.storage);
          state.storage.transactionSync(() => outbox.add(eventsOf(orderId)));
          expect(await outbox.publish(env, NO_FAULTS)).toBe(LIFE.length);
        }),
      ),
    );
    await publishedSettled();

    const tapped = await tappedQueues<PizzaEvent>();
    const shards = Array.from({ length: shardCount(env, BUS) }, (_, k) =>
      k === 0 ? BUS.queue : `${BUS.queue}-${k}`,
    );
    const shardsOf = (orderId: string) =>
      shards.filter((q) => (tapped[q] ?? []).some((e) => e.subject === orderId));
    for (const orderId of orders) {
      expect(shardsOf(orderId), orderId).toEqual([shardFor(BUS, orderId, shards.length).queue]);
      const [shard] = shardsOf(orderId);
      expect((tapped[shard!] ?? []).filter((e) => e.subject === orderId)).toHaveLength(LIFE.length);
    }
    expect(new Set(orders.flatMap(shardsOf))).toEqual(new Set(shards));
  });
});
