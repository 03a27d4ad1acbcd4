import { z } from "zod";
import { CustomerId, OrderId } from "./ids";
import { Money, TaxedMoney, TaxRate } from "./money";

/** Shapes the orders context publishes (events) and sends (commands to payments). */
export const Fulfilment = z.enum(["collection", "delivery"]);
export type Fulfilment = z.infer<typeof Fulfilment>;

/** Catering orders: the most lines an order has, and each line's optional label and notes. */
export const MAX_ORDER_LINES = 500;
export const OrderLineLabel = z.string().min(1).max(200);
export const OrderLineNotes = z.string().min(1).max(500);

export const OrderLine = z.object({
  recipeId: z.string().min(1),
  name: z.string().min(1),
  quantity: z.number().int().positive(),
  unitPrice: Money,
  /** Who the line is for (catering orders). */
  label: OrderLineLabel.optional(),
  /** What the kitchen must know about the line: allergies, cutting (catering orders). */
  notes: OrderLineNotes.optional(),
});
/** One priced line of an order, as version 1 events carry it: the tax-inclusive unit price only. */
export type OrderLine = z.infer<typeof OrderLine>;

/**
 * One priced line with its tax (version 2): the unit price as the menu quotes it (tax included), the
 * line's tax rate, and the line's total split into net, tax and gross.
 */
export const TaxedOrderLine = OrderLine.extend({ taxRateBasisPoints: TaxRate, total: TaxedMoney });
export type TaxedOrderLine = z.infer<typeof TaxedOrderLine>;

/** The delivery fee with its tax (version 2). */
export const TaxedDeliveryFee = z.object({ taxRateBasisPoints: TaxRate, total: TaxedMoney });
export type TaxedDeliveryFee = z.infer<typeof TaxedDeliveryFee>;

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

/**
 * Version 2 (RFC 0001, docs/rfcs/0001-order-prices-with-tax.md): the same state transfer with prices
 * that carry their tax (each line's rate, net, tax and gross; the total as { net, tax, gross }), so
 * analytics can report net revenue and tax per country. Breaking for v1 readers (`total` changed type).
 */
export const OrderConfirmedV2 = z.object({
  orderId,
  customerId,
  fulfilment: Fulfilment,
  deliveryAddressId: z.string().min(1).optional(),
  items: z.array(TaxedOrderLine).min(1),
  /** Delivery orders only: the delivery fee with its tax, included in `total`. */
  deliveryFee: TaxedDeliveryFee.optional(),
  total: TaxedMoney,
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

/** Version 2 (RFC 0001): the completed order's total as { net, tax, gross }. */
export const OrderCompletedV2 = z.object({
  orderId,
  customerId,
  fulfilment: Fulfilment,
  total: TaxedMoney,
  completedAt: z.iso.datetime(),
});
