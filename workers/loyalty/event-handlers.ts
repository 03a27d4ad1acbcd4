import type { DeprecatedReads } from "../../durable-objects/dead-letters/deprecated-reads";
import { consumeEvents } from "../../shared/consumer/harness";
import { loyaltySubscription } from "./subscriptions";

/** What loyalty does when an order is completed: points for its customer (one account per customer). */
export const loyaltyEventHandlers = consumeEvents<keyof typeof loyaltySubscription.events, Env>({
  subscription: loyaltySubscription,
  deadLetters: (env) => env.DEAD_LETTERS,
  deprecatedReads: (env) => env.DEPRECATED_READS as DurableObjectNamespace<DeprecatedReads>,
  handlers: {
    "com.plantbasedpizza.order.completed.v1": (event, env) =>
      env.LOYALTY_ACCOUNTS.getByName(event.data.customerId).awardPoints(event),
  },
});
