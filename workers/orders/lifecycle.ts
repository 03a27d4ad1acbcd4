import type { EventType } from "../../shared/events/registry";

/** The order status vocabulary for the whole project, in lifecycle order. */
export const ORDER_STATUSES = [
  "submitted",
  "confirmed",
  "preparing",
  "baking",
  "quality-checked",
  "ready-for-collection",
  "out-for-delivery",
  "completed",
  "cancelled",
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Which event moves an order to which status. Events not listed are recorded but move nothing. */
export const STATUS_AFTER: Partial<Record<EventType, OrderStatus>> = {
  "com.plantbasedpizza.order.submitted.v1": "submitted",
  "com.plantbasedpizza.order.confirmed.v1": "confirmed",
  "com.plantbasedpizza.kitchen.preparation-started.v1": "preparing",
};

const rank = (s: OrderStatus) => ORDER_STATUSES.indexOf(s);

/**
 * Queues do not keep order, so a late event must not move an order backwards: the status only ever
 * advances, and nothing moves a cancelled or completed order.
 */
export function nextStatus(current: OrderStatus | undefined, type: EventType): OrderStatus | undefined {
  const target = STATUS_AFTER[type];
  if (!target) return undefined;
  if (current === undefined) return target;
  if (current === "cancelled" || current === "completed") return undefined;
  return rank(target) > rank(current) ? target : undefined;
}
