import { defineSubscription } from "../../shared/bus/subscription";

/** Simulated staff (local life without staff): drives each order through the same staff commands real staff would use. */
export const staffSimulatorSubscription = defineSubscription({
  subscriber: "staff-simulator",
  queue: "staff-simulator-inbox",
  binding: "STAFF_SIMULATOR_INBOX",
  deadLetterQueue: "staff-simulator-inbox-dlq",
  events: {
    "com.plantbasedpizza.order.confirmed.v2":
      "plays the kitchen staff for the order: start preparing, pizza baked, quality checked",
    "com.plantbasedpizza.order.ready-for-delivery.v1": "plays the driver: assign, collect, deliver",
    "com.plantbasedpizza.order.ready-for-collection.v1": "plays the customer at the counter: collect",
  },
  // 20 tries, 1 s doubling to 1 min: 14m 3s; local only, so a stuck simulated shift shows soon.
  retry: { attempts: 20, firstDelaySeconds: 1, maxDelaySeconds: 60 },
  // Simulated staff pause seconds between steps anyway: a second's wait is unseen.
  intake: { batchSize: 10, batchWaitSeconds: 1, concurrency: "auto" },
});
