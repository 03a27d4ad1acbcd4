import { describe, expect, inject, it } from "vitest";
import { pizzaClient, uniqueId } from "../support/pizza-client";
import { revenueToday } from "../support/revenue";
import { staffFlows } from "../support/staff-flows";
import { waitFor } from "../support/wait-for";

/**
 * The whole business end to end, through every worker and queue as `npm run dev` runs them, with the
 * tests playing the staff: payments, kitchen, delivery, collection, loyalty, customers, analytics.
 */
const pizza = pizzaClient(inject("baseUrl"));
const staff = staffFlows(pizza);
const today = () => new Date().toISOString().slice(0, 10);
const address = { line1: "1 Basil Row", city: "Leeds", postcode: "LS1 4AP", country: "GB" };

/** Every history entry is one of the order's applied events, in the same order. */
async function expectHistoryToMatchEvents(customer: string, orderId: string) {
  const order = (await pizza.order(customer, orderId)).body;
  const events = (await pizza.orderEvents(customer, orderId)).body.events;
  const ids = events.map((e) => e.id);
  const positions = order.history.map((h: { eventId: string }) => ids.indexOf(h.eventId));
  expect(positions.every((p: number) => p >= 0)).toBe(true);
  expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  for (const h of order.history) expect(events[ids.indexOf(h.eventId)].type).toBe(h.eventType);
}

/** Submits once orders has learned the new address from customers' event (eventually consistent). */
async function submitWhenAddressKnown(customer: string, body: unknown) {
  const key = uniqueId("order");
  return waitFor("orders to know the new address", async () => {
    const r = await pizza.submitOrder(customer, body, key);
    return r.status === 202 ? r : undefined;
  });
}

describe("from submitted to completed", () => {
  it("a collection order: paid, cooked, collected; points awarded and revenue counted", async () => {
    const customerId = uniqueId("iris");
    const iris = await pizza.token(customerId);
    const analyst = await pizza.token(uniqueId("analyst"), "analyst");
    const revenueBefore = await revenueToday(pizza, analyst);

    const { body } = await pizza.submitOrder(iris, {
      items: [{ recipeId: "diavola", quantity: 2 }],
      fulfilment: "collection",
    });
    await staff.startPreparing(iris, body.orderId);
    await staff.finishCooking(iris, body.orderId);
    const order = await staff.collect(iris, body.orderId);

    expect(order.history.map((h: { status: string }) => h.status)).toEqual([
      "submitted",
      "confirmed",
      "preparing",
      "baking",
      "quality-checked",
      "ready-for-collection",
      "completed",
    ]);
    expect(order.total).toEqual({ amount: 2500, currency: "GBP" });
    await expectHistoryToMatchEvents(iris, body.orderId);

    const loyalty = await waitFor("points for the order", async () => {
      const r = await pizza.loyalty(iris);
      return r.body.points > 0 ? r.body : undefined;
    });
    expect(loyalty).toMatchObject({
      customerId,
      points: 25,
      awards: [{ orderId: body.orderId, points: 25 }],
    });

    // Other tests' orders may be counted meanwhile, so this is "at least"; test/analytics has the exact sums.
    const revenue = await waitFor("the order in today's revenue", async () => {
      const r = await revenueToday(pizza, analyst);
      return r.amount >= revenueBefore.amount + 2500 ? r : undefined;
    });
    expect(revenue.orders).toBeGreaterThanOrEqual(revenueBefore.orders + 1);
  });

  it("a delivery order: to the customer's own address, via delivery's own copy of it, with the delivery fee", async () => {
    const customerId = uniqueId("jack");
    const jack = await pizza.token(customerId);
    const added = await pizza.addAddress(jack, address);
    expect(added.status).toBe(201);
    const addressId = added.body.addressId;

    const submitted = await submitWhenAddressKnown(jack, {
      items: [{ recipeId: "verdure", quantity: 1 }],
      fulfilment: "delivery",
      deliveryAddressId: addressId,
    });
    const orderId = submitted.body.orderId;
    await staff.startPreparing(jack, orderId);
    await staff.finishCooking(jack, orderId);
    const { order, delivery } = await staff.deliver(jack, orderId);

    expect(delivery).toMatchObject({
      orderId,
      customerId,
      address: { addressId, line1: "1 Basil Row", postcode: "LS1 4AP" },
    });
    expect(order.history.map((h: { status: string }) => h.status)).toEqual([
      "submitted",
      "confirmed",
      "preparing",
      "baking",
      "quality-checked",
      "out-for-delivery",
      "completed",
    ]);
    expect(order.deliveryFee).toEqual({ amount: 300, currency: "GBP" });
    expect(order.total).toEqual({ amount: 1500, currency: "GBP" });
    await expectHistoryToMatchEvents(jack, orderId);
    const events = (await pizza.orderEvents(jack, orderId)).body.events.map((e) => e.type);
    expect(events).toContain("com.plantbasedpizza.order.ready-for-delivery.v1");
    expect(events).toContain("com.plantbasedpizza.delivery.driver-assigned.v1");

    const loyalty = await waitFor("points for the order", async () =>
      (await pizza.loyalty(jack)).body.points > 0 ? (await pizza.loyalty(jack)).body : undefined,
    );
    expect(loyalty.points).toBe(15);
  });
  // Someone else's address: test/e2e/address-just-added.test.ts (accepted, then cancelled at the deadline).
});

describe("payments", () => {
  it("cancels the order when the card is declined", async () => {
    const mia = await pizza.token(uniqueId("mia"));
    const { body } = await pizza.submitOrder(mia, {
      items: [{ recipeId: "funghi", quantity: 1 }],
      fulfilment: "collection",
      cardToken: "tok_declined",
    });
    const order = await pizza.waitForOrder(
      mia,
      body.orderId,
      "to be cancelled",
      (o) => o.status === "cancelled",
    );
    expect(order.cancellation).toEqual({ reason: "payment failed: card declined" });
    expect(order.payment).toEqual({ status: "failed" });
    expect(order.history.map((h: { status: string }) => h.status)).toEqual(["submitted", "cancelled"]);
    await expectHistoryToMatchEvents(mia, body.orderId);
  });

  it("cancels an order whose payment does not come in time, and voids it: the slow card is never charged", async () => {
    const ned = await pizza.token(uniqueId("ned"));
    // This system cancels unpaid orders after 15 s (a normal payment takes a few); this card answers after 25 s.
    const { body } = await pizza.submitOrder(ned, {
      items: [{ recipeId: "funghi", quantity: 1 }],
      fulfilment: "collection",
      cardToken: "tok_answer_after_25s",
    });
    const cancelled = await pizza.waitForOrder(
      ned,
      body.orderId,
      "to be cancelled",
      (o) => o.status === "cancelled",
    );
    expect(cancelled.cancellation).toEqual({ reason: "payment timed out" });
    const voided = await pizza.waitForOrder(
      ned,
      body.orderId,
      "the pending payment to be voided",
      (o) => o.payment.status === "voided",
      60_000,
    );
    expect(voided.status).toBe("cancelled");
    expect(voided.history.map((h: { status: string }) => h.status)).toEqual(["submitted", "cancelled"]);
    const types = (await pizza.orderEvents(ned, body.orderId)).body.events.map((e) => e.type);
    expect(types).toEqual([
      "com.plantbasedpizza.order.submitted.v1",
      "com.plantbasedpizza.order.cancelled.v1",
      "com.plantbasedpizza.payment.voided.v1",
    ]);
  });
});

describe("cancelling", () => {
  it("before the kitchen starts: cancelled, refunded, and the kitchen's ticket withdrawn", async () => {
    const olga = await pizza.token(uniqueId("olga"));
    const cook = await pizza.token(uniqueId("cook"), "staff");
    const { body } = await pizza.submitOrder(olga, {
      items: [{ recipeId: "margherita", quantity: 1 }],
      fulfilment: "collection",
    });
    await pizza.waitForOrder(olga, body.orderId, "to be confirmed", (o) => o.status === "confirmed");
    const cancel = await pizza.cancelOrder(olga, body.orderId);
    expect(cancel.status).toBe(202);
    expect(cancel.body).toEqual({ orderId: body.orderId, status: "cancelled" });

    const order = await pizza.waitForOrder(
      olga,
      body.orderId,
      "the refund",
      (o) => o.payment.status === "refunded",
    );
    expect(order.cancellation).toEqual({ reason: "cancelled by the customer" });
    expect(order.history.map((h: { status: string }) => h.status)).toEqual([
      "submitted",
      "confirmed",
      "cancelled",
    ]);
    await waitFor("the ticket to be withdrawn", async () => {
      const r = await pizza.call("GET", `/kitchen/tickets/${body.orderId}`, { token: cook });
      return r.body?.status === "withdrawn" ? true : undefined;
    });
    expect((await pizza.staff(cook, `/kitchen/tickets/${body.orderId}/start-preparing`)).status).toBe(409);
  });

  it("after the kitchen starts: 409 with the reason, and the order goes on", async () => {
    const pat = await pizza.token(uniqueId("pat"));
    const { body } = await pizza.submitOrder(pat, {
      items: [{ recipeId: "margherita", quantity: 1 }],
      fulfilment: "collection",
    });
    await staff.startPreparing(pat, body.orderId);
    const cancel = await pizza.cancelOrder(pat, body.orderId);
    expect(cancel.status).toBe(409);
    expect(cancel.body).toMatchObject({
      error: "conflict",
      message: expect.stringMatching(/preparing.*can no longer be cancelled/),
    });
    expect((await pizza.order(pat, body.orderId)).body).toMatchObject({
      status: "preparing",
      payment: { status: "taken" },
    });
  });

  it("the moment the cook starts, before orders has heard of it: 409 all the same, one outcome everywhere", async () => {
    const rae = await pizza.token(uniqueId("rae"));
    const cook = await pizza.token(uniqueId("cook"), "staff");
    const { body } = await pizza.submitOrder(rae, {
      items: [{ recipeId: "funghi", quantity: 1 }],
      fulfilment: "collection",
    });
    const orderId = body.orderId;
    await pizza.waitForOrder(rae, orderId, "to be confirmed", (o) => o.status === "confirmed");
    await waitFor("the kitchen's ticket", async () =>
      (await pizza.call("GET", `/kitchen/tickets/${orderId}`, { token: cook })).status === 200
        ? true
        : undefined,
    );
    // The cook starts, and the customer cancels straight after: orders' own view still says confirmed.
    expect((await pizza.staff(cook, `/kitchen/tickets/${orderId}/start-preparing`)).status).toBe(202);
    const cancel = await pizza.cancelOrder(rae, orderId);
    expect(cancel.status).toBe(409);
    expect(cancel.body.message).toMatch(/kitchen has started preparing it/);
    // One outcome everywhere: the kitchen cooks it, the order goes on, the payment stays taken.
    const order = await pizza.waitForOrder(rae, orderId, "to be preparing", (o) => o.status === "preparing");
    expect(order.payment).toEqual({ status: "taken" });
    expect(order.cancellation).toBeUndefined();
    expect((await pizza.call("GET", `/kitchen/tickets/${orderId}`, { token: cook })).body.status).toBe(
      "preparing",
    );
  });
});

describe("who may do what", () => {
  it("keeps staff and operator endpoints from customers", async () => {
    const customer = await pizza.token(uniqueId("quinn"));
    const id = crypto.randomUUID();
    expect((await pizza.staff(customer, `/kitchen/tickets/${id}/start-preparing`)).status).toBe(403);
    expect((await pizza.staff(customer, `/delivery/orders/${id}/delivered`)).status).toBe(403);
    expect((await pizza.staff(customer, `/collection/orders/${id}/collected`)).status).toBe(403);
    expect((await pizza.revenue(customer, today())).status).toBe(403);
    expect((await pizza.call("GET", "/loyalty/me")).status).toBe(401);
  });
});
