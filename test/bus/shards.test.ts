import { describe, expect, it } from "vitest";
import { destinationOf, inboxOf } from "../../shared/bus/destination";
import {
  BUS,
  shardCount,
  shardFor,
  shardIndex,
  shardKeyOf,
  shardOf,
  shardQueues,
  shardsOf,
} from "../../shared/bus/shards";

/**
 * The shard function (shared/bus/shards.ts): one order's events keep to one shard, orders spread over
 * all of them, and the answer never changes between runtimes or deploys (events of an order in flight
 * across a deploy must not change shard because the code did).
 */
const keys = (n: number) => Array.from({ length: n }, (_, i) => `order-${i}-${(i * 7919) % 1000}`);

describe("the shard of a key", () => {
  it("is the same every time, and these very answers in every runtime and deploy", () => {
    // Pinned: a change here moves every order in flight to another shard at the next deploy.
    const answers = (key: string) => [1, 2, 3, 4, 8, 16].map((n) => shardIndex(key, n));
    expect(answers("7a1e0d0e-4b5f-4c8e-9d2a-1b3c4d5e6f70")).toEqual([0, 0, 2, 2, 4, 13]);
    expect(answers("customer-42")).toEqual([0, 1, 1, 3, 3, 10]);
    expect(answers("order-1")).toEqual([0, 0, 0, 0, 4, 4]);
    expect(answers("")).toEqual([0, 1, 1, 1, 1, 1]);
    for (const key of keys(100)) expect(shardIndex(key, 5)).toBe(shardIndex(key, 5));
  });

  it("is one of the shards, and keys spread evenly over them", () => {
    for (const n of [1, 2, 3, 7, 16]) {
      const counts = new Array<number>(n).fill(0);
      for (const key of keys(20_000)) {
        const k = shardIndex(key, n);
        expect(Number.isInteger(k) && k >= 0 && k < n).toBe(true);
        counts[k]!++;
      }
      // Each shard within 10% of an even share.
      for (const count of counts) expect(Math.abs(count - 20_000 / n)).toBeLessThan(0.1 * (20_000 / n));
    }
  });

  it("moves only the keys a new shard takes when shards are added", () => {
    const all = keys(20_000);
    for (const n of [1, 3, 8]) {
      const moved = all.filter((key) => shardIndex(key, n) !== shardIndex(key, n + 1));
      // About 1/(n+1) of them, and each to the new shard, never between old ones.
      expect(Math.abs(moved.length / all.length - 1 / (n + 1))).toBeLessThan(0.02);
      for (const key of moved) expect(shardIndex(key, n + 1)).toBe(n);
    }
  });

  it("is refused over no shards", () => {
    expect(() => shardIndex("order", 0)).toThrow("cannot shard over 0 queues");
  });
});

describe("a sharded queue", () => {
  it("keeps its own name as shard 0 and names the others after it", () => {
    expect(shardsOf(BUS, 3)).toEqual([
      { queue: "pizza-events", binding: "PIZZA_EVENTS" },
      { queue: "pizza-events-1", binding: "PIZZA_EVENTS_1" },
      { queue: "pizza-events-2", binding: "PIZZA_EVENTS_2" },
    ]);
    expect(shardOf(inboxOf("kitchen"), 2)).toEqual({ queue: "kitchen-inbox-2", binding: "KITCHEN_INBOX_2" });
    expect(inboxOf("staff-simulator")).toEqual({
      queue: "staff-simulator-inbox",
      binding: "STAFF_SIMULATOR_INBOX",
    });
  });

  it("has as many shards as a worker binds, counted from shard 0 while contiguous", () => {
    const q = { send: "a queue" };
    expect(shardCount({}, BUS)).toBe(0);
    expect(shardCount({ PIZZA_EVENTS: q }, BUS)).toBe(1);
    expect(shardCount({ PIZZA_EVENTS: q, PIZZA_EVENTS_1: q, PIZZA_EVENTS_2: q, OTHER: q }, BUS)).toBe(3);
    // A gap ends the count: shard 3 is not used until shard 2 exists (the config test forbids gaps).
    expect(shardCount({ PIZZA_EVENTS: q, PIZZA_EVENTS_1: q, PIZZA_EVENTS_3: q }, BUS)).toBe(2);
    expect(shardQueues({ PIZZA_EVENTS: "zero", PIZZA_EVENTS_1: "one" }, BUS)).toEqual([
      { name: BUS, queue: "zero" },
      { name: { queue: "pizza-events-1", binding: "PIZZA_EVENTS_1" }, queue: "one" },
    ]);
  });

  it("takes a message by its subject, else its id, so one order's events share a shard", () => {
    const orderId = "7a1e0d0e-4b5f-4c8e-9d2a-1b3c4d5e6f70";
    expect(shardKeyOf({ subject: orderId, id: "e-1" })).toBe(orderId);
    expect(shardKeyOf({ id: "e-1" })).toBe("e-1");
    const events = ["e-1", "e-2", "e-3", "e-4"].map((id) => ({ subject: orderId, id }));
    const shards = new Set(events.map((e) => shardFor(BUS, shardKeyOf(e), 3).queue));
    expect(shards).toEqual(new Set(["pizza-events-2"]));
    // With one shard, the queue itself.
    expect(shardFor(BUS, orderId, 1)).toBe(BUS);
  });
});

describe("where a publisher sends", () => {
  const bindings = { PIZZA_EVENTS: 0, PIZZA_EVENTS_1: 1, PIZZA_EVENTS_2: 2, PAYMENTS_INBOX: 3 };
  const orderId = "7a1e0d0e-4b5f-4c8e-9d2a-1b3c4d5e6f70";

  it("sends an event to the bus shard its subject picks", () => {
    expect(
      destinationOf({ type: "com.plantbasedpizza.order.submitted.v1", subject: orderId, id: "x" }, bindings),
    ).toEqual({ queue: "pizza-events-2", binding: "PIZZA_EVENTS_2" });
  });

  it("sends a command straight to its recipient's queue", () => {
    for (const type of [
      "com.plantbasedpizza.payments.take-payment.v1",
      "com.plantbasedpizza.payments.void-payment.v1",
      "com.plantbasedpizza.payments.refund-payment.v1",
    ])
      expect(destinationOf({ type, subject: orderId, id: "x" }, bindings)).toEqual({
        queue: "payments-inbox",
        binding: "PAYMENTS_INBOX",
      });
    // A recipient's queue sharded like the bus: the command's subject picks the shard.
    const sharded = { ...bindings, PAYMENTS_INBOX_1: 4, PAYMENTS_INBOX_2: 5 };
    expect(
      destinationOf(
        { type: "com.plantbasedpizza.payments.take-payment.v1", subject: orderId, id: "x" },
        sharded,
      ),
    ).toEqual({ queue: "payments-inbox-2", binding: "PAYMENTS_INBOX_2" });
  });
});
