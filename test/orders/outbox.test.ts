import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Order } from "../../durable-objects/orders/order";
import { Outbox } from "../../shared/durable/outbox";
import { createEvent, type PizzaEvent } from "../../shared/events/envelope";
import { startTrace } from "../../shared/events/trace";
import { eventsAbout, publishedEvents } from "../support/queue-tap";
import { claimedData } from "../../shared/events/claim-check";
import { NO_FAULTS } from "../../shared/faults";
import { cateringOrderConfirmed } from "../support/catering";
import { submitCommand } from "./submit-command";

/**
 * The transactional outbox of the Order Durable Object, on real SQLite storage and a real queue: a
 * queue-tap worker consumes the bus (pizza-events), so the tests see what actually arrived there.
 */
const orders = env.ORDERS;
const outboxRows = (state: DurableObjectState) =>
  state.storage.sql
    .exec<{ event: string }>("SELECT event FROM outbox ORDER BY seq")
    .toArray()
    .map((r) => JSON.parse(r.event) as PizzaEvent);

/**
 * Every event about the order that will ever reach the bus from what the object did so far: its
 * outbox is empty (the queue accepted every row), and a marker sent to the bus after that has
 * reached the tap (the queue delivers in order), so nothing sent before it is still in flight.
 */
async function onTheBus(stub: DurableObjectStub<Order>, orderId: string): Promise<PizzaEvent[]> {
  expect(await stub.unpublishedEvents()).toBe(0);
  const marker = { id: `marker-${crypto.randomUUID()}` };
  await env.PIZZA_EVENTS.send(marker);
  await publishedEvents((e) => e.id === marker.id, 1);
  return eventsAbout(orderId);
}

describe("the order's outbox", () => {
  it("writes the order and its events together, then publishes exactly those events to the bus", async () => {
    const orderId = crypto.randomUUID();
    const stub = orders.getByName(orderId);
    // What the submit recorded, read in the same turn as its commit: the publish it started is still
    // waiting for the queue, and a row is deleted only once the queue accepted it.
    const recorded = await runInDurableObject(stub, (order: Order, state) => {
      order.submit(submitCommand(orderId));
      return outboxRows(state);
    });
    expect(recorded.map((e) => e.type)).toEqual([
      "com.plantbasedpizza.order.submitted.v1",
      "com.plantbasedpizza.payments.take-payment.v1",
    ]);
    // The immediate publish runs after the reply; the alarm is its safety net either way.
    await runDurableObjectAlarm(stub);

    const published = await onTheBus(stub, orderId);
    expect(published.map((e) => e.id)).toEqual(recorded.map((e) => e.id));
    expect(published).toEqual(recorded);
    await runInDurableObject(stub, (_instance: Order, state) => {
      expect(state.storage.sql.exec("SELECT status FROM orders").one()).toEqual({ status: "submitted" });
    });
  });

  it("still publishes an event when the object crashed between the outbox write and the send", async () => {
    const orderId = crypto.randomUUID();
    const stub = orders.getByName(orderId);
    // The state a crash leaves behind: the transaction (change + outbox rows + alarm) committed, and
    // the process died before its send, so nothing reached the bus.
    const event = await runInDurableObject(stub, async (_instance: Order, state) => {
      const event = createEvent(
        "com.plantbasedpizza.order.submitted.v1",
        {
          orderId,
          customerId: "alice",
          fulfilment: "collection",
          total: { amount: 1000, currency: "GBP" },
          submittedAt: new Date().toISOString(),
        },
        { traceparent: startTrace(), causationid: "submit-order:crashed", subject: orderId },
      );
      state.storage.transactionSync(() => new Outbox(state.storage).add([event]));
      await state.storage.setAlarm(Date.now() + 5_000);
      expect(outboxRows(state).map((e) => e.id)).toEqual([event.id]);
      return event;
    });
    // Nothing is on the bus yet: a marker sent now arrives with nothing about the order before it.
    const marker = { id: `marker-${crypto.randomUUID()}` };
    await env.PIZZA_EVENTS.send(marker);
    await publishedEvents((e) => e.id === marker.id, 1);
    expect(await eventsAbout(orderId)).toEqual([]);

    // The restarted object's alarm publishes what the crash left: that very event, once.
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const published = await onTheBus(stub, orderId);
    expect(published.map((e) => e.id)).toEqual([event.id]);
    expect(published).toEqual([event]);
  });

  it("sends a catering order's event with a claim check, and quarantines one the bus can never take without blocking the rest", async () => {
    const orderId = crypto.randomUUID();
    const stub = orders.getByName(orderId);
    const big = { ...cateringOrderConfirmed(), subject: orderId };
    const small = { ...cateringOrderConfirmed(), id: crypto.randomUUID(), subject: orderId };
    small.data = { ...small.data, items: small.data.items.slice(0, 1) };
    const after = { ...small, id: crypto.randomUUID() };

    // With the claims bucket: the big one goes as an envelope with a dataref, its data in R2.
    await runInDurableObject(stub, async (_order: Order, state) => {
      const outbox = new Outbox(state.storage);
      state.storage.transactionSync(() => outbox.add([big, small]));
      expect(await outbox.publish(env.PIZZA_EVENTS, NO_FAULTS, env.EVENT_CLAIMS)).toBe(2);
    });
    const [claimed] = await publishedEvents((e) => e.id === big.id, 1);
    expect(claimed).not.toHaveProperty("data");
    expect(await claimedData(claimed, env.EVENT_CLAIMS)).toEqual(JSON.parse(JSON.stringify(big)));

    // Without one (a worker that never binds it): the big one can never be sent. It is set aside with
    // the reason, and the rows before and after it still go.
    const bigAgain = { ...big, id: crypto.randomUUID() };
    const quarantined = await runInDurableObject(stub, async (_order: Order, state) => {
      const outbox = new Outbox(state.storage);
      state.storage.transactionSync(() => outbox.add([small, bigAgain, after]));
      expect(await outbox.publish(env.PIZZA_EVENTS, NO_FAULTS, undefined)).toBe(3);
      expect(outbox.pending()).toBe(0);
      return outbox.quarantined();
    });
    expect(quarantined).toEqual([
      expect.objectContaining({
        eventId: bigAgain.id,
        reason: expect.stringMatching(/larger than a queue message/),
      }),
    ]);
    await publishedEvents((e) => e.id === after.id, 1);
    expect((await eventsAbout(orderId)).map((e) => e.id)).not.toContain(bigAgain.id);
  });
});
