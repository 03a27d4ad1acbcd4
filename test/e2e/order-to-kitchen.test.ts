import { CloudEvent } from "cloudevents";
import { describe, expect, inject, it } from "vitest";
import { pizzaClient, uniqueId } from "../support/pizza-client";
import { staffFlows } from "../support/staff-flows";

/**
 * The backbone end to end, through every worker as `npm run dev` runs them: the orders API, the
 * order's Durable Object and outbox, the bus and router, payments, the kitchen, orders' event handlers.
 * (This system runs without simulated staff: the tests play the cook.)
 */
const pizza = pizzaClient(inject("baseUrl"));
const margheritaForCollection = {
  items: [{ recipeId: "margherita", quantity: 2 }],
  fulfilment: "collection",
};

const { startPreparing } = staffFlows(pizza);

describe("a submitted order", () => {
  it("is accepted at once, paid, confirmed and prepared: submitted -> confirmed -> preparing", async () => {
    const alice = await pizza.token(uniqueId("alice"));
    const submitted = await pizza.submitOrder(alice, margheritaForCollection);
    expect(submitted.status).toBe(202);
    expect(submitted.body).toEqual({ orderId: expect.any(String), status: "submitted" });
    expect(submitted.headers.get("Location")).toBe(`/orders/${submitted.body.orderId}`);

    const order = await startPreparing(alice, submitted.body.orderId);
    expect(order.history.map((h: { status: string }) => h.status)).toEqual([
      "submitted",
      "confirmed",
      "preparing",
    ]);
    expect(order.history.map((h: { eventType: string }) => h.eventType)).toEqual([
      "com.plantbasedpizza.order.submitted.v1",
      "com.plantbasedpizza.order.confirmed.v2",
      "com.plantbasedpizza.kitchen.preparation-started.v1",
    ]);
    expect(order.total).toEqual({ amount: 2000, currency: "GBP" });
    expect(order.payment).toEqual({ status: "taken" });
    // Prices from the menu, 20% VAT included: 20.00 is 16.67 net and 3.33 tax.
    expect(order.items).toEqual([
      {
        recipeId: "margherita",
        name: "Margherita",
        quantity: 2,
        unitPrice: { amount: 1000, currency: "GBP" },
        taxRateBasisPoints: 2000,
        total: {
          net: { amount: 1667, currency: "GBP" },
          tax: { amount: 333, currency: "GBP" },
          gross: { amount: 2000, currency: "GBP" },
        },
      },
    ]);
  });

  it("emits only events that pass the cloudevents SDK's strict validation, all on one trace", async () => {
    const bob = await pizza.token(uniqueId("bob"));
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const submitted = await pizza.call("POST", "/orders", {
      token: bob,
      body: { items: [{ recipeId: "funghi", quantity: 1 }], fulfilment: "collection", cardToken: "tok_visa" },
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    expect(submitted.status).toBe(202);
    const orderId = submitted.body.orderId;
    await startPreparing(bob, orderId);

    const { body } = await pizza.orderEvents(bob, orderId);
    expect(body.events.map((e) => e.type)).toEqual([
      "com.plantbasedpizza.order.submitted.v1",
      "com.plantbasedpizza.payment.taken.v1",
      "com.plantbasedpizza.order.confirmed.v2",
      "com.plantbasedpizza.kitchen.preparation-started.v1",
    ]);
    for (const event of body.events) {
      const strict = new CloudEvent(event, true); // throws on any violation
      expect(strict.validate()).toBe(true);
      expect(event.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
      expect(event.subject).toBe(orderId);
      expect(event.dataschema).toBe(`https://plantbasedpizza.dev/schemas/events/${event.type}.json`);
    }
    // One trace context, started at the API request and carried unchanged through every hop.
    expect(new Set(body.events.map((e: { traceparent: string }) => e.traceparent)).size).toBe(1);
    // Each event names the one that caused it.
    const [orderSubmitted, paymentTaken, orderConfirmed, preparationStarted] = body.events;
    expect(orderSubmitted.causationid).toMatch(/^submit-order:/);
    expect(paymentTaken.causationid).not.toBe(orderSubmitted.id); // the take-payment command between them
    expect(orderConfirmed.causationid).toBe(paymentTaken.id);
    expect(preparationStarted.causationid).toBe(orderConfirmed.id);
  });
});

describe("idempotent submission", () => {
  it("creates one order for a repeated Idempotency-Key and refuses the key with another body", async () => {
    const carol = await pizza.token(uniqueId("carol"));
    const key = uniqueId("key");
    const first = await pizza.submitOrder(carol, margheritaForCollection, key);
    const again = await pizza.submitOrder(carol, margheritaForCollection, key);
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");

    const other = await pizza.submitOrder(
      carol,
      { ...margheritaForCollection, items: [{ recipeId: "diavola", quantity: 1 }] },
      key,
    );
    expect(other.status).toBe(422);
    expect(other.body.issues).toEqual([
      { field: "Idempotency-Key", reason: "already used with a different body" },
    ]);

    await startPreparing(carol, first.body.orderId);
    const { body } = await pizza.orderEvents(carol, first.body.orderId);
    expect(body.events.filter((e) => e.type === "com.plantbasedpizza.order.submitted.v1")).toHaveLength(1);
    expect(body.events.filter((e) => e.type === "com.plantbasedpizza.payment.taken.v1")).toHaveLength(1);
  });
});

describe("bad input", () => {
  it("answers 4xx with the field and the reason, and creates nothing", async () => {
    const dave = await pizza.token(uniqueId("dave"));
    const key = uniqueId("key");
    const cases: [unknown, number, string][] = [
      [{ items: [], fulfilment: "collection" }, 400, "items"],
      [
        { items: [{ recipeId: "margherita", quantity: 0 }], fulfilment: "collection" },
        400,
        "items.0.quantity",
      ],
      [{ items: [{ recipeId: "hawaiian", quantity: 1 }], fulfilment: "collection" }, 400, "items.0.recipeId"],
      [{ items: [{ recipeId: "margherita", quantity: 1 }], fulfilment: "drone" }, 400, "fulfilment"],
      [
        { items: [{ recipeId: "margherita", quantity: 1 }], fulfilment: "delivery" },
        400,
        "deliveryAddressId",
      ],
      [
        {
          items: [{ recipeId: "margherita", quantity: 1 }],
          fulfilment: "delivery",
          deliveryAddressId: "address-nobody",
        },
        400,
        "deliveryAddressId",
      ],
      [
        {
          items: [{ recipeId: "margherita", quantity: 1 }],
          fulfilment: "collection",
          cardToken: "4111111111111111",
        },
        400,
        "cardToken",
      ],
      ["{not json", 400, "body"],
    ];
    for (const [body, status, field] of cases) {
      const reply = await pizza.submitOrder(dave, body, key);
      expect(reply.status, JSON.stringify(body)).toBe(status);
      expect(reply.body.issues.map((i: { field: string }) => i.field)).toContain(field);
      expect(reply.body.issues.every((i: { reason: string }) => i.reason.length > 0)).toBe(true);
    }
    const noToken = await pizza.call("POST", "/orders", { body: margheritaForCollection });
    expect(noToken.status).toBe(401);
    expect(noToken.body.issues).toEqual([{ field: "Authorization", reason: "missing" }]);

    // Nothing was stored under the key: the first valid request with it is a new order, not a replay.
    const valid = await pizza.submitOrder(dave, margheritaForCollection, key);
    expect(valid.status).toBe(202);
    expect(valid.headers.get("Idempotent-Replayed")).toBeNull();
  });
});

describe("reading orders", () => {
  it("shows a customer only their own orders", async () => {
    const erin = await pizza.token(uniqueId("erin"));
    const frank = await pizza.token(uniqueId("frank"));
    const { body } = await pizza.submitOrder(erin, margheritaForCollection);
    expect((await pizza.order(erin, body.orderId)).status).toBe(200);
    expect((await pizza.order(frank, body.orderId)).status).toBe(404);
    expect((await pizza.orderEvents(frank, body.orderId)).status).toBe(404);
    expect((await pizza.order(erin, crypto.randomUUID())).status).toBe(404);
  });
});
