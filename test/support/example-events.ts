import type { EventData, EventType } from "../../shared/events/registry";

/** A valid example payload for every registered event type (a test fails when one is missing). */
const orderId = "7a1e0d0e-4b5f-4c8e-9d2a-1b3c4d5e6f70";
const at = "2026-11-23T12:00:00.000Z";
const total = { amount: 2000, currency: "GBP" };

const examples: { [T in EventType]: EventData<T> } = {
  "com.plantbasedpizza.order.submitted.v1": { orderId, customerId: "customer-42", fulfilment: "collection", total, submittedAt: at },
  "com.plantbasedpizza.order.confirmed.v1": {
    orderId,
    customerId: "customer-42",
    fulfilment: "collection",
    items: [{ recipeId: "margherita", name: "Margherita", quantity: 2, unitPrice: { amount: 1000, currency: "GBP" } }],
    total,
    confirmedAt: at,
  },
  "com.plantbasedpizza.kitchen.preparation-started.v1": { orderId, ticketId: `ticket-${orderId}`, startedAt: at },
};

export function exampleData<T extends EventType>(type: T): EventData<T> {
  return structuredClone(examples[type]);
}
