import { defineSubscription } from "../../shared/bus/subscription";

/** Delivery takes orders ready for delivery to the customer's address, from its own copy of the addresses. */
export const deliverySubscription = defineSubscription({
  subscriber: "delivery",
  queue: "delivery-inbox",
  binding: "DELIVERY_INBOX",
  deadLetterQueue: "delivery-inbox-dlq",
  events: {
    "com.plantbasedpizza.customer.address-added.v1":
      "keeps delivery's own copy of every address, so it never asks the customers context",
    "com.plantbasedpizza.order.ready-for-delivery.v1": "opens a delivery to the address the event identifies",
  },
  // 100 tries, 1 s doubling to 5 min: rides out 7h 38m (or a late address); drivers at most 5 min late.
  retry: { attempts: 100, firstDelaySeconds: 1, maxDelaySeconds: 300 },
  // Drivers act on an order minutes after it is ready: a second's wait is unseen and fills batches.
  intake: { batchSize: 10, batchWaitSeconds: 1, concurrency: "auto" },
});
