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
  },
  maxAttempts: 5,
  retryDelaySeconds: 1,
});
