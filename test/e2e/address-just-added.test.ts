import { describe, expect, inject, it } from "vitest";
import { pizzaClient, uniqueId } from "../support/pizza-client";

/**
 * A customer adds a delivery address and orders with it at once. Orders learns addresses only from
 * customers' events, so its copy may not know the address yet: the order must be accepted all the same
 * and run to completed (simulated staff on), never refused for the system's eventual consistency.
 * (Whether orders knew the address by then is a matter of timing here; the waiting itself is proven
 * step by step in test/orders/awaiting-address.test.ts.) Another customer's address never reaches this
 * customer's copy, so an order to it is cancelled at the address deadline and nothing is charged.
 */
const pizza = pizzaClient(inject("simulatedBaseUrl"));
const address = { line1: "3 Fennel Yard", city: "York", postcode: "YO1 7HH", country: "GB" };
const delivery = (deliveryAddressId: string) => ({
  items: [{ recipeId: "margherita", quantity: 1 }],
  fulfilment: "delivery",
  deliveryAddressId,
});

// Both wait on their own clocks (the kitchen and driver's steps; the 60 s address deadline): side by side.
describe.concurrent("an order placed right after adding its address", () => {
  it("is accepted and delivered", async () => {
    const nina = await pizza.token(uniqueId("nina"));
    const added = await pizza.addAddress(nina, address);
    expect(added.status).toBe(201);
    const placed = await pizza.submitOrder(nina, delivery(added.body.addressId));
    expect(placed.status).toBe(202);
    expect(placed.body).toMatchObject({ status: "submitted" });
    const order = await pizza.waitForOrder(
      nina,
      placed.body.orderId,
      "to be delivered by simulated staff",
      (o) => o.status === "completed",
      90_000,
    );
    expect(order.history.map((h: { status: string }) => h.status)).toEqual([
      "submitted",
      "confirmed",
      "preparing",
      "baking",
      "quality-checked",
      "out-for-delivery",
      "completed",
    ]);
    expect(order.payment.status).toBe("taken");
  }, 120_000);

  it("to another customer's address is cancelled at the deadline, never charged nor delivered", async () => {
    const kate = await pizza.token(uniqueId("kate"));
    const leo = await pizza.token(uniqueId("leo"));
    const { body } = await pizza.addAddress(kate, address);
    const leos = await pizza.submitOrder(leo, delivery(body.addressId));
    // Accepted: it could be an address of Leo's on its way; it never arrives in his copy.
    expect(leos.status).toBe(202);
    const order = await pizza.waitForOrder(
      leo,
      leos.body.orderId,
      "to be cancelled for its unknown address",
      (o) => o.status === "cancelled",
      // DELIVERY_ADDRESS_WAIT_SECONDS (60) and the order's alarm, with room for a loaded machine.
      110_000,
    );
    expect(order.cancellation).toEqual({ reason: "delivery address unknown" });
    expect(order.payment.status).toBe("not-requested");
    expect(order.history.map((h: { status: string }) => h.status)).toEqual(["submitted", "cancelled"]);
  }, 130_000);
});
