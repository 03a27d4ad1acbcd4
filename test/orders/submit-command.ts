import { startTrace } from "../../shared/events/trace";
import type { SubmitOrder } from "../../durable-objects/orders/order";

/** A SubmitOrder as the orders API would hand it to an Order object: one Funghi, for collection. */
export function submitCommand(orderId: string, overrides: Partial<SubmitOrder> = {}): SubmitOrder {
  return {
    orderId,
    customerId: "alice",
    fulfilment: "collection",
    lines: [
      { recipeId: "funghi", name: "Funghi", quantity: 1, unitPrice: { amount: 1150, currency: "GBP" } },
    ],
    total: { amount: 1150, currency: "GBP" },
    cardToken: "tok_visa",
    fingerprint: "f",
    commandId: "submit-order:test",
    traceparent: startTrace(),
    paymentTimeoutSeconds: 30,
    ...overrides,
  };
}
