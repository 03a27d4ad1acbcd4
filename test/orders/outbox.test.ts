import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Order } from "../../durable-objects/orders/order";
import { Outbox } from "../../shared/durable/outbox";
import { createEvent } from "../../shared/events/envelope";
import { startTrace } from "../../shared/events/trace";
import { submitCommand } from "./submit-command";

/** The transactional outbox of the Order Durable Object, on real SQLite storage and a real queue. */
const orders = env.ORDERS;
const outboxRows = (state: DurableObjectState) =>
  state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM outbox").one().n;

describe("the order's outbox", () => {
  it("writes the order and its events together, then publishes and empties", async () => {
    const orderId = crypto.randomUUID();
    const stub = orders.getByName(orderId);
    await stub.submit(submitCommand(orderId));
    // The immediate publish runs after the reply; the alarm is its safety net either way.
    await runDurableObjectAlarm(stub);
    expect(await stub.unpublishedEvents()).toBe(0);
    await runInDurableObject(stub, (_instance: Order, state) => {
      expect(state.storage.sql.exec("SELECT status FROM orders").one()).toEqual({ status: "submitted" });
    });
  });

  it("still publishes an event when the object crashed between the outbox write and the send", async () => {
    const orderId = crypto.randomUUID();
    const stub = orders.getByName(orderId);
    // The state a crash leaves behind: the transaction (change + outbox rows + alarm) committed, and
    // the process died before its send, so nothing reached the bus.
    await runInDurableObject(stub, async (_instance: Order, state) => {
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
      expect(outboxRows(state)).toBe(1);
    });
    // The restarted object's alarm publishes what the crash left.
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await stub.unpublishedEvents()).toBe(0);
  });
});
