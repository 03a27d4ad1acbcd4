import { describe, expect, it } from "vitest";
import { orderStory, says, TOLD } from "../../durable-objects/orders/order-story";
import { createEvent, type PizzaEvent } from "../../shared/events/envelope";
import { registry, type EventData, type EventType } from "../../shared/events/registry";
import { startTrace } from "../../shared/events/trace";
import { ordersSubscription } from "../../workers/orders/subscriptions";

/**
 * The order's story (what GET /orders/{id} and its live view tell the customer): every fact the order
 * applied, in the business's words. Pure: events in, sentences out.
 */
const orderId = "7a1e0d0e-4b5f-4c8e-9d2a-1b3c4d5e6f70";
// Before every deprecated version's sunset, so v1 events can still be built whatever today is.
const at = (minute: number) => new Date(Date.UTC(2026, 10, 23, 12, minute));

function fact<T extends EventType>(type: T, minute: number, data?: Partial<EventData<T>>): PizzaEvent<T> {
  return createEvent(
    type,
    { ...(registry[type].example as EventData<T>), ...data },
    { traceparent: startTrace(), causationid: "test", subject: orderId },
    at(minute),
  );
}

/** Every event an Order applies: its own facts (not its commands to payments) and those it consumes. */
const appliedByTheOrder = [
  ...(Object.keys(registry) as EventType[]).filter(
    (t) => registry[t].producer === "orders" && registry[t].shape !== "command",
  ),
  ...(Object.keys(ordersSubscription.events) as EventType[]).filter(
    // Applied to orders' copy of the customer's addresses, never to an order.
    (t) => t !== "com.plantbasedpizza.customer.address-added.v1",
  ),
];

describe("the order's story", () => {
  it("has words of its own for every event an order applies", () => {
    expect(appliedByTheOrder.length).toBeGreaterThan(15);
    expect(appliedByTheOrder.filter((t) => !TOLD.has(t))).toEqual([]);
  });

  it("tells a collection order from placing to completion, oldest first, with each fact's time and id", () => {
    const events = [
      fact("com.plantbasedpizza.order.submitted.v1", 0),
      fact("com.plantbasedpizza.payment.taken.v1", 1),
      fact("com.plantbasedpizza.order.confirmed.v2", 1),
      fact("com.plantbasedpizza.kitchen.preparation-started.v1", 2),
      fact("com.plantbasedpizza.kitchen.pizza-baked.v1", 3),
      fact("com.plantbasedpizza.kitchen.quality-checked.v1", 4),
      fact("com.plantbasedpizza.order.ready-for-collection.v1", 4),
      fact("com.plantbasedpizza.collection.order-collected.v1", 5),
      fact("com.plantbasedpizza.order.completed.v2", 5),
    ];
    const story = orderStory(events);
    expect(story.map((s) => s.says)).toEqual([
      "Order placed",
      "Payment taken",
      "Order confirmed",
      "Preparation started",
      "Pizza baked",
      "Quality checked",
      "Ready for collection",
      "Collected",
      "Completed",
    ]);
    expect(story[3]).toEqual({
      at: at(2).toISOString(),
      eventType: "com.plantbasedpizza.kitchen.preparation-started.v1",
      eventId: events[3]!.id,
      says: "Preparation started",
    });
  });

  it("tells a delivery: the driver's steps", () => {
    expect(
      orderStory([
        fact("com.plantbasedpizza.order.ready-for-delivery.v1", 0),
        fact("com.plantbasedpizza.delivery.driver-assigned.v1", 1),
        fact("com.plantbasedpizza.delivery.order-collected-by-driver.v1", 2),
        fact("com.plantbasedpizza.delivery.order-delivered.v1", 3),
        fact("com.plantbasedpizza.order.completed.v1", 3),
      ]).map((s) => s.says),
    ).toEqual(["Ready for delivery", "Driver assigned", "Collected by driver", "Delivered", "Completed"]);
  });

  it("says why an order was cancelled, and what became of the money", () => {
    expect(
      orderStory([
        fact("com.plantbasedpizza.payment.failed.v1", 0, { reason: "card declined" }),
        fact("com.plantbasedpizza.order.cancelled.v1", 0, { reason: "payment failed: card declined" }),
        fact("com.plantbasedpizza.kitchen.ticket-withdrawn.v1", 1, { reason: "cancelled by the customer" }),
        fact("com.plantbasedpizza.payment.voided.v1", 2),
        fact("com.plantbasedpizza.payment.refunded.v1", 3),
      ]).map((s) => s.says),
    ).toEqual([
      "Payment failed: card declined",
      "Cancelled: payment failed: card declined",
      "Withdrawn from the kitchen: cancelled by the customer",
      "Payment stopped: nothing was charged",
      "Payment refunded",
    ]);
  });

  it("falls back to what the registry says an event means, for one it has no words for", () => {
    const awarded = fact("com.plantbasedpizza.loyalty.points-awarded.v1", 0);
    expect(says(awarded)).toBe(registry["com.plantbasedpizza.loyalty.points-awarded.v1"].summary);
    expect(orderStory([])).toEqual([]);
  });
});
