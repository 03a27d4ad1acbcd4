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

/** A customer may cancel until the kitchen starts preparing. */
export const CANCELLABLE: readonly OrderStatus[] = ["submitted", "confirmed"];

/**
 * Which event moves an order to which status: every transition is driven by an event and recorded in
 * the history with it. Events not listed (payments' outcomes, driver assigned, the order delivered or
 * collected) are recorded among the applied events; the order's reaction to them (confirmed,
 * cancelled, completed) is an event of its own that moves the status.
 * `baking` is the oven stage: the kitchen reports it when the pizzas come out (pizza baked).
 */
export const STATUS_AFTER: Partial<Record<EventType, OrderStatus>> = {
  "com.plantbasedpizza.order.submitted.v1": "submitted",
  "com.plantbasedpizza.order.confirmed.v1": "confirmed",
  "com.plantbasedpizza.order.confirmed.v2": "confirmed",
  "com.plantbasedpizza.kitchen.preparation-started.v1": "preparing",
  "com.plantbasedpizza.kitchen.pizza-baked.v1": "baking",
  "com.plantbasedpizza.kitchen.quality-checked.v1": "quality-checked",
  "com.plantbasedpizza.order.ready-for-collection.v1": "ready-for-collection",
  "com.plantbasedpizza.delivery.order-collected-by-driver.v1": "out-for-delivery",
  "com.plantbasedpizza.order.completed.v1": "completed",
  "com.plantbasedpizza.order.completed.v2": "completed",
  "com.plantbasedpizza.order.cancelled.v1": "cancelled",
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
