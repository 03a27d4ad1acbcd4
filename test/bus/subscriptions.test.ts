import { describe, expect, it } from "vitest";
import { subscribedTypes } from "../../shared/bus/subscription";
import { isRegistered } from "../../shared/events/registry";
import {
  BUS_DEAD_LETTER_QUEUE,
  BUS_QUEUE,
  deadLetterQueues,
  subscriptions,
} from "../../workers/router/routing-table";
import { workerConfigs } from "../support/wrangler-configs";

/**
 * The subscriptions declared in code and the queues in the wrangler configs must tell one story:
 * this is what keeps "declared once, beside the consumer" true after the next change.
 */
const configs = workerConfigs();
const consumersOf = (queue: string) =>
  configs.flatMap((c) =>
    (c.queues?.consumers ?? []).filter((q) => q.queue === queue).map((q) => ({ worker: c.name, ...q })),
  );
const router = configs.find((c) => c.name === "pizza-router")!;

describe("subscriptions", () => {
  it.each(subscriptions.map((s) => [s.subscriber, s] as const))(
    "%s has its own queue, retries and dead-letter queue",
    (_name, s) => {
      const consumers = consumersOf(s.queue);
      expect(consumers, `exactly one worker consumes ${s.queue}`).toHaveLength(1);
      expect(consumers[0]!.dead_letter_queue).toBe(s.deadLetterQueue);
      expect(consumers[0]!.max_retries! + 1).toBe(s.retry.attempts);
      // Its harness dead-letters to the same queue the platform would.
      const worker = configs.find((c) => c.name === consumers[0]!.worker)!;
      expect(worker.queues?.producers?.map((p) => p.queue)).toContain(s.deadLetterQueue);
    },
  );

  it("subscribes only to registered event types", () => {
    for (const s of subscriptions)
      for (const type of subscribedTypes(s)) expect(isRegistered(type), type).toBe(true);
  });

  it("gives the router a producer binding for every subscriber queue", () => {
    for (const s of subscriptions)
      expect(router.queues?.producers).toContainEqual({ binding: s.binding, queue: s.queue });
  });

  it("has queue and binding names unique per subscriber", () => {
    expect(new Set(subscriptions.map((s) => s.queue)).size).toBe(subscriptions.length);
    expect(new Set(subscriptions.map((s) => s.binding)).size).toBe(subscriptions.length);
  });
});

describe("the bus", () => {
  it("is consumed by the router alone, with its dead-letter queue", () => {
    expect(consumersOf(BUS_QUEUE)).toEqual([
      expect.objectContaining({ worker: "pizza-router", dead_letter_queue: BUS_DEAD_LETTER_QUEUE }),
    ]);
    expect(router.queues?.producers).toContainEqual({
      binding: "DEAD_LETTERS",
      queue: BUS_DEAD_LETTER_QUEUE,
    });
  });

  it("is the only queue producers outside the router send events to", () => {
    for (const c of configs.filter((c) => c.name !== "pizza-router")) {
      for (const p of c.queues?.producers ?? [])
        expect([BUS_QUEUE, ...deadLetterQueues], `${c.path} ${p.binding}`).toContain(p.queue);
    }
  });

  it("files every dead-letter queue in the dead-letter office", () => {
    for (const dlq of deadLetterQueues)
      expect(
        consumersOf(dlq).map((c) => c.worker),
        dlq,
      ).toEqual(["pizza-dead-letters"]);
  });

  it("runs every worker on one compatibility date", () => {
    expect(new Set(configs.map((c) => c.compatibility_date)).size).toBe(1);
  });
});
