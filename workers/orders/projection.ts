import { consumeEvents } from "../../shared/consumer/harness";
import type { AnyPizzaEvent } from "../../shared/events/envelope";
import { addressBook, orderObject } from "./durable-objects";
import { ordersSubscription } from "./subscriptions";

/**
 * The orders projection: what payments, the kitchen, delivery and collection do to an order is
 * applied to it, once per event, by the order's own Durable Object, which also decides what happens
 * next (confirm, cancel, refund, ready, completed). Customers' address events feed the address book.
 */
const toTheOrder = async (event: AnyPizzaEvent & { data: { orderId: string } }, env: Env) => {
  const outcome = await orderObject(env, event.data.orderId).applyEvent(event);
  if (outcome === "unknown-order") throw new Error(`unknown order ${event.data.orderId}`);
  return outcome;
};

export const ordersProjection = consumeEvents<keyof typeof ordersSubscription.events, Env>({
  subscription: ordersSubscription,
  deadLetters: (env) => env.DEAD_LETTERS,
  handlers: {
    "com.plantbasedpizza.payment.taken.v1": toTheOrder,
    "com.plantbasedpizza.payment.failed.v1": toTheOrder,
    "com.plantbasedpizza.payment.refunded.v1": toTheOrder,
    "com.plantbasedpizza.kitchen.preparation-started.v1": toTheOrder,
    "com.plantbasedpizza.kitchen.pizza-baked.v1": toTheOrder,
    "com.plantbasedpizza.kitchen.quality-checked.v1": toTheOrder,
    "com.plantbasedpizza.delivery.driver-assigned.v1": toTheOrder,
    "com.plantbasedpizza.delivery.order-collected-by-driver.v1": toTheOrder,
    "com.plantbasedpizza.delivery.order-delivered.v1": toTheOrder,
    "com.plantbasedpizza.collection.order-collected.v1": toTheOrder,
    "com.plantbasedpizza.customer.address-added.v1": (event, env) => addressBook(env, event.data.customerId).addressAdded(event),
  },
});
