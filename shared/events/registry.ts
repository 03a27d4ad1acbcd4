import type { z } from "zod";
import { OrderCollectedV1 } from "./catalog/collection";
import { AddressAddedV1 } from "./catalog/customers";
import { DriverAssignedV1, OrderCollectedByDriverV1, OrderDeliveredV1 } from "./catalog/delivery";
import { PizzaBakedV1, PreparationStartedV1, QualityCheckedV1 } from "./catalog/kitchen";
import { PointsAwardedV1 } from "./catalog/loyalty";
import {
  OrderCancelledV1,
  OrderCompletedV1,
  OrderConfirmedV1,
  OrderReadyForCollectionV1,
  OrderReadyForDeliveryV1,
  OrderSubmittedV1,
} from "./catalog/orders";
import {
  PaymentFailedV1,
  PaymentRefundedV1,
  PaymentTakenV1,
  RefundPaymentV1,
  TakePaymentV1,
} from "./catalog/payments";

/**
 * The event registry: the single source of truth for every business event (and asynchronous command)
 * the system may publish or consume. One entry per type *and major version*; an incompatible change is
 * a new entry with a new `type` (…v2) published side by side with the old one until its consumers have
 * moved.
 *
 * Nothing can be published or consumed that is not listed here: `createEvent` only accepts these
 * types, and `readEvent` rejects anything else before a handler sees it. docs/EVENTS.md is generated
 * from this file and the subscriptions (`npm run docs:events`).
 */
export type EventShape = "state-transfer" | "notification" | "identifiers" | "command";

export interface EventDefinition<S extends z.ZodType = z.ZodType> {
  /** The bounded context that owns and publishes this event (for a command: the one that sends it). */
  producer: string;
  shape: EventShape;
  summary: string;
  schema: S;
  /** A valid payload, for docs/EVENTS.md and tests. */
  example: z.input<S>;
}

/** Keeps each entry's example type-checked against its own schema. */
const define = <S extends z.ZodType>(d: EventDefinition<S>) => d;

const orderId = "7a1e0d0e-4b5f-4c8e-9d2a-1b3c4d5e6f70";
const customerId = "customer-42";
const at = "2026-11-23T12:00:00.000Z";
const total = { amount: 2300, currency: "GBP" };
const ticketId = `ticket-${orderId}`;
const paymentId = `payment-${orderId}`;
const delivery = { orderId, deliveryId: `delivery-${orderId}`, driverId: "driver-7" };

export const registry = {
  "com.plantbasedpizza.order.submitted.v1": define({
    producer: "orders",
    shape: "notification",
    summary: "A customer's order was accepted and waits for its payment.",
    schema: OrderSubmittedV1,
    example: { orderId, customerId, fulfilment: "delivery", total, submittedAt: at },
  }),
  "com.plantbasedpizza.payments.take-payment.v1": define({
    producer: "orders",
    shape: "command",
    summary: "Asks payments to take the order's card payment; the outcome comes back as an event.",
    schema: TakePaymentV1,
    example: { orderId, customerId, amount: total, cardToken: "tok_visa" },
  }),
  "com.plantbasedpizza.order.confirmed.v1": define({
    producer: "orders",
    shape: "state-transfer",
    summary: "The order is paid and confirmed; it carries its items, quantities and total.",
    schema: OrderConfirmedV1,
    example: {
      orderId,
      customerId,
      fulfilment: "delivery",
      deliveryAddressId: "address-3",
      items: [
        {
          recipeId: "margherita",
          name: "Margherita",
          quantity: 1,
          unitPrice: { amount: 1000, currency: "GBP" },
        },
        { recipeId: "verdure", name: "Verdure", quantity: 1, unitPrice: { amount: 1000, currency: "GBP" } },
      ],
      deliveryFee: { amount: 300, currency: "GBP" },
      total,
      confirmedAt: at,
    },
  }),
  "com.plantbasedpizza.order.cancelled.v1": define({
    producer: "orders",
    shape: "notification",
    summary: "The order was cancelled (by the customer, a failed payment or a payment that never came).",
    schema: OrderCancelledV1,
    example: { orderId, customerId, reason: "cancelled by the customer", cancelledAt: at },
  }),
  "com.plantbasedpizza.payments.refund-payment.v1": define({
    producer: "orders",
    shape: "command",
    summary: "Asks payments to give back the payment of an order that will not be served.",
    schema: RefundPaymentV1,
    example: { orderId, reason: "cancelled by the customer" },
  }),
  "com.plantbasedpizza.order.ready-for-delivery.v1": define({
    producer: "orders",
    shape: "identifiers",
    summary: "The order left the kitchen and waits for a driver.",
    schema: OrderReadyForDeliveryV1,
    example: { orderId, customerId, deliveryAddressId: "address-3" },
  }),
  "com.plantbasedpizza.order.ready-for-collection.v1": define({
    producer: "orders",
    shape: "identifiers",
    summary: "The order left the kitchen and waits at the counter.",
    schema: OrderReadyForCollectionV1,
    example: { orderId, customerId },
  }),
  "com.plantbasedpizza.order.completed.v1": define({
    producer: "orders",
    shape: "state-transfer",
    summary: "The customer has the order; it carries the total.",
    schema: OrderCompletedV1,
    example: { orderId, customerId, fulfilment: "delivery", total, completedAt: at },
  }),
  "com.plantbasedpizza.payment.taken.v1": define({
    producer: "payments",
    shape: "notification",
    summary: "The order's card payment went through.",
    schema: PaymentTakenV1,
    example: { orderId, paymentId, amount: total, takenAt: at },
  }),
  "com.plantbasedpizza.payment.failed.v1": define({
    producer: "payments",
    shape: "notification",
    summary: "The order's card payment was declined.",
    schema: PaymentFailedV1,
    example: { orderId, paymentId, reason: "card declined", failedAt: at },
  }),
  "com.plantbasedpizza.payment.refunded.v1": define({
    producer: "payments",
    shape: "notification",
    summary: "The order's payment was given back.",
    schema: PaymentRefundedV1,
    example: { orderId, paymentId, amount: total, reason: "cancelled by the customer", refundedAt: at },
  }),
  "com.plantbasedpizza.kitchen.preparation-started.v1": define({
    producer: "kitchen",
    shape: "notification",
    summary: "A cook started preparing the order.",
    schema: PreparationStartedV1,
    example: { orderId, ticketId, startedAt: at },
  }),
  "com.plantbasedpizza.kitchen.pizza-baked.v1": define({
    producer: "kitchen",
    shape: "notification",
    summary: "The order's pizzas came out of the oven.",
    schema: PizzaBakedV1,
    example: { orderId, ticketId, bakedAt: at },
  }),
  "com.plantbasedpizza.kitchen.quality-checked.v1": define({
    producer: "kitchen",
    shape: "notification",
    summary: "The order's pizzas passed the quality check and can leave the kitchen.",
    schema: QualityCheckedV1,
    example: { orderId, ticketId, checkedAt: at },
  }),
  "com.plantbasedpizza.delivery.driver-assigned.v1": define({
    producer: "delivery",
    shape: "notification",
    summary: "A driver will take the order.",
    schema: DriverAssignedV1,
    example: { ...delivery, assignedAt: at },
  }),
  "com.plantbasedpizza.delivery.order-collected-by-driver.v1": define({
    producer: "delivery",
    shape: "notification",
    summary: "The driver picked the order up and is on the way.",
    schema: OrderCollectedByDriverV1,
    example: { ...delivery, collectedAt: at },
  }),
  "com.plantbasedpizza.delivery.order-delivered.v1": define({
    producer: "delivery",
    shape: "notification",
    summary: "The driver handed the order to the customer.",
    schema: OrderDeliveredV1,
    example: { ...delivery, deliveredAt: at },
  }),
  "com.plantbasedpizza.collection.order-collected.v1": define({
    producer: "collection",
    shape: "notification",
    summary: "The customer collected the order at the counter.",
    schema: OrderCollectedV1,
    example: { orderId, collectedAt: at },
  }),
  "com.plantbasedpizza.customer.address-added.v1": define({
    producer: "customers",
    shape: "state-transfer",
    summary: "A customer added a delivery address; it carries the whole address.",
    schema: AddressAddedV1,
    example: {
      customerId,
      addressId: "address-3",
      line1: "1 Basil Row",
      city: "Leeds",
      postcode: "LS1 4AP",
      country: "GB",
      addedAt: at,
    },
  }),
  "com.plantbasedpizza.loyalty.points-awarded.v1": define({
    producer: "loyalty",
    shape: "notification",
    summary: "Points for a completed order were added to the customer's balance.",
    schema: PointsAwardedV1,
    example: { customerId, orderId, points: 23, balance: 40, awardedAt: at },
  }),
} as const;

export type EventType = keyof typeof registry;
export type EventData<T extends EventType> = z.output<(typeof registry)[T]["schema"]>;

export const eventTypes = Object.keys(registry) as EventType[];

export function isRegistered(type: string): type is EventType {
  return Object.hasOwn(registry, type);
}

/** The `dataschema` URI: names the schema of one type and version; served by GET /schemas/events/{type}.json. */
const SCHEMA_BASE = "https://plantbasedpizza.dev/schemas/events/";
export function dataschemaFor(type: EventType): string {
  return `${SCHEMA_BASE}${type}.json`;
}
