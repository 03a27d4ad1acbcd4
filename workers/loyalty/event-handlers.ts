import { consumeEvents, contextOperations } from "../../shared/consumer/harness";
import { loyaltySubscription } from "./subscriptions";

/** What loyalty does when an order is completed: points for its customer (one account per customer). */
export const loyaltyEventHandlers = consumeEvents<keyof typeof loyaltySubscription.events, Env>({
  subscription: loyaltySubscription,
  ...contextOperations,
  handlers: {
    "com.plantbasedpizza.order.completed.v1": (event, env, delivery) =>
      env.LOYALTY_ACCOUNTS.getByName(event.data.customerId).awardPoints(event, delivery),
  },
});
