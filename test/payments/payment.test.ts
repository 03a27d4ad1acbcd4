import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Payment } from "../../durable-objects/payments/payment";
import { PROCESSING_DELAY_MS } from "../../durable-objects/payments/card-processor";
import type { DeadLetter } from "../../shared/bus/dead-letter";
import { createEvent, readEvent, type PizzaEvent } from "../../shared/events/envelope";
import { startTrace } from "../../shared/events/trace";
import worker from "../../workers/payments";
import { exampleData } from "../support/example-events";
import { eventsAbout, publishedEvents, publishedSettled, tapped } from "../support/queue-tap";
import { waitFor } from "../support/wait-for";
import { queueConsumer } from "../support/queue-batch";

/**
 * Payments' consumer with real queue batches and real Payment objects. The card processor's answer
 * is due-dated in the object's table and delivered by its alarm; tests let the processor's time pass
 * by moving that due date back (never by sleeping), then run the alarm as the platform would. What
 * payments publishes and dead-letters is read back from the real queues (test/support/queue-tap.ts).
 */
const payments = env.PAYMENTS;

const TAKE = "com.plantbasedpizza.payments.take-payment.v1";
const REFUND = "com.plantbasedpizza.payments.refund-payment.v1";
const TAKEN = "com.plantbasedpizza.payment.taken.v1";
const FAILED = "com.plantbasedpizza.payment.failed.v1";
const REFUNDED = "com.plantbasedpizza.payment.refunded.v1";

const takePayment = (orderId: string, cardToken: string) =>
  createEvent(
    TAKE,
    { ...exampleData(TAKE), orderId, amount: { amount: 2300, currency: "GBP" }, cardToken },
    {
      traceparent: startTrace(),
      causationid: `order-submitted-${orderId}`,
      subject: orderId,
    },
  );

const VOID = "com.plantbasedpizza.payments.void-payment.v1";
const VOIDED = "com.plantbasedpizza.payment.voided.v1";
const voidPayment = (orderId: string, reason = "cancelled by the customer") =>
  createEvent(
    VOID,
    { orderId, reason },
    { traceparent: startTrace(), causationid: `order-cancelled-${orderId}`, subject: orderId },
  );

const refundPayment = (orderId: string, reason = "cancelled by the customer") =>
  createEvent(
    REFUND,
    { orderId, reason },
    { traceparent: startTrace(), causationid: `order-cancelled-${orderId}`, subject: orderId },
  );

const { deliver } = queueConsumer(worker, "payments-inbox");

/** A fresh order's Payment object. */
function paymentFor(orderId = crypto.randomUUID()) {
  return { orderId, stub: payments.getByName(orderId) };
}

/** The card processor's clock moves on: its pending answer comes `ms` sooner. */
async function letTimePass(stub: DurableObjectStub<Payment>, ms: number) {
  await runInDurableObject(stub, (_p: Payment, state) => {
    state.storage.sql.exec(
      "UPDATE payment SET answer_due_at = answer_due_at - ? WHERE answer_due_at IS NOT NULL",
      ms,
    );
  });
}

const alarmOf = (stub: DurableObjectStub<Payment>) =>
  runInDurableObject(stub, (_p: Payment, state) => state.storage.getAlarm());

/**
 * Every event about the order on the bus, once all the object published has arrived: its outbox is
 * empty (the queue accepted every event), and a marker sent to every bus shard after that has reached
 * the tap (a queue delivers in order). They are exactly what the object's own log says it announced.
 */
async function onTheBus(stub: DurableObjectStub<Payment>, orderId: string): Promise<PizzaEvent[]> {
  await runDurableObjectAlarm(stub);
  await waitFor("an empty outbox", async () => ((await stub.unpublishedEvents()) === 0 ? true : undefined));
  await publishedSettled();
  const events = await eventsAbout(orderId);
  expect(events.map((e) => e.id)).toEqual((await stub.payment())?.announced.map((a) => a.id) ?? []);
  return events;
}

/** The dead letters of the message with this id, once a marker put on the queue after them has arrived. */
async function deadLettersFor(id: string): Promise<DeadLetter[]> {
  const marker = { id: `marker-${crypto.randomUUID()}` };
  await env.DEAD_LETTERS.send(marker);
  await waitFor("the marker on the dead-letter queue", async () =>
    (await tapped("payments-inbox-dlq")).some((l) => (l as { id?: unknown }).id === marker.id)
      ? true
      : undefined,
  );
  return ((await tapped("payments-inbox-dlq")) as DeadLetter[]).filter(
    (l) => (l.body as { id?: unknown } | undefined)?.id === id,
  );
}

/** Every published event is valid on the way in, about the order, and caused by `command` on its trace. */
function expectCausedBy(
  event: PizzaEvent | undefined,
  command: PizzaEvent<typeof TAKE | typeof REFUND | typeof VOID>,
) {
  expect(readEvent(event).ok).toBe(true);
  expect(event).toMatchObject({
    source: "/contexts/payments",
    subject: command.data.orderId,
    traceparent: command.traceparent,
    causationid: command.id,
  });
}

describe("taking a card payment", () => {
  it("records the payment as pending, then taken when the card processor approves", async () => {
    const { orderId, stub } = paymentFor();
    const take = takePayment(orderId, "tok_visa");
    const before = Date.now();
    const result = await deliver(take);
    expect(result.explicitAcks).toHaveLength(1);
    expect(result.retryMessages).toEqual([]);

    const pending = await stub.payment();
    // (The real alarm may already have answered on a slow machine; either way the money is right.)
    expect(pending).toMatchObject({
      paymentId: `payment-${orderId}`,
      orderId,
      amount: { amount: 2300, currency: "GBP" },
      customerId: "customer-42",
      refundRequested: false,
    });
    if (pending?.status === "pending") {
      const due = Date.parse(pending.cardAnswerDueAt!);
      expect(due).toBeGreaterThanOrEqual(before + PROCESSING_DELAY_MS);
      // The alarm is set for the answer, not left at the later publishing safety net.
      expect(await alarmOf(stub)).toBe(due);
    }

    await letTimePass(stub, PROCESSING_DELAY_MS);
    await runDurableObjectAlarm(stub);
    const taken = await stub.payment();
    expect(taken?.status).toBe("taken");
    expect(taken?.cardAnswerDueAt).toBeUndefined();

    const events = await onTheBus(stub, orderId);
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event).toMatchObject({
      type: TAKEN,
      data: { orderId, paymentId: `payment-${orderId}`, amount: { amount: 2300, currency: "GBP" } },
    });
    expectCausedBy(event, take);
  });

  it("fails a declined card with the reason, and has nothing to refund afterwards", async () => {
    const { orderId, stub } = paymentFor();
    const take = takePayment(orderId, "tok_declined");
    await deliver(take);
    await letTimePass(stub, PROCESSING_DELAY_MS);
    await runDurableObjectAlarm(stub);
    expect((await stub.payment())?.status).toBe("failed");
    const events = await onTheBus(stub, orderId);
    expect(events).toHaveLength(1);
    const [failed] = events;
    expect(failed).toMatchObject({
      type: FAILED,
      data: { orderId, paymentId: `payment-${orderId}`, reason: "card declined" },
    });
    expectCausedBy(failed, take);

    const refund = await deliver(refundPayment(orderId));
    expect(refund.explicitAcks).toHaveLength(1);
    expect((await stub.payment())?.status).toBe("failed");
    expect((await onTheBus(stub, orderId)).map((e) => e.type)).toEqual([FAILED]);
  });

  it("leaves the payment pending when the card processor never answers", async () => {
    const { orderId, stub } = paymentFor();
    await deliver(takePayment(orderId, "tok_no_answer"));
    const pending = await stub.payment();
    expect(pending?.status).toBe("pending");
    expect(pending?.cardAnswerDueAt).toBeUndefined();

    // Only the publishing safety net was armed; running it answers nothing and arms nothing more.
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await stub.payment())?.status).toBe("pending");
    expect(await alarmOf(stub)).toBeNull();
    expect(await onTheBus(stub, orderId)).toEqual([]);
    expect((await stub.payment())?.announced).toEqual([]);
  });

  it("waits N seconds for tok_answer_after_Ns, and answers only then", async () => {
    const { orderId, stub } = paymentFor();
    const before = Date.now();
    await deliver(takePayment(orderId, "tok_answer_after_120s"));
    const after = Date.now();
    const due = Date.parse((await stub.payment())!.cardAnswerDueAt!);
    expect(due).toBeGreaterThanOrEqual(before + 120_000);
    expect(due).toBeLessThanOrEqual(after + 120_000);

    // The publishing safety net fires first: too early for the answer, so the alarm moves to it.
    await runDurableObjectAlarm(stub);
    expect((await stub.payment())?.status).toBe("pending");
    expect(await alarmOf(stub)).toBe(due);

    // Ten seconds before the answer is due: still pending, still waiting for it.
    await letTimePass(stub, 110_000);
    await runDurableObjectAlarm(stub);
    expect((await stub.payment())?.status).toBe("pending");
    expect(await alarmOf(stub)).toBe(due - 110_000);
    expect(await onTheBus(stub, orderId)).toEqual([]);

    await letTimePass(stub, 10_000);
    await runDurableObjectAlarm(stub);
    expect((await stub.payment())?.status).toBe("taken");
    expect((await onTheBus(stub, orderId)).map((e) => e.type)).toEqual([TAKEN]);
  });

  it("takes one payment however often the command is delivered", async () => {
    const { orderId, stub } = paymentFor();
    const take = takePayment(orderId, "tok_answer_after_60s");
    await deliver(take);
    const again = await deliver(take, 2);
    expect(again.explicitAcks).toHaveLength(1);
    expect(again.retryMessages).toEqual([]);
    // Another take-payment command for the same order must not charge the card twice either.
    await deliver(takePayment(orderId, "tok_visa"));

    await runInDurableObject(stub, (_p: Payment, state) => {
      expect(state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM payment").one().n).toBe(1);
      expect(state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM inbox").one().n).toBe(2);
    });
    await letTimePass(stub, 60_000);
    await runDurableObjectAlarm(stub);
    await runDurableObjectAlarm(stub);
    const events = await onTheBus(stub, orderId);
    expect(events.map((e) => [e.type, e.causationid])).toEqual([[TAKEN, take.id]]);
  });

  it("acks a malformed command and dead-letters it with the reason, without retrying", async () => {
    const orderId = crypto.randomUUID();
    const take = takePayment(orderId, "tok_visa");
    const malformed = { ...take, data: { ...take.data, cardToken: "4111 1111 1111 1111" } };
    const result = await deliver(malformed);
    expect(result.explicitAcks).toHaveLength(1);
    expect(result.retryMessages).toEqual([]);
    const letters = await deadLettersFor(malformed.id);
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      kind: "dead-letter",
      queue: "payments-inbox",
      attempts: 1,
      body: malformed,
    });
    expect(letters[0]!.reason).toMatch(/^invalid data: data\.cardToken/);
    expect(await payments.getByName(orderId).payment()).toBeUndefined();
  });
});

describe("refunding a payment", () => {
  it("gives a taken payment back, with the command's reason and the amount taken", async () => {
    const { orderId, stub } = paymentFor();
    const take = takePayment(orderId, "tok_visa");
    await deliver(take);
    await letTimePass(stub, PROCESSING_DELAY_MS);
    await runDurableObjectAlarm(stub);
    expect((await stub.payment())?.status).toBe("taken");

    const refund = refundPayment(orderId, "the customer changed their mind");
    const result = await deliver(refund);
    expect(result.explicitAcks).toHaveLength(1);
    expect(await stub.payment()).toMatchObject({
      status: "refunded",
      refundRequested: true,
      refundReason: "the customer changed their mind",
    });

    const events = await onTheBus(stub, orderId);
    expect(events.map((e) => e.type)).toEqual([TAKEN, REFUNDED]);
    const [taken, refunded] = events;
    expectCausedBy(taken, take);
    expect(refunded).toMatchObject({
      type: REFUNDED,
      data: {
        orderId,
        paymentId: `payment-${orderId}`,
        amount: { amount: 2300, currency: "GBP" },
        reason: "the customer changed their mind",
      },
    });
    expectCausedBy(refunded, refund);

    // A redelivered refund gives nothing back twice.
    const again = await deliver(refund, 2);
    expect(again.explicitAcks).toHaveLength(1);
    expect((await onTheBus(stub, orderId)).map((e) => e.type)).toEqual([TAKEN, REFUNDED]);
  });

  it("refunds a payment asked back while pending as soon as the card is approved: taken, then refunded", async () => {
    const { orderId, stub } = paymentFor();
    const take = takePayment(orderId, "tok_answer_after_30s");
    await deliver(take);
    const refund = refundPayment(orderId, "payment timed out");
    await deliver(refund);
    expect(await stub.payment()).toMatchObject({
      status: "pending",
      refundRequested: true,
      refundReason: "payment timed out",
    });
    await runDurableObjectAlarm(stub); // the safety net: not yet due
    expect((await stub.payment())?.status).toBe("pending");
    expect(await onTheBus(stub, orderId)).toEqual([]);

    await letTimePass(stub, 30_000);
    await runDurableObjectAlarm(stub);
    expect((await stub.payment())?.status).toBe("refunded");
    const events = await onTheBus(stub, orderId);
    expect(events.map((e) => e.type)).toEqual([TAKEN, REFUNDED]);
    const [taken, refunded] = events;
    expectCausedBy(taken, take);
    expect(refunded).toMatchObject({
      type: REFUNDED,
      data: { amount: { amount: 2300, currency: "GBP" }, reason: "payment timed out" },
    });
    expectCausedBy(refunded, refund);
  });

  it("voids a payment while the card has not answered: never charged, even when the answer comes due", async () => {
    const { orderId, stub } = paymentFor();
    const take = takePayment(orderId, "tok_answer_after_30s");
    await deliver(take);
    const voiding = voidPayment(orderId, "payment timed out");
    await deliver(voiding);
    expect(await stub.payment()).toMatchObject({ status: "voided", refundReason: "payment timed out" });
    expect((await stub.payment())?.cardAnswerDueAt).toBeUndefined();

    await letTimePass(stub, 30_000);
    await runDurableObjectAlarm(stub);
    expect((await stub.payment())?.status).toBe("voided");
    const events = await onTheBus(stub, orderId);
    expect(events.map((e) => e.type)).toEqual([VOIDED]);
    expect(events[0]!.data).toMatchObject({ orderId, reason: "payment timed out" });
    expectCausedBy(events[0]!, voiding);
  });

  it("gives back, once, a payment the card took before the void arrived", async () => {
    const { orderId, stub } = paymentFor();
    await deliver(takePayment(orderId, "tok_visa"));
    await letTimePass(stub, 60_000);
    await runDurableObjectAlarm(stub);
    expect((await stub.payment())?.status).toBe("taken");
    await deliver(voidPayment(orderId));
    await deliver(refundPayment(orderId)); // the order's late-payment refund, if it also sent one
    expect((await stub.payment())?.status).toBe("refunded");
    expect((await onTheBus(stub, orderId)).map((e) => e.type)).toEqual([TAKEN, REFUNDED]);
  });

  it("never charges a payment whose refund overtook the take-payment command", async () => {
    const { orderId, stub } = paymentFor();
    await deliver(refundPayment(orderId));
    expect(await stub.payment()).toMatchObject({ status: "cancelled", refundRequested: true });
    expect((await stub.payment())?.amount).toBeUndefined();

    const result = await deliver(takePayment(orderId, "tok_visa"));
    expect(result.explicitAcks).toHaveLength(1);
    const cancelled = await stub.payment();
    expect(cancelled).toMatchObject({
      status: "cancelled",
      amount: { amount: 2300, currency: "GBP" },
      refundRequested: true,
    });
    expect(cancelled?.cardAnswerDueAt).toBeUndefined();
    // No card answer is awaited: no alarm, and nothing announced.
    expect(await runDurableObjectAlarm(stub)).toBe(false);
    expect(cancelled?.announced).toEqual([]);
    expect(await onTheBus(stub, orderId)).toEqual([]);
  });
});
