import { includedTax } from "../../shared/events/catalog/money";
import { startTrace } from "../../shared/events/trace";
import type { SubmitOrder } from "../../durable-objects/orders/order";

const funghi = { amount: 1150, currency: "GBP" };

/** A SubmitOrder as the orders API would hand it to an Order object: one Funghi (20% VAT included), for collection. */
export function submitCommand(orderId: string, overrides: Partial<SubmitOrder> = {}): SubmitOrder {
  return {
    orderId,
    customerId: "alice",
    fulfilment: "collection",
    lines: [
      {
        recipeId: "funghi",
        name: "Funghi",
        quantity: 1,
        unitPrice: funghi,
        taxRateBasisPoints: 2000,
        total: includedTax(funghi, 2000),
      },
    ],
    total: includedTax(funghi, 2000),
    cardToken: "tok_visa",
    fingerprint: "f",
    commandId: "submit-order:test",
    traceparent: startTrace(),
    paymentTimeoutSeconds: 30,
    ...overrides,
  };
}
