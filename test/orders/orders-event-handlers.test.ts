import { env, exports } from "cloudflare:workers";
import { getQueueResult } from "cloudflare:test";
import { afterEach, describe, expect, it, vi, type MockInstance } from "vitest";
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

/** The delays the harness retried `eventId` with, oldest first, from its log lines. */
function retryDelaysOf(log: MockInstance<typeof console.log>, eventId: string): unknown[] {
  return log.mock.calls
    .map(([fields]) => fields as Record<string, unknown>)
    .filter((f) => f.outcome === "retry" && f.id === eventId)
    .map((f) => f.delaySeconds);
}

describe("orders' event handlers", () => {
  afterEach(() => vi.restoreAllMocks());

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

  // Orders' schedule (workers/orders/subscriptions.ts): 100 attempts, 1 s doubling to 10 min, 15h 7m 3s.
  // The plugin's getQueueResult records that a message was retried but drops its delaySeconds, so the
  // delay is read from the harness's log line, written from the same value it hands to message.retry().
  it("retries a payment.taken for hours, each wait longer, and confirms once orders is back", async () => {
    const log = vi.spyOn(console, "log");
    const orderId = crypto.randomUUID();
    // Until the order is there, orders fails on it: the stand-in for orders failing for hours.
    const taken = paymentTaken(orderId);
    for (const attempt of [1, 5, 50, 99]) {
      const result = await deliver(taken, attempt);
      expect(result.retryMessages, `attempt ${attempt}`).toHaveLength(1);
      expect(result.explicitAcks, `attempt ${attempt}`).toEqual([]);
    }
    expect(retryDelaysOf(log, taken.id)).toEqual([1, 16, 600, 600]);

    await orders.getByName(orderId).submit(submitCommand(orderId));
    const last = await deliver(taken, 100);
    expect(last.explicitAcks).toHaveLength(1);
    expect(last.retryMessages).toEqual([]);
    expect((await orders.getByName(orderId).view("alice"))?.status).toBe("confirmed");
  });

  it("dead-letters a failing event only at its last attempt, saying how long it tried", async () => {
    const log = vi.spyOn(console, "log");
    const neverPlaced = preparationStarted(crypto.randomUUID());
    const ninetyNinth = await deliver(neverPlaced, 99);
    expect(ninetyNinth.retryMessages).toHaveLength(1);
    expect(ninetyNinth.explicitAcks).toEqual([]);
    const last = await deliver(neverPlaced, 100);
    expect(last.retryMessages).toEqual([]);
    expect(last.explicitAcks).toHaveLength(1);
    expect(retryDelaysOf(log, neverPlaced.id)).toEqual([600]);
    const letter = await waitFor("the exhausted event's dead letter", async () =>
      (await deadLetters()).find((l) => (l.body as { id?: string })?.id === neverPlaced.id),
    );
    expect(letter.reason).toMatch(/^failed after 100 attempts over 15h 7m 3s: unknown order /);
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
