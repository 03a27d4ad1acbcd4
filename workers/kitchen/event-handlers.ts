import type { DeprecatedReads } from "../../durable-objects/dead-letters/deprecated-reads";
import { consumeEvents } from "../../shared/consumer/harness";
import { kitchenSubscription } from "./subscriptions";

/** What the kitchen does when an order is confirmed or cancelled: one ticket per order. */
export const kitchenEventHandlers = consumeEvents<keyof typeof kitchenSubscription.events, Env>({
  subscription: kitchenSubscription,
  deadLetters: (env) => env.DEAD_LETTERS,
  deprecatedReads: (env) => env.DEPRECATED_READS as DurableObjectNamespace<DeprecatedReads>,
  handlers: {
    "com.plantbasedpizza.order.confirmed.v2": (event, env) =>
      env.KITCHEN_TICKETS.getByName(event.data.orderId).openTicket(event),
    "com.plantbasedpizza.order.cancelled.v1": (event, env) =>
      env.KITCHEN_TICKETS.getByName(event.data.orderId).withdrawTicket(event),
  },
});
