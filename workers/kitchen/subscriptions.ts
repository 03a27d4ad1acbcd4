import { defineSubscription } from "../../shared/bus/subscription";

/** The kitchen cooks confirmed orders and drops cancelled ones. */
export const kitchenSubscription = defineSubscription({
  subscriber: "kitchen",
  queue: "kitchen-inbox",
  binding: "KITCHEN_INBOX",
  deadLetterQueue: "kitchen-inbox-dlq",
  events: {
    // v2: the kitchen reads only items and quantities, the same in both versions; it moved off v1 before its sunset.
    "com.plantbasedpizza.order.confirmed.v2":
      "opens a ticket: the event carries the items and quantities to cook",
    "com.plantbasedpizza.order.cancelled.v1": "withdraws the order's ticket so nobody cooks it",
  },
  // 100 tries, 1 s doubling to 5 min: rides out 7h 38m; a ticket at most 5 min after an outage ends.
  retry: { attempts: 100, firstDelaySeconds: 1, maxDelaySeconds: 300 },
  // A confirmed order should reach the cooks' board at once: no batch wait.
  // With no wait a batch holds only what already waits: alone, an event goes at once; under load the
  // whole backlog goes in one invocation (handled in parallel) rather than ten at a time.
  intake: { batchSize: 100, batchWaitSeconds: 0, concurrency: "auto" },
});
