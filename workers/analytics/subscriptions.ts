import { defineSubscription } from "../../shared/bus/subscription";

/** Analytics counts confirmed orders' revenue per day and currency. */
export const analyticsSubscription = defineSubscription({
  subscriber: "analytics",
  queue: "analytics-inbox",
  binding: "ANALYTICS_INBOX",
  deadLetterQueue: "analytics-inbox-dlq",
  events: {
    "com.plantbasedpizza.order.confirmed.v1": "adds the order's total to the day's revenue in its currency",
  },
  maxAttempts: 5,
  retryDelaySeconds: 1,
});
