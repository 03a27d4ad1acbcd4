import { env } from "cloudflare:workers";
import type { DeadLetterOffice } from "../../durable-objects/dead-letters/dead-letter-office";
import worker from "../../workers/orders";
import { ordersSubscription } from "../../workers/orders/subscriptions";
import { staffSimulatorSubscription } from "../../workers/staff-simulator/subscriptions";
import { consumerContract, exampleEvent } from "../support/consumer-contract";
import { queueConsumer } from "../support/queue-batch";
import { tapped } from "../support/queue-tap";

/**
 * Issue 9 for the two consumers in the orders worker: orders' own and the simulated staff's. Orders'
 * dead-letter queue is consumed by the dead-letter office in this project (vitest.config.ts), so its
 * letters are read back from the office; the simulated staff's from the queue tap.
 */
const office = () =>
  (env.DEAD_LETTER_OFFICE as DurableObjectNamespace<DeadLetterOffice>).getByName(
    ordersSubscription.deadLetterQueue,
  );

consumerContract("orders", {
  subscription: ordersSubscription,
  deliverMessages: queueConsumer(worker, ordersSubscription.queue).deliverMessages,
  // The newest filed letters, as the letters the harness sent: the office keeps the body as JSON text.
  deadLetters: async () =>
    (await office().list(500)).map(({ bodyJson, ...letter }) => ({
      ...letter,
      kind: "dead-letter",
      body: JSON.parse(bodyJson) as unknown,
    })),
  claims: env.EVENT_CLAIMS,
  // Not a payment or kitchen event: those are retried until their order exists; an address is handled at once.
  validEvent: () =>
    exampleEvent("com.plantbasedpizza.customer.address-added.v1", {
      customerId: `customer-${crypto.randomUUID()}`,
      addressId: `address-${crypto.randomUUID()}`,
    }),
});

consumerContract("staff-simulator", {
  subscription: staffSimulatorSubscription,
  deliverMessages: queueConsumer(worker, staffSimulatorSubscription.queue).deliverMessages,
  deadLetters: () => tapped(staffSimulatorSubscription.deadLetterQueue),
  claims: env.EVENT_CLAIMS,
  // SIMULATED_STAFF is off in tests: the shift logs and processes the event without playing anyone.
  validEvent: () => exampleEvent("com.plantbasedpizza.order.confirmed.v2", { orderId: crypto.randomUUID() }),
});
