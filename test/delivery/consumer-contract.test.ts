import { env } from "cloudflare:workers";
import worker from "../../workers/delivery";
import { deliverySubscription } from "../../workers/delivery/subscriptions";
import { consumerContract, exampleEvent } from "../support/consumer-contract";
import { queueConsumer } from "../support/queue-batch";
import { tapped } from "../support/queue-tap";

/** Issue 9 for delivery's consumer: malformed messages are dead-lettered with the reason, none vanishes. */
consumerContract("delivery", {
  subscription: deliverySubscription,
  deliverMessages: queueConsumer(worker, deliverySubscription.queue).deliverMessages,
  deadLetters: () => tapped(deliverySubscription.deadLetterQueue),
  claims: env.EVENT_CLAIMS,
  // Not ready-for-delivery: that one is retried until its address arrives; an address is handled at once.
  validEvent: () =>
    exampleEvent("com.plantbasedpizza.customer.address-added.v1", {
      customerId: `customer-${crypto.randomUUID()}`,
      addressId: `address-${crypto.randomUUID()}`,
    }),
});
