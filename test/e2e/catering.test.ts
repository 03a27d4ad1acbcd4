import { describe, expect, inject, it } from "vitest";
import { CATERING_LINES, cateringOrderBody } from "../support/catering";
import { pizzaClient, uniqueId } from "../support/pizza-client";
import { revenueToday, settledRevenueToday } from "../support/revenue";
import { waitFor } from "../support/wait-for";

/**
 * A catering order (500 lines with labels and notes, about 400 KB) from submitted to completed, on the
 * system as `npm run dev` starts it (simulated staff on). Its confirmation is three times a queue
 * message's limit: it travels with a claim check, and the kitchen, analytics and loyalty read it whole.
 */
const pizza = pizzaClient(inject("simulatedBaseUrl"));

describe("a catering order", () => {
  it("of about 400 KB reaches completed, with exact loyalty points and revenue", async () => {
    const customerId = uniqueId("office");
    const office = await pizza.token(customerId);
    const analyst = await pizza.token(uniqueId("analyst"), "analyst");
    const { body: menu } = await pizza.call<{ recipes: { recipeId: string }[] }>("GET", "/menu");
    const body = cateringOrderBody(menu.recipes.map((r) => r.recipeId));
    const size = new TextEncoder().encode(JSON.stringify(body)).byteLength;
    expect(size).toBeGreaterThan(370 * 1024);
    expect(size).toBeLessThan(512 * 1024);

    // Exact: measured from a reading no earlier order can still change.
    const revenueBefore = await settledRevenueToday(pizza, analyst);
    const submitted = await pizza.submitOrder(office, body);
    expect(submitted.status, JSON.stringify(submitted.body).slice(0, 300)).toBe(202);
    const orderId: string = submitted.body.orderId;

    const order = await pizza.waitForOrder(
      office,
      orderId,
      "to be completed by simulated staff",
      (o) => o.status === "completed",
      120_000,
    );
    expect(order.items).toHaveLength(CATERING_LINES);
    expect(order.items[499]).toMatchObject({ label: body.items[499]!.label, notes: body.items[499]!.notes });

    // The kitchen cooked it whole: its ticket has every line, with what the cooks must know.
    const cook = await pizza.token(uniqueId("cook"), "staff");
    const ticket = (await pizza.call("GET", `/kitchen/tickets/${orderId}`, { token: cook })).body;
    expect(ticket.items).toHaveLength(CATERING_LINES);
    expect(ticket.items[499]).toMatchObject({ notes: body.items[499]!.notes });

    // Loyalty: one point per whole pound of this order, nothing more.
    const loyalty = await waitFor("points for the catering order", async () => {
      const r = await pizza.loyalty(office);
      return r.body.points > 0 ? r.body : undefined;
    });
    expect(loyalty.points).toBe(Math.floor(order.total.amount / 100));
    expect(loyalty.awards).toEqual([expect.objectContaining({ orderId })]);

    // Analytics: today's revenue grew by exactly this order (the e2e files run one at a time).
    const revenue = await waitFor(
      "the catering order in today's revenue",
      async () => {
        const r = await revenueToday(pizza, analyst);
        return r.orders > revenueBefore.orders ? r : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(revenue.amount - revenueBefore.amount).toBe(order.total.amount);
    expect(revenue.orders - revenueBefore.orders).toBe(1);
  });

  it("over 512 KB is refused with 413 and a JSON error, and other routes keep their small limit", async () => {
    const office = await pizza.token(uniqueId("office"));
    const { body: menu } = await pizza.call<{ recipes: { recipeId: string }[] }>("GET", "/menu");
    const body = cateringOrderBody(menu.recipes.map((r) => r.recipeId));
    const huge = {
      ...body,
      items: body.items.map((i) => ({ ...i, notes: `${i.notes}`.padEnd(500, "x") })),
      padding: "x".repeat(300 * 1024),
    };
    const refused = await pizza.submitOrder(office, huge);
    expect(refused.status).toBe(413);
    expect(refused.body).toMatchObject({ error: "payload_too_large", issues: [{ field: "body" }] });

    const address = await pizza.addAddress(office, {
      line1: "x".repeat(40 * 1024),
      city: "Leeds",
      postcode: "LS1",
      country: "GB",
    });
    expect(address.status).toBe(413);
  });
});
