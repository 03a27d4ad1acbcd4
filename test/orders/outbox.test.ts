import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Order } from "../../durable-objects/orders/order";
import { Outbox } from "../../shared/durable/outbox";
import { createEvent, type PizzaEvent } from "../../shared/events/envelope";
import { startTrace } from "../../shared/events/trace";
import { eventsAbout, publishedEvents, publishedSettled, tappedQueues } from "../support/queue-tap";
import { claimedData } from "../../shared/events/claim-check";
import { NO_FAULTS } from "../../shared/faults";
import { cateringOrderConfirmed } from "../support/catering";
import { exampleData } from "../support/example-events";
import { submitCommand } from "./submit-command";

/**
 * The transactional outbox of the Order Durable Object, on real SQLite storage and real queues: a
 * queue-tap worker consumes every shard of the bus (pizza-events, pizza-events-1, ...) and payments'
 * queue (where orders' commands go, point to point), so the tests see what actually arrived where.
 */
const orders = env.ORDERS;
const outboxRows = (state: DurableObjectState) =>
  state.storage.sql
    .exec<{ event: string }>("SELECT event FROM outbox ORDER BY seq")
    .toArray()
    .map((r) => JSON.parse(r.event) as PizzaEvent);

/**
 * Every event and command about the order that will ever be published from what the object did so
 * far: its outbox is empty (the queues accepted every row), and a marker sent to each queue after that
 * has reached the tap (a queue delivers in order), so nothing sent before it is still in flight.
 */
async function onTheBus(stub: DurableObjectStub<Order>, orderId: string): Promise<PizzaEvent[]> {
  expect(await stub.unpublishedEvents()).toBe(0);
  await publishedSettled();
  return eventsAbout(orderId);
}

/** Which queue each of the order's events and commands reached: { [queue]: ids }. */
async function queuesOf(orderId: string): Promise<Record<string, string[]>> {
  return Object.fromEntries(
    Object.entries(await tappedQueues<PizzaEvent>()).flatMap(([queue, bodies]) => {
      const ids = bodies.filter((e) => e.subject === orderId).map((e) => e.id);
      return ids.length > 0 ? [[queue, ids]] : [];
    }),
  );
}
const busShard = /^pizza-events(-\d+)?$/;

describe("the order's outbox", () => {
  it("writes the order and its events together, then publishes exactly those: the event to the bus, the command to payments", async () => {
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
    const byId = (a: PizzaEvent, b: PizzaEvent) => a.id.localeCompare(b.id);
    expect(published.toSorted(byId)).toEqual(recorded.toSorted(byId));
    // The event on one shard of the bus; the command, point to point, at its one recipient's queue only.
    const [submitted, takePayment] = recorded;
    const where = await queuesOf(orderId);
    expect(where["payments-inbox"]).toEqual([takePayment!.id]);
    const shards = Object.keys(where).filter((q) => busShard.test(q));
    expect(shards).toHaveLength(1);
    expect(where[shards[0]!]).toEqual([submitted!.id]);
    expect(Object.keys(where).sort()).toEqual([shards[0], "payments-inbox"].sort());
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
    // Nothing is on the bus yet: markers sent now arrive with nothing about the order before them.
    await publishedSettled();
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
      expect(await outbox.publish(env, NO_FAULTS, env.EVENT_CLAIMS)).toBe(2);
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
      expect(await outbox.publish(env, NO_FAULTS, undefined)).toBe(3);
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

  it("deletes the rows a queue took and keeps, with their attempt counted, those another refused", async () => {
    const orderId = crypto.randomUUID();
    const stub = orders.getByName(orderId);
    const about = { traceparent: startTrace(), causationid: "outbox-test", subject: orderId };
    const submitted = createEvent(
      "com.plantbasedpizza.order.submitted.v1",
      { ...exampleData("com.plantbasedpizza.order.submitted.v1"), orderId },
      about,
    );
    const take = createEvent(
      "com.plantbasedpizza.payments.take-payment.v1",
      { ...exampleData("com.plantbasedpizza.payments.take-payment.v1"), orderId },
      about,
    );
    await runInDurableObject(stub, async (_order: Order, state) => {
      const outbox = new Outbox(state.storage);
      state.storage.transactionSync(() => outbox.add([submitted, take]));
      // A publisher whose config lacks payments' queue: the event still goes, the command waits.
      const { PAYMENTS_INBOX: _missing, ...withoutPayments } = env;
      await expect(outbox.publish(withoutPayments, NO_FAULTS)).rejects.toThrow(
        "no producer binding PAYMENTS_INBOX for payments-inbox",
      );
      expect(outboxRows(state).map((e) => e.id)).toEqual([take.id]);
      expect(outbox.attempts()).toBe(1);
      // The next drain, with the binding, sends only what is left.
      expect(await outbox.publish(env, NO_FAULTS)).toBe(1);
      expect(outbox.pending()).toBe(0);
    });
    await publishedSettled();
    const where = await queuesOf(orderId);
    const shards = Object.keys(where).filter((q) => busShard.test(q));
    expect(shards).toHaveLength(1);
    expect(where).toEqual({ [shards[0]!]: [submitted.id], "payments-inbox": [take.id] });
  });
});
