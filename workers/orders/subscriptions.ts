import { defineSubscription } from "../../shared/bus/subscription";

/**
 * Orders keeps each order's lifecycle and read model in step with what the other contexts do to it, and each customer's
 * list of orders in step with its own submitted orders.
 */
export const ordersSubscription = defineSubscription({
  subscriber: "orders",
  queue: "orders-inbox",
  binding: "ORDERS_INBOX",
  deadLetterQueue: "orders-inbox-dlq",
  events: {
    "com.plantbasedpizza.payment.taken.v1":
      "confirms the order (or refunds it, if the order was cancelled before the payment arrived)",
    "com.plantbasedpizza.payment.failed.v1": "cancels the order with the payment's reason",
    "com.plantbasedpizza.payment.refunded.v1": "records on the order that its money went back",
    "com.plantbasedpizza.payment.voided.v1":
      "records on the order that its payment was stopped before any money was taken",
    "com.plantbasedpizza.kitchen.preparation-started.v1":
      "moves the order to 'preparing'; from here it can no longer be cancelled",
    "com.plantbasedpizza.kitchen.ticket-withdrawn.v1":
      "cancels the order the kitchen dropped in time for its customer, if that cancel is not recorded yet",
    "com.plantbasedpizza.kitchen.pizza-baked.v1": "moves the order to 'baking' (the oven stage is done)",
    "com.plantbasedpizza.kitchen.quality-checked.v1":
      "moves the order to 'quality-checked' and on to delivery or the counter",
    "com.plantbasedpizza.delivery.driver-assigned.v1": "records the driver on the order's history of events",
    "com.plantbasedpizza.delivery.order-collected-by-driver.v1": "moves the order to 'out-for-delivery'",
    "com.plantbasedpizza.delivery.order-delivered.v1": "completes the order",
    "com.plantbasedpizza.collection.order-collected.v1": "completes the order",
    "com.plantbasedpizza.order.submitted.v1":
      "adds the order to its customer's list of orders (GET /orders), so placing an order makes no extra call",
    "com.plantbasedpizza.customer.address-added.v1":
      "keeps orders' own list of each customer's address ids, to accept only a customer's own address for delivery",
  },
  // 100 tries, 1 s doubling to 10 min: rides out 15h 7m (a lost payment.taken strands a taken payment).
  retry: { attempts: 100, firstDelaySeconds: 1, maxDelaySeconds: 600 },
  // The customer is waiting for the payment's outcome: no batch wait.
  // With no wait a batch holds only what already waits: alone, an event goes at once; under load the
  // whole backlog goes in one invocation (handled in parallel) rather than ten at a time.
  intake: { batchSize: 100, batchWaitSeconds: 0, concurrency: "auto" },
});
