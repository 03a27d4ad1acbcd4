import { consumeEvents } from "../../shared/consumer/harness";
import { orderObject } from "./order-stub";
import { ordersSubscription } from "./subscriptions";

/**
 * The orders projection: what happens in the kitchen (and, later, payments and delivery) is applied
 * to the order's read model, once per event, by the order's own Durable Object.
 */
export const ordersProjection = consumeEvents<keyof typeof ordersSubscription.events, Env>({
  subscription: ordersSubscription,
  deadLetters: (env) => env.DEAD_LETTERS,
  handlers: {
    "com.plantbasedpizza.kitchen.preparation-started.v1": (event, env) =>
      orderObject(env, event.data.orderId).applyEvent(event),
  },
});
