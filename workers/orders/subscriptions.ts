import { defineSubscription } from "../../shared/bus/subscription";

/** The orders projection keeps each order's read model in step with what the other contexts do to it. */
export const ordersSubscription = defineSubscription({
  subscriber: "orders",
  queue: "orders-inbox",
  binding: "ORDERS_INBOX",
  deadLetterQueue: "orders-inbox-dlq",
  events: {
    "com.plantbasedpizza.kitchen.preparation-started.v1": "moves the order to 'preparing' so the customer sees the kitchen has it",
  },
  maxAttempts: 5,
  retryDelaySeconds: 1,
});
