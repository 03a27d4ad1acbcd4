import { z } from "zod";
import { CustomerId, OrderId } from "./ids";
import { Money } from "./money";

/** Shapes the orders context publishes (events) and sends (commands to payments). */
export const Fulfilment = z.enum(["collection", "delivery"]);
export type Fulfilment = z.infer<typeof Fulfilment>;

export const OrderLine = z.object({
  recipeId: z.string().min(1),
  name: z.string().min(1),
  quantity: z.number().int().positive(),
  unitPrice: Money,
});
/** One priced line of an order, as every event that carries lines has it. */
export type OrderLine = z.infer<typeof OrderLine>;

const orderId = OrderId;
const customerId = CustomerId;

/** Notification: the customer's SubmitOrder command was accepted; payment is next. */
export const OrderSubmittedV1 = z.object({
  orderId,
  customerId,
  fulfilment: Fulfilment,
  total: Money,
  submittedAt: z.iso.datetime(),
});

/**
 * Event-carried state transfer: the confirmed (paid) order carries what the kitchen needs to cook it
 * and analytics needs to count it (items, quantities, total), so no consumer calls orders back.
 */
export const OrderConfirmedV1 = z.object({
  orderId,
  customerId,
  fulfilment: Fulfilment,
  deliveryAddressId: z.string().min(1).optional(),
  items: z.array(OrderLine).min(1),
  /** Delivery orders only: the fixed delivery fee from the menu, included in `total`. */
  deliveryFee: Money.optional(),
  total: Money,
  confirmedAt: z.iso.datetime(),
});

/** Notification: identifiers and the reason only. */
export const OrderCancelledV1 = z.object({
  orderId,
  customerId,
  reason: z.string().min(1),
  cancelledAt: z.iso.datetime(),
});

/** Wider identifiers: ready for delivery, the delivery context resolves the address from its own copy. */
export const OrderReadyForDeliveryV1 = z.object({
  orderId,
  customerId,
  deliveryAddressId: z.string().min(1),
});

/** Identifiers: the order waits at the counter. */
export const OrderReadyForCollectionV1 = z.object({ orderId, customerId });

/** State transfer: the completed order carries its total, which loyalty turns into points. */
export const OrderCompletedV1 = z.object({
  orderId,
  customerId,
  fulfilment: Fulfilment,
  total: Money,
  completedAt: z.iso.datetime(),
});
