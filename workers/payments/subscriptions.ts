import { defineSubscription } from "../../shared/bus/subscription";

/** Payments takes and refunds card payments when orders asks. */
export const paymentsSubscription = defineSubscription({
  subscriber: "payments",
  queue: "payments-inbox",
  binding: "PAYMENTS_INBOX",
  deadLetterQueue: "payments-inbox-dlq",
  events: {
    "com.plantbasedpizza.payments.take-payment.v1": "takes the order's card payment",
    "com.plantbasedpizza.payments.refund-payment.v1": "gives back a taken payment",
    "com.plantbasedpizza.payments.void-payment.v1":
      "stops the pending charge of an order cancelled while it waited (or gives back what was taken meanwhile)",
  },
  // 100 tries, 1 s doubling to 10 min: rides out 15h 7m (a charge or a refund owed is never lost).
  retry: { attempts: 100, firstDelaySeconds: 1, maxDelaySeconds: 600 },
  // The customer is waiting for the charge: no batch wait.
  // With no wait a batch holds only what already waits: alone, an event goes at once; under load the
  // whole backlog goes in one invocation (handled in parallel) rather than ten at a time.
  intake: { batchSize: 100, batchWaitSeconds: 0, concurrency: "auto" },
});
