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
  // 100 tries, 10 s doubling to 12 min: rides out 18h 45m; nobody waits on points, so it starts slower.
  retry: { attempts: 100, firstDelaySeconds: 10, maxDelaySeconds: 720 },
  // Nobody waits on points: bigger batches after a 5 s wait, fewer invocations per order.
  intake: { batchSize: 50, batchWaitSeconds: 5, concurrency: "auto" },
});
