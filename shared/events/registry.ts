import type { z } from "zod";
import { OrderCollectedV1 } from "./catalog/collection";
import { AddressAddedV1 } from "./catalog/customers";
import { DriverAssignedV1, OrderCollectedByDriverV1, OrderDeliveredV1 } from "./catalog/delivery";
import { PizzaBakedV1, PreparationStartedV1, QualityCheckedV1, TicketWithdrawnV1 } from "./catalog/kitchen";
import { PointsAwardedV1 } from "./catalog/loyalty";
import {
  OrderCancelledV1,
  OrderCompletedV1,
  OrderCompletedV2,
  OrderConfirmedV1,
  OrderConfirmedV2,
  OrderReadyForCollectionV1,
  OrderReadyForDeliveryV1,
  OrderSubmittedV1,
} from "./catalog/orders";
import {
  PaymentFailedV1,
  PaymentRefundedV1,
  PaymentTakenV1,
  PaymentVoidedV1,
  RefundPaymentV1,
  TakePaymentV1,
  VoidPaymentV1,
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
  /**
   * A command's one recipient, the context that carries it out: the outbox sends it straight to that
   * context's own queue, point to point, not through the bus (shared/bus/destination.ts). Only commands
   * have one; an event is published to whoever subscribes. test/bus/commands.test.ts checks it is the
   * command's only subscriber.
   */
  recipient?: string;
  summary: string;
  schema: S;
  /** A valid payload, for docs/EVENTS.md and tests. */
  example: z.input<S>;
  /** Absent while the version is active; set once it is deprecated (RFC 0001 shows the path). */
  deprecation?: Deprecation;
}

/**
 * A deprecated version (the CloudEvents deprecation extension, on every event of it): since when, its
 * sunset (after which it is no longer published, derived or routed; a sunset may move later, never
 * earlier), the version replacing it and where the migration is explained.
 */
export interface Deprecation {
  /** RFC 3339. */
  since: string;
  /** RFC 3339; the gate (npm run schemas:check) fails if it moves earlier than the published snapshot. */
  sunset: string;
  replacedBy: string;
  /** A URI explaining how to move (the RFC). */
  migration: string;
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
const gbp = (amount: number) => ({ amount, currency: "GBP" });
const taxed = (net: number, tax: number) => ({ net: gbp(net), tax: gbp(tax), gross: gbp(net + tax) });

/** RFC 0001: order prices with tax. v1 of confirmed and completed stays published, derived from v2, until then. */
const PRICES_WITH_TAX: Omit<Deprecation, "replacedBy"> = {
  since: "2026-11-24T00:00:00Z",
  sunset: "2027-03-31T00:00:00Z",
  migration: "https://plantbasedpizza.dev/rfcs/0001-order-prices-with-tax",
};

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
    recipient: "payments",
    summary: "Asks payments to take the order's card payment; the outcome comes back as an event.",
    schema: TakePaymentV1,
    example: { orderId, customerId, amount: total, cardToken: "tok_visa" },
  }),
  "com.plantbasedpizza.order.confirmed.v1": define({
    producer: "orders",
    shape: "state-transfer",
    summary: "The order is paid and confirmed; it carries its items, quantities and total.",
    schema: OrderConfirmedV1,
    deprecation: { ...PRICES_WITH_TAX, replacedBy: "com.plantbasedpizza.order.confirmed.v2" },
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
  "com.plantbasedpizza.order.confirmed.v2": define({
    producer: "orders",
    shape: "state-transfer",
    summary:
      "The order is paid and confirmed; it carries its items and quantities, and prices with their tax: each line's rate and net, tax and gross, and the total as { net, tax, gross }.",
    schema: OrderConfirmedV2,
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
          unitPrice: gbp(1000),
          taxRateBasisPoints: 2000,
          total: taxed(833, 167),
        },
        {
          recipeId: "verdure",
          name: "Verdure",
          quantity: 1,
          unitPrice: gbp(1000),
          taxRateBasisPoints: 2000,
          total: taxed(833, 167),
        },
      ],
      deliveryFee: { taxRateBasisPoints: 2000, total: taxed(250, 50) },
      total: taxed(1916, 384),
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
    recipient: "payments",
    summary: "Asks payments to give back the payment of an order that will not be served.",
    schema: RefundPaymentV1,
    example: { orderId, reason: "cancelled by the customer" },
  }),
  "com.plantbasedpizza.payments.void-payment.v1": define({
    producer: "orders",
    shape: "command",
    recipient: "payments",
    summary:
      "Asks payments not to take the payment of an order cancelled while it waited for it (or to give it back if it was taken meanwhile).",
    schema: VoidPaymentV1,
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
    deprecation: { ...PRICES_WITH_TAX, replacedBy: "com.plantbasedpizza.order.completed.v2" },
    example: { orderId, customerId, fulfilment: "delivery", total, completedAt: at },
  }),
  "com.plantbasedpizza.order.completed.v2": define({
    producer: "orders",
    shape: "state-transfer",
    summary: "The customer has the order; it carries the total as { net, tax, gross }.",
    schema: OrderCompletedV2,
    example: { orderId, customerId, fulfilment: "delivery", total: taxed(1916, 384), completedAt: at },
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
  "com.plantbasedpizza.payment.voided.v1": define({
    producer: "payments",
    shape: "notification",
    summary: "The order's card payment was stopped before any money was taken.",
    schema: PaymentVoidedV1,
    example: { orderId, paymentId, reason: "cancelled by the customer", voidedAt: at },
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
  "com.plantbasedpizza.kitchen.ticket-withdrawn.v1": define({
    producer: "kitchen",
    shape: "notification",
    summary:
      "The order's ticket was withdrawn before any cook started on it (the customer cancelled in time).",
    schema: TicketWithdrawnV1,
    example: { orderId, ticketId, reason: "cancelled by the customer", withdrawnAt: at },
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

// ---- Versions and their life ------------------------------------------------------------------------

/** `…order.confirmed.v2` -> the family `…order.confirmed` and the major version 2. */
export function versionOf(type: string): { family: string; version: number } {
  const match = /^(.*)\.v([1-9][0-9]*)$/.exec(type);
  if (!match) throw new Error(`${type} does not end in a major version (.vN)`);
  return { family: match[1]!, version: Number(match[2]) };
}

export function deprecationOf(type: EventType): Deprecation | undefined {
  return (registry[type] as EventDefinition).deprecation;
}

/** Past its sunset, a version is no longer published, derived or routed. */
export function isPastSunset(type: EventType, now: Date = new Date()): boolean {
  const deprecation = deprecationOf(type);
  return deprecation !== undefined && now.getTime() >= Date.parse(deprecation.sunset);
}

/**
 * A registered downgrade: how an older version that some subscribers still read is derived from the
 * version replacing it. During the migration window the producer publishes the derived event beside
 * the new one, in the same outbox transaction (publishedVersions in envelope.ts), until the older
 * version's sunset. Each is tested in test/shared/event-versions.test.ts.
 */
export interface Downgrade {
  from: EventType;
  to: EventType;
  derive(data: unknown): unknown;
}

const downgrade = <From extends EventType, To extends EventType>(
  from: From,
  to: To,
  derive: (data: EventData<From>) => EventData<To>,
): Downgrade => ({ from, to, derive: derive as (data: unknown) => unknown });

export const downgrades: readonly Downgrade[] = [
  // v1 readers get the tax-inclusive (gross) amounts they always had.
  downgrade("com.plantbasedpizza.order.confirmed.v2", "com.plantbasedpizza.order.confirmed.v1", (v2) => ({
    orderId: v2.orderId,
    customerId: v2.customerId,
    fulfilment: v2.fulfilment,
    ...(v2.deliveryAddressId !== undefined ? { deliveryAddressId: v2.deliveryAddressId } : {}),
    items: v2.items.map(({ recipeId, name, quantity, unitPrice }) => ({
      recipeId,
      name,
      quantity,
      unitPrice,
    })),
    ...(v2.deliveryFee !== undefined ? { deliveryFee: v2.deliveryFee.total.gross } : {}),
    total: v2.total.gross,
    confirmedAt: v2.confirmedAt,
  })),
  downgrade("com.plantbasedpizza.order.completed.v2", "com.plantbasedpizza.order.completed.v1", (v2) => ({
    orderId: v2.orderId,
    customerId: v2.customerId,
    fulfilment: v2.fulfilment,
    total: v2.total.gross,
    completedAt: v2.completedAt,
  })),
];

/** The older versions derived from `type` for the subscribers still on them. */
export function downgradesFrom(type: EventType): Downgrade[] {
  return downgrades.filter((d) => d.from === type);
}
