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
  // Nobody waits on revenue: full batches after a wait. Two at a time was for one object per month;
  // a batch's orders now spread over their days' B ledgers (durable-objects/analytics/revenue-shards.ts),
  // so more batches at once would no longer queue up on one object. Still 2: nobody waits on revenue and
  // today's rates are far below what two batches of 100 take; at thousands of orders/s it becomes "auto",
  // together with `max_concurrency` in the consumer of wrangler.toml (test/bus/subscriptions.test.ts).
  intake: { batchSize: 100, batchWaitSeconds: 10, concurrency: 2 },
});
