import { describe, expect, it } from "vitest";
import { createEvent } from "../../shared/events/envelope";
import { startTrace } from "../../shared/events/trace";
import worker from "../../workers/router";
import { exampleData } from "../support/example-events";
import { waitFor } from "../support/wait-for";
import { queueConsumer } from "../support/queue-batch";
import { tappedQueues } from "../support/queue-tap";

/**
 * The router with real queues: what it forwards is received by a worker consuming the subscriber
 * queues and the bus's dead-letter queue (test/support/queue-tap-worker.js).
 */
const received = () => tappedQueues<{ id?: string; body?: { id?: string }; reason?: string }>();
const event = <T extends Parameters<typeof exampleData>[0]>(type: T) =>
  createEvent(type, exampleData(type), {
    traceparent: startTrace(),
    causationid: "test",
    subject: crypto.randomUUID(),
  });

const { deliverBatch: route } = queueConsumer(worker, "pizza-events");

describe("the router", () => {
  it("forwards each event, unchanged, to every subscriber of its type and to no one else", async () => {
    const confirmed = event("com.plantbasedpizza.order.confirmed.v2");
    const started = event("com.plantbasedpizza.kitchen.preparation-started.v1");
    const result = await route([confirmed, started]);
    expect(result.explicitAcks).toHaveLength(2);
    const queues = await waitFor("both events at their subscribers", async () => {
      const r = await received();
      const ok =
        r["kitchen-inbox"]?.some((e) => e.id === confirmed.id) &&
        r["orders-inbox"]?.some((e) => e.id === started.id);
      return ok ? r : undefined;
    });
    expect(queues["kitchen-inbox"]!.find((e) => e.id === confirmed.id)).toEqual(confirmed);
    expect(queues["orders-inbox"]!.some((e) => e.id === confirmed.id)).toBe(false);
    expect(queues["kitchen-inbox"]!.some((e) => e.id === started.id)).toBe(false);
  });

  it("acknowledges an event nobody subscribes to", async () => {
    const submitted = event("com.plantbasedpizza.order.submitted.v1");
    const result = await route([submitted]);
    expect(result.explicitAcks).toHaveLength(1);
    expect(result.retryMessages).toEqual([]);
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
    const letter = await waitFor("the dead letter", async () =>
      (await received())["pizza-events-dlq"]?.find((l) => l.body?.id === broken.id),
    );
    expect(letter).toMatchObject({
      kind: "dead-letter",
      queue: "pizza-events",
      reason: "unregistered event type com.plantbasedpizza.order.misplaced.v1",
      body: broken,
    });
    await waitFor("the valid event at the kitchen", async () =>
      (await received())["kitchen-inbox"]?.some((e) => e.id === confirmed.id) ? true : undefined,
    );
  });
});
