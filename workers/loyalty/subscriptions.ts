import { defineSubscription } from "../../shared/bus/subscription";

/** Loyalty rewards completed orders with points. */
export const loyaltySubscription = defineSubscription({
  subscriber: "loyalty",
  queue: "loyalty-inbox",
  binding: "LOYALTY_INBOX",
  deadLetterQueue: "loyalty-inbox-dlq",
  events: {
    "com.plantbasedpizza.order.completed.v1": "awards points for the order's total, once per order",
  },
  maxAttempts: 5,
  retryDelaySeconds: 1,
});
