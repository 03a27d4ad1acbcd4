import { env } from "cloudflare:workers";
import worker from "../../workers/collection";
import { collectionSubscription } from "../../workers/collection/subscriptions";
import { consumerContract, exampleEvent } from "../support/consumer-contract";
import { queueConsumer } from "../support/queue-batch";
import { tapped } from "../support/queue-tap";

/** Issue 9 for collection's consumer: malformed messages are dead-lettered with the reason, none vanishes. */
consumerContract("collection", {
  subscription: collectionSubscription,
  deliverMessages: queueConsumer(worker, collectionSubscription.queue).deliverMessages,
  deadLetters: () => tapped(collectionSubscription.deadLetterQueue),
  claims: env.EVENT_CLAIMS,
  validEvent: () =>
    exampleEvent("com.plantbasedpizza.order.ready-for-collection.v1", {
      orderId: crypto.randomUUID(),
      customerId: `customer-${crypto.randomUUID()}`,
    }),
});
