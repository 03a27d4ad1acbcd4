import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { readsOf, type DeprecatedReads } from "../../durable-objects/dead-letters/deprecated-reads";
import { defineSubscription } from "../../shared/bus/subscription";
import { deprecatedReadsNames } from "../../shared/consumer/deprecated-reads-shards";
import { consumeEvents, type DeprecatedReadsCounter } from "../../shared/consumer/harness";
import { createEvent } from "../../shared/events/envelope";
import { startTrace } from "../../shared/events/trace";
import worker from "../../workers/loyalty";
import { queueConsumer } from "../support/queue-batch";

/**
 * Loyalty still reads order.completed.v1, which is deprecated: its consumer harness counts every one it
 * handles in loyalty's DeprecatedReads object (owned by the dead-letters worker, reached by script_name),
 * so operators can see who still reads it before the sunset. The counts are read back from that object.
 */
const COMPLETED_V1 = "com.plantbasedpizza.order.completed.v1";
const COMPLETED_V2 = "com.plantbasedpizza.order.completed.v2";

const counters = env.DEPRECATED_READS as DurableObjectNamespace<DeprecatedReads>;
const readOf = async (subscriber: string, type: string) =>
  (await readsOf(counters, subscriber)).find((r) => r.type === type);
const handledSoFar = async (subscriber: string, type: string) =>
  (await readOf(subscriber, type))?.events ?? 0;

const trace = (subject: string) => ({ traceparent: startTrace(), causationid: "test", subject });

function completedV1(customerId = `reader-${crypto.randomUUID()}`) {
  const orderId = crypto.randomUUID();
  return createEvent(
    COMPLETED_V1,
    {
      orderId,
      customerId,
      fulfilment: "collection",
      total: { amount: 1500, currency: "GBP" },
      completedAt: new Date().toISOString(),
    },
    trace(orderId),
  );
}

function completedV2() {
  const orderId = crypto.randomUUID();
  const gbp = (amount: number) => ({ amount, currency: "GBP" });
  return createEvent(
    COMPLETED_V2,
    {
      orderId,
      customerId: "v2-reader",
      fulfilment: "collection",
      total: { net: gbp(1250), tax: gbp(250), gross: gbp(1500) },
      completedAt: new Date().toISOString(),
    },
    trace(orderId),
  );
}

describe("loyalty's reads of a deprecated version", () => {
  const loyalty = queueConsumer(worker, "loyalty-inbox");

  it("are counted in loyalty's DeprecatedReads, exactly as many as it handled, with when", async () => {
    const before = await handledSoFar("loyalty", COMPLETED_V1);
    const startedAt = new Date().toISOString();
    const events = [completedV1(), completedV1(), completedV1(), completedV1()];

    const result = await loyalty.deliverBatch(events);
    expect(result.explicitAcks).toHaveLength(4);
    expect(result.retryMessages).toEqual([]);

    const read = await readOf("loyalty", COMPLETED_V1);
    expect(read?.events).toBe(before + 4);
    expect(read!.lastAt >= startedAt).toBe(true);
    expect(read!.firstAt <= read!.lastAt).toBe(true);
  });

  it("counts a duplicate it handled, but not one it dead-lettered", async () => {
    const completed = completedV1();
    await loyalty.deliver(completed);
    const before = await handledSoFar("loyalty", COMPLETED_V1);
    const malformed = { ...completedV1(), data: { orderId: "no total" } };

    const result = await loyalty.deliverBatch([completed, malformed]);
    expect(result.explicitAcks).toHaveLength(2);
    // The redelivery is a duplicate (handled: counted); the malformed one went to the dead letters.
    expect(await handledSoFar("loyalty", COMPLETED_V1)).toBe(before + 1);
  });
});

describe("the consumer harness's counting", () => {
  /** A subscriber of its own (its own DeprecatedReads object) that reads both versions. */
  const subscription = (subscriber: string) =>
    defineSubscription({
      subscriber,
      queue: "loyalty-inbox",
      binding: "LOYALTY_INBOX",
      deadLetterQueue: "loyalty-inbox-dlq",
      events: { [COMPLETED_V1]: "the old version", [COMPLETED_V2]: "the new version" },
      retry: { attempts: 5, firstDelaySeconds: 1, maxDelaySeconds: 300 },
      intake: { batchSize: 50, batchWaitSeconds: 5, concurrency: "auto" },
    });

  const consumer = (subscriber: string, deprecatedReads: (env: Env) => DeprecatedReadsCounter) =>
    queueConsumer(
      {
        queue: consumeEvents<typeof COMPLETED_V1 | typeof COMPLETED_V2, Env>({
          subscription: subscription(subscriber),
          deadLetters: (env) => env.DEAD_LETTERS,
          deprecatedReads,
          handlers: { [COMPLETED_V1]: async () => "processed", [COMPLETED_V2]: async () => "duplicate" },
        }),
      },
      "loyalty-inbox",
    );

  afterEach(() => vi.restoreAllMocks());

  it("counts only the deprecated version, in the real DeprecatedReads", async () => {
    const subscriber = `both-versions-${crypto.randomUUID()}`;
    const { deliverBatch } = consumer(subscriber, () => counters);
    const result = await deliverBatch([completedV1(), completedV2(), completedV1(), completedV2()]);
    expect(result.explicitAcks).toHaveLength(4);
    expect(await readsOf(counters, subscriber)).toEqual([
      { type: COMPLETED_V1, events: 2, firstAt: expect.any(String), lastAt: expect.any(String) },
    ]);
  });

  it("makes one call per batch, and none for a batch with nothing deprecated", async () => {
    const calls: { name: string; subscriber: string; reads: Record<string, number> }[] = [];
    const recorder: DeprecatedReadsCounter = {
      getByName: (name) => ({
        count: async (subscriber, reads) => void calls.push({ name, subscriber, reads }),
      }),
    };
    const { deliverBatch } = consumer("recorded", () => recorder);
    await deliverBatch([completedV1(), completedV1(), completedV2(), completedV1()]);
    await deliverBatch([completedV2(), completedV2()]);
    expect(calls).toEqual([
      {
        name: expect.stringMatching(/^recorded\/[0-7]$/),
        subscriber: "recorded",
        reads: { [COMPLETED_V1]: 3 },
      },
    ]);
  });

  it("spreads a busy subscriber's batches over its counters, and the sum on read is every batch's", async () => {
    const subscriber = `busy-${crypto.randomUUID()}`;
    const { deliverBatch } = consumer(subscriber, () => counters);
    for (let batch = 0; batch < 40; batch++) await deliverBatch([completedV1(), completedV2()]);
    const shares = await Promise.all(
      deprecatedReadsNames(subscriber).map(
        async (n) => (await counters.getByName(n).reads())[0]?.events ?? 0,
      ),
    );
    // The object named by the subscriber alone counted before the split: nothing new goes there.
    expect(shares[0]).toBe(0);
    // 40 batches over 8 counters at random: all of them in one would be a 1 in 8^39 chance.
    expect(shares.filter((n) => n > 0).length).toBeGreaterThan(1);
    expect(shares.reduce((a, b) => a + b, 0)).toBe(40);
    expect((await readsOf(counters, subscriber))[0]?.events).toBe(40);
  });

  it("never fails the batch when counting fails, and logs one line without payloads", async () => {
    const log = vi.spyOn(console, "log");
    const bindingThrows = consumer("counter-missing", () => {
      throw new Error("no DEPRECATED_READS binding");
    });
    const countRejects = consumer("counter-down", () => ({
      getByName: () => ({ count: () => Promise.reject(new Error("object overloaded")) }),
    }));

    for (const { deliverBatch } of [bindingThrows, countRejects]) {
      const result = await deliverBatch([completedV1(), completedV1(), completedV2()]);
      expect(result.explicitAcks).toHaveLength(3);
      expect(result.retryMessages).toEqual([]);
    }
    const notCounted = log.mock.calls
      .map(([fields]) => fields as Record<string, unknown>)
      .filter((f) => f.outcome === "deprecated-reads-not-counted");
    expect(notCounted).toEqual([
      {
        context: "counter-missing",
        queue: "loyalty-inbox",
        outcome: "deprecated-reads-not-counted",
        types: COMPLETED_V1,
        events: 2,
        reason: "no DEPRECATED_READS binding",
      },
      {
        context: "counter-down",
        queue: "loyalty-inbox",
        outcome: "deprecated-reads-not-counted",
        types: COMPLETED_V1,
        events: 2,
        reason: "object overloaded",
      },
    ]);
  });
});
