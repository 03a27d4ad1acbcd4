import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Principal } from "../../shared/auth/token";
import type { KitchenTicket } from "../../durable-objects/kitchen/kitchen-ticket";
import { createEvent } from "../../shared/events/envelope";
import { startTrace } from "../../shared/events/trace";
import worker from "../../workers/kitchen";
import { kitchenApi } from "../../workers/kitchen/staff-api";
import { exampleData } from "../support/example-events";
import { queueConsumer } from "../support/queue-batch";
import { publishedEvents } from "../support/queue-tap";

/** The kitchen with real queue batches, its own Durable Object storage, and its staff API. */
const tickets = env.KITCHEN_TICKETS;
const cook: Principal = { id: "cook-1", role: "staff" };

const cause = (orderId: string) => ({ traceparent: startTrace(), causationid: "test", subject: orderId });
function orderConfirmed(orderId = crypto.randomUUID()) {
  return createEvent(
    "com.plantbasedpizza.order.confirmed.v2",
    { ...exampleData("com.plantbasedpizza.order.confirmed.v2"), orderId },
    cause(orderId),
  );
}
function orderCancelled(orderId: string) {
  return createEvent(
    "com.plantbasedpizza.order.cancelled.v1",
    { orderId, customerId: "c", reason: "cancelled by the customer", cancelledAt: new Date().toISOString() },
    cause(orderId),
  );
}

const { deliver } = queueConsumer(worker, "kitchen-inbox");

const staff = (orderId: string, step: string, principal: Principal = cook) =>
  kitchenApi.fetch(new Request(`https://pizza.test/kitchen/tickets/${orderId}/${step}`, { method: "POST" }), {
    ...env,
    principal,
  });

/** How many tickets the object holds (one order, one ticket). */
const ticketRows = (state: DurableObjectState) =>
  state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM ticket").one().n;

describe("the kitchen", () => {
  it("opens a waiting ticket from the confirmed order's own data", async () => {
    const confirmed = orderConfirmed();
    expect((await deliver(confirmed)).explicitAcks).toHaveLength(1);
    expect(await tickets.getByName(confirmed.data.orderId).ticket()).toMatchObject({
      orderId: confirmed.data.orderId,
      status: "waiting",
      items: [
        { recipeId: "margherita", name: "Margherita", quantity: 1 },
        { recipeId: "verdure", name: "Verdure", quantity: 1 },
      ],
    });
  });

  it("opens one ticket however often the order arrives", async () => {
    const confirmed = orderConfirmed();
    await deliver(confirmed);
    expect((await deliver(confirmed)).explicitAcks).toHaveLength(1);
    await runInDurableObject(tickets.getByName(confirmed.data.orderId), (_t: KitchenTicket, state) =>
      expect(ticketRows(state)).toBe(1),
    );
  });

  it("moves through start preparing, pizza baked and quality checked, publishing each step", async () => {
    const { data } = orderConfirmed();
    await deliver(orderConfirmed(data.orderId));
    for (const [step, status] of [
      ["start-preparing", "preparing"],
      ["pizza-baked", "baked"],
      ["quality-checked", "quality-checked"],
    ] as const) {
      const res = await staff(data.orderId, step);
      expect(res.status, step).toBe(202);
      expect(await res.json()).toMatchObject({ status });
    }
    const stub = tickets.getByName(data.orderId);
    await runDurableObjectAlarm(stub);
    expect(await stub.unpublishedEvents()).toBe(0);
    // Repeating a step that took effect is fine; skipping one is not.
    expect((await staff(data.orderId, "pizza-baked")).status).toBe(202);
  });

  it("refuses steps out of order, for cancelled orders, and for non-staff", async () => {
    const { data } = orderConfirmed();
    await deliver(orderConfirmed(data.orderId));
    const early = await staff(data.orderId, "pizza-baked");
    expect(early.status).toBe(409);
    expect(await early.json()).toMatchObject({
      error: "conflict",
      message: "The ticket is waiting; it must be preparing first.",
    });
    expect((await staff(data.orderId, "start-preparing", { id: "alice", role: "customer" })).status).toBe(
      403,
    );
    expect((await staff(crypto.randomUUID(), "start-preparing")).status).toBe(404);

    await deliver(orderCancelled(data.orderId));
    expect((await tickets.getByName(data.orderId).ticket())?.status).toBe("withdrawn");
    expect((await staff(data.orderId, "start-preparing")).status).toBe(409);
  });

  describe("when the customer cancels (the kitchen has the last word)", () => {
    const byCustomer = (orderId: string) =>
      tickets.getByName(orderId).withdrawBeforeStart(orderId, "cancelled by the customer", {
        traceparent: startTrace(),
        causationid: `cancel-order:${orderId}`,
      });

    it("withdraws a waiting ticket and announces it, so nobody cooks it", async () => {
      const confirmed = orderConfirmed();
      const { orderId } = confirmed.data;
      await deliver(confirmed);
      expect(await byCustomer(orderId)).toEqual({ ok: true, state: { orderId, status: "withdrawn" } });
      expect((await tickets.getByName(orderId).ticket())?.status).toBe("withdrawn");
      expect((await staff(orderId, "start-preparing")).status).toBe(409);
      const [withdrawn] = await publishedEvents(
        (e) => e.subject === orderId && e.type === "com.plantbasedpizza.kitchen.ticket-withdrawn.v1",
        1,
      );
      expect(withdrawn!.data).toMatchObject({ orderId, reason: "cancelled by the customer" });
      expect(withdrawn!.causationid).toBe(`cancel-order:${orderId}`);
      // Asking again is the same answer, announced once.
      expect((await byCustomer(orderId)).ok).toBe(true);
    });

    it("refuses once a cook has started, whatever orders believes, and the ticket goes on", async () => {
      const confirmed = orderConfirmed();
      const { orderId } = confirmed.data;
      await deliver(confirmed);
      expect((await staff(orderId, "start-preparing")).status).toBe(202);
      const refused = await byCustomer(orderId);
      expect(refused).toMatchObject({ ok: false, status: 409 });
      expect((await tickets.getByName(orderId).ticket())?.status).toBe("preparing");
      expect((await staff(orderId, "pizza-baked")).status).toBe(202);
    });

    it("withdraws before the confirmation arrives, and the late confirmation opens nothing to cook", async () => {
      const confirmed = orderConfirmed();
      const { orderId } = confirmed.data;
      expect((await byCustomer(orderId)).ok).toBe(true);
      await deliver(confirmed);
      expect((await tickets.getByName(orderId).ticket())?.status).toBe("withdrawn");
      expect((await staff(orderId, "start-preparing")).status).toBe(409);
    });
  });

  it("withdraws the ticket even when the cancellation overtakes the confirmation", async () => {
    const orderId = crypto.randomUUID();
    await deliver(orderCancelled(orderId));
    await deliver(orderConfirmed(orderId));
    expect((await tickets.getByName(orderId).ticket())?.status).toBe("withdrawn");
    expect((await staff(orderId, "start-preparing")).status).toBe(409);
  });
});
