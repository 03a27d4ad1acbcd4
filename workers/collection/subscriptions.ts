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
  maxAttempts: 5,
  retryDelaySeconds: 1,
});
