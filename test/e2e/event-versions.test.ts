import { CloudEvent } from "cloudevents";
import { describe, expect, inject, it } from "vitest";
import { pizzaClient, uniqueId } from "../support/pizza-client";
import { revenueToday, settledRevenueToday } from "../support/revenue";
import { waitFor } from "../support/wait-for";

/**
 * A breaking change in its migration window (RFC 0001), through the whole system exactly as `npm run dev`
 * runs it (simulated staff on): the order publishes order.confirmed.v2 and order.completed.v2, and v1 of
 * each beside them. Analytics reads v2 (net revenue and tax), loyalty still reads completed.v1 (points
 * from the gross total): one order, each gets its version, both exact.
 *
 * This system, not the one the other files play staff on: analytics counts a few seconds after an
 * order's confirmation, so another file's last orders could land inside this test's before/after window
 * there. Here the only other order is simulated-staff.test.ts's, counted long before it completes.
 */
const pizza = pizzaClient(inject("simulatedBaseUrl"));
const gbp = (amount: number) => ({ amount, currency: "GBP" });

/** Loyalty's line in GET /ops/deprecations for order.completed.v1. */
async function completedV1ReadByLoyalty(operator: string): Promise<{ subscribed: boolean; events: number }> {
  const { status, body } = await pizza.call("GET", "/ops/deprecations", { token: operator });
  expect(status).toBe(200);
  const completedV1 = body.deprecations.find(
    (d: { type: string }) => d.type === "com.plantbasedpizza.order.completed.v1",
  );
  return completedV1.subscribers.find((s: { subscriber: string }) => s.subscriber === "loyalty");
}

describe("a breaking change in its migration window", () => {
  it("one order: analytics counts its net and tax from v2, loyalty its points from v1, both exact", async () => {
    const customerId = uniqueId("vera");
    const vera = await pizza.token(customerId);
    const operator = await pizza.token(uniqueId("operator"), "operator");
    const analyst = await pizza.token(uniqueId("analyst"), "analyst");
    // Exact: measured from a reading no earlier order can still change.
    const before = await settledRevenueToday(pizza, analyst);
    const readsBefore = await completedV1ReadByLoyalty(operator);

    const { body } = await pizza.submitOrder(vera, {
      items: [{ recipeId: "diavola", quantity: 2 }],
      fulfilment: "collection",
    });
    const order = await pizza.waitForOrder(
      vera,
      body.orderId,
      "to be completed by simulated staff",
      (o) => o.status === "completed",
      90_000,
    );

    // 2 × 12.50 with 20% VAT included: 20.83 net, 4.17 tax.
    expect(order.total).toEqual(gbp(2500));
    expect(order.totalWithTax).toEqual({ net: gbp(2083), tax: gbp(417), gross: gbp(2500) });

    // The order's own story is told in v2, and every event of it passes the SDK's strict validation.
    const events = (await pizza.orderEvents(vera, body.orderId)).body.events;
    const types = events.map((e: { type: string }) => e.type);
    expect(types).toContain("com.plantbasedpizza.order.confirmed.v2");
    expect(types).toContain("com.plantbasedpizza.order.completed.v2");
    for (const e of events) expect(new CloudEvent(e, true).validate(), e.type).toBe(true);
    const confirmed = events.find(
      (e: { type: string }) => e.type === "com.plantbasedpizza.order.confirmed.v2",
    );
    expect(confirmed.data.total).toEqual({ net: gbp(2083), tax: gbp(417), gross: gbp(2500) });

    // Loyalty, still on v1, awards points from the gross total, exactly once...
    const loyalty = await waitFor("points for the order", async () => {
      const r = await pizza.loyalty(vera);
      return r.body.points > 0 ? r.body : undefined;
    });
    expect(loyalty).toMatchObject({
      customerId,
      points: 25,
      awards: [{ orderId: body.orderId, points: 25 }],
    });
    // ...and it was v1 that loyalty read: operators see it among the deprecated versions still read.
    const readsAfter = await waitFor("loyalty's read of completed.v1 counted", async () => {
      const reads = await completedV1ReadByLoyalty(operator);
      return reads.events > readsBefore.events ? reads : undefined;
    });
    expect(readsAfter.subscribed).toBe(true);

    // Analytics, on v2, counts the order's gross, net and tax exactly.
    const after = await waitFor("the order in today's revenue", async () => {
      const r = await revenueToday(pizza, analyst);
      return r.orders > before.orders ? r : undefined;
    });
    expect({
      orders: after.orders - before.orders,
      amount: after.amount - before.amount,
      net: after.net - before.net,
      tax: after.tax - before.tax,
    }).toEqual({ orders: 1, amount: 2500, net: 2083, tax: 417 });
  });
});
