import { env } from "cloudflare:workers";
import worker from "../../workers/analytics";
import { analyticsSubscription } from "../../workers/analytics/subscriptions";
import { consumerContract, exampleEvent } from "../support/consumer-contract";
import { queueConsumer } from "../support/queue-batch";
import { tapped } from "../support/queue-tap";

/** Issue 9 for analytics's consumer: malformed messages are dead-lettered with the reason, none vanishes. */
consumerContract("analytics", {
  subscription: analyticsSubscription,
  deliverMessages: queueConsumer(worker, analyticsSubscription.queue).deliverMessages,
  deadLetters: () => tapped(analyticsSubscription.deadLetterQueue),
  claims: env.EVENT_CLAIMS,
  // A day of its own (revenue.test.ts sums whole days), in a month no other test uses.
  validEvent: () =>
    exampleEvent("com.plantbasedpizza.order.confirmed.v2", {
      orderId: crypto.randomUUID(),
      confirmedAt: "2029-06-15T12:00:00.000Z",
    }),
});
