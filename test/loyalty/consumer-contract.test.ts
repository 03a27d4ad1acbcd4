import { env } from "cloudflare:workers";
import worker from "../../workers/loyalty";
import { loyaltySubscription } from "../../workers/loyalty/subscriptions";
import { consumerContract, exampleEvent } from "../support/consumer-contract";
import { queueConsumer } from "../support/queue-batch";
import { tapped } from "../support/queue-tap";

/** Issue 9 for loyalty's consumer: malformed messages are dead-lettered with the reason, none vanishes. */
consumerContract("loyalty", {
  subscription: loyaltySubscription,
  deliverMessages: queueConsumer(worker, loyaltySubscription.queue).deliverMessages,
  deadLetters: () => tapped(loyaltySubscription.deadLetterQueue),
  claims: env.EVENT_CLAIMS,
  validEvent: () =>
    exampleEvent("com.plantbasedpizza.order.completed.v1", {
      orderId: crypto.randomUUID(),
      customerId: `customer-${crypto.randomUUID()}`,
    }),
});
