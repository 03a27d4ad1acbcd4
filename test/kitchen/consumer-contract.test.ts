import { env } from "cloudflare:workers";
import worker from "../../workers/kitchen";
import { kitchenSubscription } from "../../workers/kitchen/subscriptions";
import { consumerContract, exampleEvent } from "../support/consumer-contract";
import { queueConsumer } from "../support/queue-batch";
import { tapped } from "../support/queue-tap";

/** Issue 9 for kitchen's consumer: malformed messages are dead-lettered with the reason, none vanishes. */
consumerContract("kitchen", {
  subscription: kitchenSubscription,
  deliverMessages: queueConsumer(worker, kitchenSubscription.queue).deliverMessages,
  deadLetters: () => tapped(kitchenSubscription.deadLetterQueue),
  claims: env.EVENT_CLAIMS,
  // A new order to cook: the kitchen opens its ticket.
  validEvent: () => exampleEvent("com.plantbasedpizza.order.confirmed.v2", { orderId: crypto.randomUUID() }),
});
