import { consumeEvents, contextOperations, type QueueDelivery } from "../../shared/consumer/harness";
import type { AnyPizzaEvent, PizzaEvent } from "../../shared/events/envelope";
import { ordersSubscription } from "./subscriptions";

/**
 * What orders does when the other contexts act on an order: payments, the kitchen, delivery and
 * collection's events are applied, once each, by the order's own Durable Object, which decides what
 * happens next (confirm, cancel, refund, ready, completed: durable-objects/orders/order-decider.ts).
 * Customers' address events feed the customer's address book; orders' own submitted events feed the
 * customer's list of orders.
 */
const toTheOrder = async (
  event: AnyPizzaEvent & { data: { orderId: string } },
  env: Env,
  delivery: QueueDelivery,
) => {
  const outcome = await env.ORDERS.getByName(event.data.orderId).applyEvent(event, delivery);
  if (outcome === "unknown-order") throw new Error(`unknown order ${event.data.orderId}`);
  return outcome;
};

/**
 * The customer's address book learns the address and tells the orders placed for it before it was
 * known. While any of them is still untold (its Order failed to answer, or is not placed yet), the
 * handler fails, so the harness delivers the event again on orders' retry schedule and the book tells
 * them again: a waiting order is never lost to one failed call.
 */
const toTheAddressBook = async (
  event: PizzaEvent<"com.plantbasedpizza.customer.address-added.v1">,
  env: Env,
  delivery: QueueDelivery,
) => {
  const outcome = await env.ADDRESS_BOOKS.getByName(event.data.customerId).addressAdded(event, delivery);
  if (outcome === "orders-untold") throw new Error("orders waiting for the address are not all told yet");
  return outcome;
};

/** The customer's list of orders learns of a new order (once, through its inbox). */
const toTheCustomersOrders = async (
  event: PizzaEvent<"com.plantbasedpizza.order.submitted.v1">,
  env: Env,
  delivery: QueueDelivery,
) => env.CUSTOMER_ORDERS.getByName(event.data.customerId).orderSubmitted(event, delivery);

export const ordersEventHandlers = consumeEvents<keyof typeof ordersSubscription.events, Env>({
  subscription: ordersSubscription,
  ...contextOperations,
  handlers: {
    "com.plantbasedpizza.payment.taken.v1": toTheOrder,
    "com.plantbasedpizza.payment.failed.v1": toTheOrder,
    "com.plantbasedpizza.payment.refunded.v1": toTheOrder,
    "com.plantbasedpizza.payment.voided.v1": toTheOrder,
    "com.plantbasedpizza.kitchen.preparation-started.v1": toTheOrder,
    "com.plantbasedpizza.kitchen.pizza-baked.v1": toTheOrder,
    "com.plantbasedpizza.kitchen.ticket-withdrawn.v1": toTheOrder,
    "com.plantbasedpizza.kitchen.quality-checked.v1": toTheOrder,
    "com.plantbasedpizza.delivery.driver-assigned.v1": toTheOrder,
    "com.plantbasedpizza.delivery.order-collected-by-driver.v1": toTheOrder,
    "com.plantbasedpizza.delivery.order-delivered.v1": toTheOrder,
    "com.plantbasedpizza.collection.order-collected.v1": toTheOrder,
    "com.plantbasedpizza.order.submitted.v1": toTheCustomersOrders,
    "com.plantbasedpizza.customer.address-added.v1": toTheAddressBook,
  },
});
