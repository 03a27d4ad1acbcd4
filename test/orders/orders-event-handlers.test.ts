import { env, exports } from "cloudflare:workers";
import { getQueueResult } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Order } from "../../durable-objects/orders/order";
import { mintToken } from "../../shared/auth/token";
import { createEvent, type PizzaEvent } from "../../shared/events/envelope";
import { startTrace } from "../../shared/events/trace";
import worker from "../../workers/orders";
import { submitCommand } from "./submit-command";
import { waitFor } from "../support/wait-for";
import { queueConsumer } from "../support/queue-batch";

/**
 * Orders' event handlers through the shared consumer harness: real queue batches handed to the
 * worker's queue handler, real Order objects, dead letters filed by the real dead-letter office.
 */
const orders = env.ORDERS;

const { deliver, deliverMessages } = queueConsumer(worker, "orders-inbox");

/** A submitted order whose payment was taken: confirmed, waiting for the kitchen. */
async function placeOrder(): Promise<string> {
  const orderId = crypto.randomUUID();
  await orders.getByName(orderId).submit(submitCommand(orderId));
  await deliver(paymentTaken(orderId));
  return orderId;
}

const paymentTaken = (orderId: string) =>
  createEvent(
    "com.plantbasedpizza.payment.taken.v1",
    {
      orderId,
      paymentId: `payment-${orderId}`,
      amount: { amount: 1150, currency: "GBP" },
      takenAt: new Date().toISOString(),
    },
    { traceparent: startTrace(), causationid: "test", subject: orderId },
  );

const preparationStarted = (
  orderId: string,
): PizzaEvent<"com.plantbasedpizza.kitchen.preparation-started.v1"> =>
  createEvent(
    "com.plantbasedpizza.kitchen.preparation-started.v1",
    { orderId, ticketId: `ticket-${orderId}`, startedAt: new Date().toISOString() },
    { traceparent: startTrace(), causationid: "test", subject: orderId },
  );

async function deadLetters(): Promise<{ messageId: string; reason: string; queue: string; body: unknown }[]> {
  const operator = await mintToken(env.JWT_SECRET, "op", "operator");
  const res = await exports.default.fetch(
    new Request("https://pizza.test/ops/dead-letters?queue=orders-inbox-dlq", {
      headers: { Authorization: `Bearer ${operator}` },
    }),
  );
  return (await res.json<{ deadLetters: [] }>()).deadLetters;
}

describe("orders' event handlers", () => {
  it("moves the order to preparing when the kitchen starts, and acks", async () => {
    const orderId = await placeOrder();
    const result = await deliver(preparationStarted(orderId));
    expect(result.explicitAcks).toHaveLength(1);
    const view = await orders.getByName(orderId).view("alice");
    expect(view?.status).toBe("preparing");
  });

  it("applies a redelivered event once", async () => {
    const orderId = await placeOrder();
    const event = preparationStarted(orderId);
    await deliver(event);
    const before = await orders.getByName(orderId).appliedEvents("alice");
    const again = await deliver(event, 2);
    expect(again.explicitAcks).toHaveLength(1);
    expect(await orders.getByName(orderId).appliedEvents("alice")).toEqual(before);
    expect((await orders.getByName(orderId).view("alice"))?.history.map((h) => h.status)).toEqual([
      "submitted",
      "confirmed",
      "preparing",
    ]);
  });

  it("dead-letters a malformed event at once, with the reason, without failing the batch", async () => {
    const orderId = await placeOrder();
    const malformed = { ...preparationStarted(orderId), data: { orderId, startedAt: "yesterday" } };
    const result = await deliverMessages([
      { id: "bad-1", body: malformed },
      { id: "bad-2", body: "not even an object" },
      { id: "good-1", body: preparationStarted(orderId) },
    ]);
    expect(result.explicitAcks.sort()).toEqual(["bad-1", "bad-2", "good-1"]);
    expect(result.retryMessages).toEqual([]);

    const letters = await waitFor("two dead letters", async () => {
      const found = (await deadLetters()).filter(
        (l) =>
          l.body === "not even an object" ||
          (l.body as { data?: unknown })?.data === malformed.data ||
          JSON.stringify(l.body) === JSON.stringify(malformed),
      );
      return found.length === 2 ? found : undefined;
    });
    expect(letters.map((l) => l.reason).sort()).toEqual(
      [
        expect.stringMatching(/^invalid data: data\.ticketId/),
        expect.stringMatching(/^invalid envelope/),
      ].sort(),
    );
    expect(letters.every((l) => l.queue === "orders-inbox")).toBe(true);
  });

  // (The backoff delays themselves are checked in test/shared/consumer-harness.test.ts: the plugin's
  // getQueueResult does not report delaySeconds.)
  it("retries a failing event until its last attempt, then dead-letters it", async () => {
    const neverPlaced = preparationStarted(crypto.randomUUID());
    const first = await deliver(neverPlaced, 1);
    expect(first.retryMessages).toEqual([{ msgId: expect.any(String) }]);
    expect(first.explicitAcks).toEqual([]);
    const fourth = await deliver(neverPlaced, 4);
    expect(fourth.retryMessages).toHaveLength(1);
    const last = await deliver(neverPlaced, 5);
    expect(last.retryMessages).toEqual([]);
    expect(last.explicitAcks).toHaveLength(1);
    const letter = await waitFor("the exhausted event's dead letter", async () =>
      (await deadLetters()).find((l) => (l.body as { id?: string })?.id === neverPlaced.id),
    );
    expect(letter.reason).toMatch(/^failed after 5 attempts: .*unknown order/);
  });

  it("dead-letters an event type it does not subscribe to", async () => {
    const orderId = await placeOrder();
    const events = await orders.getByName(orderId).appliedEvents("alice");
    const confirmed = events!.find((e) => e.type === "com.plantbasedpizza.order.confirmed.v2");
    const result = await deliver(confirmed);
    expect(result.explicitAcks).toHaveLength(1);
    const letter = await waitFor("the unsubscribed event's dead letter", async () =>
      (await deadLetters()).find((l) => (l.body as { id?: string })?.id === confirmed!.id),
    );
    expect(letter.reason).toBe("orders does not subscribe to com.plantbasedpizza.order.confirmed.v2");
  });
});
