import { describe, expect, it } from "vitest";
import {
  defineSubscription,
  intakeProblems,
  retryScheduleProblems,
  retryWindowSeconds,
  subscribedTypes,
} from "../../shared/bus/subscription";
import { inboxOf, recipientOf } from "../../shared/bus/destination";
import { eventTypes, isRegistered, registry } from "../../shared/events/registry";
import {
  BUS_DEAD_LETTER_QUEUE,
  BUS_QUEUE,
  BUS_INTAKE,
  BUS_RETRY,
  deadLetterQueues,
  subscriptions,
} from "../../workers/router/routing-table";
import { FILING_MAX_RETRIES, LAST_RESORT_QUEUE } from "../../workers/dead-letters/filing";
import { REDRIVE_BINDINGS } from "../../workers/dead-letters/redrive";
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

/** A consumer's batching as its wrangler.toml sets it, in the terms of an Intake (unset: the defaults). */
const intakeOf = (c: { max_batch_size?: number; max_batch_timeout?: number; max_concurrency?: number }) => ({
  batchSize: c.max_batch_size ?? 10,
  batchWaitSeconds: c.max_batch_timeout ?? 5,
  concurrency: c.max_concurrency ?? "auto",
});

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

  it.each(subscriptions.map((s) => [s.subscriber, s] as const))(
    "%s takes its queue as its subscription says: batch size, batch wait, concurrency",
    (_name, s) => {
      expect(intakeProblems(s.intake)).toEqual([]);
      expect(intakeOf(consumersOf(s.queue)[0]!)).toEqual(s.intake);
    },
  );

  it("is refused, with the reason, when the platform cannot take it", () => {
    expect(intakeProblems({ batchSize: 101, batchWaitSeconds: 61, concurrency: 0 })).toEqual([
      "batchSize 101 is not a whole number from 1 to 100",
      "batchWaitSeconds 61 is not from 0 to 60",
      'concurrency 0 is not "auto" or 1 to 250',
    ]);
    expect(() =>
      defineSubscription({
        subscriber: "greedy",
        queue: "greedy-inbox",
        binding: "GREEDY_INBOX",
        deadLetterQueue: "greedy-inbox-dlq",
        events: {},
        retry: { attempts: 10, firstDelaySeconds: 1, maxDelaySeconds: 60 },
        intake: { batchSize: 500, batchWaitSeconds: 0, concurrency: "auto" },
      }),
    ).toThrow(/^greedy's intake: batchSize 500/);
  });

  it("never makes the customer wait for a batch to fill", () => {
    // The path from "submitted" to "confirmed": the bus, payments, the bus again, orders.
    const customersPath = subscriptions.filter((s) => ["orders", "payments"].includes(s.subscriber));
    expect(customersPath.map((s) => s.intake.batchWaitSeconds)).toEqual([0, 0]);
    expect(BUS_INTAKE.batchWaitSeconds).toBe(0);
  });

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
  it("is consumed by the router alone, with its dead-letter queue (each shard alike: shards-config.test.ts)", () => {
    expect(consumersOf(BUS_QUEUE)).toEqual([
      expect.objectContaining({ worker: "pizza-router", dead_letter_queue: BUS_DEAD_LETTER_QUEUE }),
    ]);
    expect(router.queues?.producers).toContainEqual({
      binding: "DEAD_LETTERS",
      queue: BUS_DEAD_LETTER_QUEUE,
    });
    // It retries as long as the customer's path does, so a refusing subscriber queue costs no event.
    expect(consumersOf(BUS_QUEUE)[0]!.max_retries! + 1).toBe(BUS_RETRY.attempts);
    expect(intakeOf(consumersOf(BUS_QUEUE)[0]!)).toEqual(BUS_INTAKE);
    expect(retryScheduleProblems(BUS_RETRY)).toEqual([]);
    expect(retryWindowSeconds(BUS_RETRY)).toBeGreaterThan(6 * 3600);
  });

  it("is the only queue producers outside the router send events to (commands go to their recipient)", () => {
    const busShards = (router.queues?.consumers ?? []).map((q) => q.queue);
    expect(busShards).toContain(BUS_QUEUE);
    for (const c of configs.filter((c) => c.name !== "pizza-router")) {
      // The dead-letter office also puts a letter back on its last resort (letters, not events), and
      // redrives an operator's chosen letters, exactly as they were, to the subscriber queue they
      // failed in (never new events: only messages that were already on those queues).
      const office = c.name === "pizza-dead-letters";
      const lastResort = office ? [LAST_RESORT_QUEUE] : [];
      const redrive = office ? subscriptions.map((s) => s.queue) : [];
      // A context sends its commands straight to their one recipient's queue (test/bus/commands.test.ts).
      const recipients = eventTypes
        .filter((t) => `pizza-${registry[t].producer}` === c.name && recipientOf(t))
        .map((t) => inboxOf(recipientOf(t)!).queue);
      for (const p of c.queues?.producers ?? [])
        expect(
          [...busShards, ...deadLetterQueues, ...lastResort, ...redrive, ...recipients],
          `${c.path} ${p.binding}`,
        ).toContain(p.queue);
    }
  });

  it("lets the dead-letter office redrive a letter to every queue a letter can fail in, through the router's bindings", () => {
    const office = configs.find((c) => c.name === "pizza-dead-letters")!;
    for (const [queue, binding] of Object.entries(REDRIVE_BINDINGS))
      expect(office.queues?.producers, queue).toContainEqual({ binding, queue });
    expect(Object.keys(REDRIVE_BINDINGS).sort()).toEqual(
      [BUS_QUEUE, ...subscriptions.map((s) => s.queue)].sort(),
    );
  });

  it("files every dead-letter queue in the dead-letter office", () => {
    for (const dlq of deadLetterQueues)
      expect(
        consumersOf(dlq).map((c) => c.worker),
        dlq,
      ).toEqual(["pizza-dead-letters"]);
  });

  it("gives every dead-letter queue's consumer the last resort, filed by the same worker", () => {
    for (const dlq of deadLetterQueues.filter((q) => q !== LAST_RESORT_QUEUE))
      expect(consumersOf(dlq), dlq).toEqual([
        expect.objectContaining({ max_retries: FILING_MAX_RETRIES, dead_letter_queue: LAST_RESORT_QUEUE }),
      ]);
    const [lastResort, ...others] = consumersOf(LAST_RESORT_QUEUE);
    expect(others).toEqual([]);
    expect(lastResort).toMatchObject({ worker: "pizza-dead-letters", max_retries: FILING_MAX_RETRIES });
    // No dead-letter queue of its own: at its final attempt the worker puts the letter back on it.
    expect(lastResort!.dead_letter_queue).toBeUndefined();
    const office = configs.find((c) => c.name === "pizza-dead-letters")!;
    expect(office.queues?.producers).toContainEqual({ binding: "LAST_RESORT", queue: LAST_RESORT_QUEUE });
  });

  it("lets no consumer drop a message: each has a consumed dead-letter queue, but the last resort", () => {
    for (const c of configs)
      for (const consumer of c.queues?.consumers ?? []) {
        if (consumer.queue === LAST_RESORT_QUEUE) continue;
        const where = `${c.path}: ${consumer.queue}`;
        expect(consumer.dead_letter_queue, where).toBeDefined();
        expect(consumersOf(consumer.dead_letter_queue!), where).toHaveLength(1);
      }
  });

  it("runs every worker on one compatibility date", () => {
    expect(new Set(configs.map((c) => c.compatibility_date)).size).toBe(1);
  });
});
