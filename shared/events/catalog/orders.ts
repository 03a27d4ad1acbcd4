import { z } from "zod";

/** Shapes the orders context publishes. Money is always minor units plus an ISO 4217 currency. */
export const Money = z.object({
  amount: z.number().int().nonnegative(),
  currency: z.string().regex(/^[A-Z]{3}$/),
});

export const OrderLine = z.object({
  recipeId: z.string().min(1),
  name: z.string().min(1),
  quantity: z.number().int().positive(),
  unitPrice: Money,
});

export const Fulfilment = z.enum(["collection", "delivery"]);

/** Notification: the customer's SubmitOrder command was accepted. Identifiers and the total only. */
export const OrderSubmittedV1 = z.object({
  orderId: z.uuid(),
  customerId: z.string().min(1),
  fulfilment: Fulfilment,
  total: Money,
  submittedAt: z.iso.datetime(),
});

/**
 * Event-carried state transfer: the confirmed order carries what the kitchen needs to cook it
 * (items, quantities, total), so no consumer ever calls the orders context back.
 */
export const OrderConfirmedV1 = z.object({
  orderId: z.uuid(),
  customerId: z.string().min(1),
  fulfilment: Fulfilment,
  deliveryAddressId: z.string().min(1).optional(),
  items: z.array(OrderLine).min(1),
  total: Money,
  confirmedAt: z.iso.datetime(),
});
