import { defineSubscription } from "../../shared/bus/subscription";

export const kitchenSubscription = defineSubscription({
  subscriber: "kitchen",
  queue: "kitchen-inbox",
  binding: "KITCHEN_INBOX",
  deadLetterQueue: "kitchen-inbox-dlq",
  events: {
    "com.plantbasedpizza.order.confirmed.v1": "opens a ticket: the event carries the items and quantities to cook",
  },
  maxAttempts: 5,
  retryDelaySeconds: 1,
});
