import type { PizzaEvent } from "../../shared/events/envelope";
import { registry, type EventData, type EventType } from "../../shared/events/registry";

/**
 * The order's story for its customer: every fact the order applied (its own events and the other
 * contexts' it consumed), oldest first, each said in the business's words ("Payment taken", "Pizza
 * baked", "Cancelled: payment timed out"). Pure: the Order object hands it its applied events.
 */
export interface StoryEntry {
  /** When it happened: the event's time. */
  at: string;
  eventType: string;
  eventId: string;
  says: string;
}

type Says = { [T in EventType]?: (data: EventData<T>) => string };

/**
 * What each fact says. test/orders/order-story.test.ts checks that every event the order applies (its
 * own facts and every event orders subscribes to) has its own words here.
 */
const SAYS: Says = {
  "com.plantbasedpizza.order.submitted.v1": () => "Order placed",
  "com.plantbasedpizza.payment.taken.v1": () => "Payment taken",
  "com.plantbasedpizza.payment.failed.v1": (d) => `Payment failed: ${d.reason}`,
  "com.plantbasedpizza.payment.voided.v1": () => "Payment stopped: nothing was charged",
  "com.plantbasedpizza.payment.refunded.v1": () => "Payment refunded",
  "com.plantbasedpizza.order.confirmed.v1": () => "Order confirmed",
  "com.plantbasedpizza.order.confirmed.v2": () => "Order confirmed",
  "com.plantbasedpizza.kitchen.preparation-started.v1": () => "Preparation started",
  "com.plantbasedpizza.kitchen.pizza-baked.v1": () => "Pizza baked",
  "com.plantbasedpizza.kitchen.quality-checked.v1": () => "Quality checked",
  "com.plantbasedpizza.kitchen.ticket-withdrawn.v1": (d) => `Withdrawn from the kitchen: ${d.reason}`,
  "com.plantbasedpizza.order.ready-for-delivery.v1": () => "Ready for delivery",
  "com.plantbasedpizza.order.ready-for-collection.v1": () => "Ready for collection",
  "com.plantbasedpizza.delivery.driver-assigned.v1": () => "Driver assigned",
  "com.plantbasedpizza.delivery.order-collected-by-driver.v1": () => "Collected by driver",
  "com.plantbasedpizza.delivery.order-delivered.v1": () => "Delivered",
  "com.plantbasedpizza.collection.order-collected.v1": () => "Collected",
  "com.plantbasedpizza.order.completed.v1": () => "Completed",
  "com.plantbasedpizza.order.completed.v2": () => "Completed",
  "com.plantbasedpizza.order.cancelled.v1": (d) => `Cancelled: ${d.reason}`,
};

/** The event types the story has its own words for. */
export const TOLD = new Set(Object.keys(SAYS));

/** What one fact says; one it has no words for (yet) says what the registry says it means. */
export function says(event: PizzaEvent): string {
  const say = SAYS[event.type] as ((data: unknown) => string) | undefined;
  if (say) return say(event.data);
  return registry[event.type as EventType]?.summary ?? event.type;
}

/** The story of `applied`, the order's applied events oldest first. */
export function orderStory(applied: PizzaEvent[]): StoryEntry[] {
  return applied.map((event) => ({
    at: event.time,
    eventType: event.type,
    eventId: event.id,
    says: says(event),
  }));
}
