import { describe, expect, it } from "vitest";
import { BUS, shardsOf, type QueueName } from "../../shared/bus/shards";
import { subscriptions } from "../../workers/router/routing-table";
import { workerConfigs, type WorkerConfig } from "../support/wrangler-configs";

/**
 * How many shards a sharded queue has is set in one way only: the shard bindings in the wrangler configs
 * (shared/bus/shards.ts). This is what keeps them telling one story: every producer binds every shard,
 * and exactly one consumer consumes each, all alike. Adding a shard is a producer binding in each
 * publisher's wrangler.toml and a consumer in the router's; this test names what is missing.
 */
const configs = workerConfigs();
const router = configs.find((c) => c.name === "pizza-router")!;
const OFFICE = "pizza-dead-letters";

/** The shards of `base` a config binds as a producer, by binding name, as queue names in binding order. */
const producedShards = (c: WorkerConfig, base: QueueName) =>
  (c.queues?.producers ?? []).filter((p) => shardPattern(base.binding, "_").test(p.binding));
const consumedShards = (c: WorkerConfig, base: QueueName) =>
  (c.queues?.consumers ?? []).filter((q) => shardPattern(base.queue, "-").test(q.queue));
const shardPattern = (name: string, separator: string) => new RegExp(`^${name}(${separator}\\d+)?$`);

/** A consumer's settings but its queue: what every shard of one queue must share. */
const settings = ({ queue: _queue, ...rest }: { queue: string }) => rest;

describe("the bus's shards", () => {
  const shards = consumedShards(router, BUS).map((c) => c.queue);
  const n = shards.length;

  it("are several by default, so npm run dev and the tests exercise sharding", () => {
    expect(n).toBeGreaterThanOrEqual(3);
  });

  it("are shard 0 (the bus as it always was) to N - 1, each consumed by the router alike", () => {
    expect(shards).toEqual(shardsOf(BUS, n).map((s) => s.queue));
    const [first, ...others] = consumedShards(router, BUS);
    for (const other of others) expect(settings(other), other.queue).toEqual(settings(first!));
  });

  it("are consumed by the router alone", () => {
    for (const c of configs.filter((c) => c !== router)) expect(consumedShards(c, BUS), c.path).toEqual([]);
  });

  it("are every one bound by every worker that publishes events, and no other", () => {
    const publishers = configs.filter((c) => c.name !== OFFICE && producedShards(c, BUS).length > 0);
    expect(publishers.map((c) => c.name)).toEqual(
      expect.arrayContaining(["pizza-orders", "pizza-payments", "pizza-kitchen", "pizza-customers"]),
    );
    for (const c of publishers) expect(producedShards(c, BUS), c.path).toEqual(shardsOf(BUS, n));
  });

  it("leave the dead-letter office shard 0: a bus letter is redriven to the bus, which routes it as before", () => {
    const office = configs.find((c) => c.name === OFFICE)!;
    expect(producedShards(office, BUS)).toEqual([BUS]);
  });
});

describe("a subscriber queue's shards", () => {
  it.each(subscriptions.map((s) => [s.subscriber, s] as const))(
    "%s: as many as the router binds, each consumed by its worker alike",
    (_name, s) => {
      const base = { queue: s.queue, binding: s.binding };
      const bound = producedShards(router, base);
      expect(bound.length, `the router binds ${s.queue}`).toBeGreaterThanOrEqual(1);
      expect(bound).toEqual(shardsOf(base, bound.length));
      const consumers = configs.flatMap((c) =>
        consumedShards(c, base).map((q) => ({ worker: c.name, ...q })),
      );
      expect(consumers.map((q) => q.queue)).toEqual(bound.map((b) => b.queue));
      expect(new Set(consumers.map((q) => q.worker)).size).toBe(1);
      const [first, ...others] = consumers.map(({ worker: _w, ...q }) => q);
      for (const other of others) expect(settings(other), other.queue).toEqual(settings(first!));
    },
  );
});
