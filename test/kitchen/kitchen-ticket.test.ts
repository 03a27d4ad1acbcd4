import { env } from "cloudflare:workers";
import { createExecutionContext, createMessageBatch, getQueueResult, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { KitchenTicket } from "../../durable-objects/kitchen-ticket";
import { createEvent } from "../../shared/events/envelope";
import { startTrace } from "../../shared/events/trace";
import worker from "../../workers/kitchen";
import { exampleData } from "../support/example-events";

/** The kitchen's consumer with real queue batches and its own Durable Object storage. */
const tickets = env.KITCHEN_TICKETS as DurableObjectNamespace<KitchenTicket>;

function orderConfirmed() {
  const orderId = crypto.randomUUID();
  return createEvent("com.plantbasedpizza.order.confirmed.v1", { ...exampleData("com.plantbasedpizza.order.confirmed.v1"), orderId }, {
    traceparent: startTrace(),
    causationid: "test",
    subject: orderId,
  });
}

async function deliver(body: unknown) {
  const batch = createMessageBatch("kitchen-inbox", [{ id: crypto.randomUUID(), timestamp: new Date(), attempts: 1, body }]);
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

const inboxEntries = (state: DurableObjectState) =>
  state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM inbox").one().n;

describe("the kitchen", () => {
  it("opens a ticket from the confirmed order's own data and publishes that it started preparing", async () => {
    const confirmed = orderConfirmed();
    const result = await deliver(confirmed);
    expect(result.explicitAcks).toHaveLength(1);
    const stub = tickets.getByName(confirmed.data.orderId);
    expect(await stub.ticket()).toMatchObject({
      orderId: confirmed.data.orderId,
      status: "preparing",
      items: [{ recipeId: "margherita", name: "Margherita", quantity: 2 }],
    });
    await runDurableObjectAlarm(stub);
    expect(await stub.unpublishedEvents()).toBe(0);
  });

  it("opens one ticket however often the order arrives", async () => {
    const confirmed = orderConfirmed();
    await deliver(confirmed);
    const again = await deliver(confirmed);
    expect(again.explicitAcks).toHaveLength(1);
    await runInDurableObject(tickets.getByName(confirmed.data.orderId), (_t: KitchenTicket, state) => {
      expect(state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM ticket").one().n).toBe(1);
      expect(inboxEntries(state)).toBe(1);
    });
  });
});
