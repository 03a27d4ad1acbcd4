import type { z } from "zod";
import { OrderConfirmedV1, OrderSubmittedV1 } from "./catalog/orders";
import { PreparationStartedV1 } from "./catalog/kitchen";

/**
 * The event registry: the single source of truth for every business event the system may publish or
 * consume. One entry per type *and major version*; an incompatible change is a new entry with a new
 * `type` (…v2) published side by side with the old one until its consumers have moved.
 *
 * Nothing can be published or consumed that is not listed here: `createEvent` only accepts these
 * types, and `readEvent` rejects anything else before a handler sees it.
 */
export type EventShape = "state-transfer" | "notification" | "identifiers";

export interface EventDefinition {
  /** The bounded context that owns and publishes this event. */
  producer: string;
  shape: EventShape;
  summary: string;
  schema: z.ZodType;
}

export const TYPE_PREFIX = "com.plantbasedpizza.";

export const registry = {
  "com.plantbasedpizza.order.submitted.v1": {
    producer: "orders",
    shape: "notification",
    summary: "A customer's order was accepted and is waiting to be confirmed.",
    schema: OrderSubmittedV1,
  },
  "com.plantbasedpizza.order.confirmed.v1": {
    producer: "orders",
    shape: "state-transfer",
    summary: "The order is confirmed; it carries its items, quantities and total so the kitchen can cook it.",
    schema: OrderConfirmedV1,
  },
  "com.plantbasedpizza.kitchen.preparation-started.v1": {
    producer: "kitchen",
    shape: "notification",
    summary: "The kitchen opened a ticket for the order and started preparing it.",
    schema: PreparationStartedV1,
  },
} as const satisfies Record<string, EventDefinition>;

export type EventType = keyof typeof registry;
export type EventData<T extends EventType> = z.output<(typeof registry)[T]["schema"]>;

export const eventTypes = Object.keys(registry) as EventType[];

export function isRegistered(type: string): type is EventType {
  return Object.hasOwn(registry, type);
}

/** `…order.confirmed.v1` -> `order.confirmed` and 1. */
export function describeType(type: EventType): { name: string; version: number } {
  const m = /^(.*)\.v(\d+)$/.exec(type.slice(TYPE_PREFIX.length))!;
  return { name: m[1]!, version: Number(m[2]) };
}

/** The `dataschema` URI: names the schema of one type and version; served by GET /schemas/events/{type}.json. */
export const SCHEMA_BASE = "https://plantbasedpizza.dev/schemas/events/";
export function dataschemaFor(type: EventType): string {
  return `${SCHEMA_BASE}${type}.json`;
}
