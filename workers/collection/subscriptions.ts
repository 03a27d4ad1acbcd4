import { defineSubscription } from "../../shared/bus/subscription";

/** Collection hands orders ready for collection to customers at the counter. */
export const collectionSubscription = defineSubscription({
  subscriber: "collection",
  queue: "collection-inbox",
  binding: "COLLECTION_INBOX",
  deadLetterQueue: "collection-inbox-dlq",
  events: {
    "com.plantbasedpizza.order.ready-for-collection.v1": "puts the order on the counter for its customer",
  },
  // 100 tries, 1 s doubling to 5 min: rides out 7h 38m; on the counter at most 5 min after an outage.
  retry: { attempts: 100, firstDelaySeconds: 1, maxDelaySeconds: 300 },
  // Counter staff act on an order minutes after it is ready: a second's wait is unseen and fills batches.
  intake: { batchSize: 10, batchWaitSeconds: 1, concurrency: "auto" },
});
