import { env } from "cloudflare:workers";
import worker from "../../workers/payments";
import { paymentsSubscription } from "../../workers/payments/subscriptions";
import { consumerContract, exampleEvent } from "../support/consumer-contract";
import { queueConsumer } from "../support/queue-batch";
import { tapped } from "../support/queue-tap";

/** Issue 9 for payments's consumer: malformed messages are dead-lettered with the reason, none vanishes. */
consumerContract("payments", {
  subscription: paymentsSubscription,
  deliverMessages: queueConsumer(worker, paymentsSubscription.queue).deliverMessages,
  deadLetters: () => tapped(paymentsSubscription.deadLetterQueue),
  claims: env.EVENT_CLAIMS,
  validEvent: () =>
    exampleEvent("com.plantbasedpizza.payments.take-payment.v1", {
      orderId: crypto.randomUUID(),
      customerId: `customer-${crypto.randomUUID()}`,
    }),
});
