import { describe, expect, inject, it } from "vitest";
import { pizzaClient, uniqueId } from "../support/pizza-client";

/**
 * `npm run dev` exactly as a developer starts it: simulated staff are on, so an order placed locally
 * runs to completed with nobody at the keyboard, through the same staff commands and events.
 */
const pizza = pizzaClient(inject("simulatedBaseUrl"));

describe("local life without staff", () => {
  it("takes a collection order from submitted to completed on its own", async () => {
    const rosa = await pizza.token(uniqueId("rosa"));
    const { body } = await pizza.submitOrder(rosa, {
      items: [{ recipeId: "funghi", quantity: 1 }],
      fulfilment: "collection",
    });
    const order = await pizza.waitForOrder(
      rosa,
      body.orderId,
      "to be completed by simulated staff",
      (o) => o.status === "completed",
      90_000,
    );
    expect(order.history.map((h: { status: string }) => h.status)).toEqual([
      "submitted",
      "confirmed",
      "preparing",
      "baking",
      "quality-checked",
      "ready-for-collection",
      "completed",
    ]);
  });
});
