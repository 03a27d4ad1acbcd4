import { defineSubscription } from "../../shared/bus/subscription";

/** Analytics counts confirmed orders' revenue, net and tax, per day and currency. */
export const analyticsSubscription = defineSubscription({
  subscriber: "analytics",
  queue: "analytics-inbox",
  binding: "ANALYTICS_INBOX",
  deadLetterQueue: "analytics-inbox-dlq",
  events: {
    "com.plantbasedpizza.order.confirmed.v2":
      "adds the order's total, net revenue and tax to the day's revenue in its currency (v2: prices carry their tax)",
  },
  // 100 tries, 10 s doubling to 12 min: rides out 18h 45m; nobody waits on revenue, so it starts slower.
  retry: { attempts: 100, firstDelaySeconds: 10, maxDelaySeconds: 720 },
  // Nobody waits on revenue: full batches after a wait. As many at once as the platform scales to: a
  // batch's orders spread over their days' B ledgers (durable-objects/analytics/revenue-shards.ts), so no
  // one object takes them all, and a cap (it was 2, for one object per month) would bound the business at
  // what two batches a second carry (docs/SCALE.md).
  intake: { batchSize: 100, batchWaitSeconds: 10, concurrency: "auto" },
});
