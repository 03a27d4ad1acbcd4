import { WorkerEntrypoint } from "cloudflare:workers";
import { paymentsEventHandlers } from "./event-handlers";

/**
 * Payments: takes an order's card payment when orders asks (the simulated card processor answers
 * later, see durable-objects/payments/card-processor.ts) and gives it back when asked; each outcome is
 * announced with an event.
 */
export { Payment } from "../../durable-objects/payments/payment";

/**
 * What operators may ask payments, over the orders worker's service binding (PAYMENTS): no HTTP, and
 * no other way in. Its one question is what payments handled about an order, for the order's timeline.
 */
export class PaymentsApi extends WorkerEntrypoint<Env> {
  /** The commands the order's Payment applied (its inbox). */
  handledAbout(orderId: string) {
    return this.env.PAYMENTS.getByName(orderId).handledEvents();
  }
}

export default {
  queue: paymentsEventHandlers,
  // Payments has no HTTP API: it is driven by commands on its queue only.
  async fetch() {
    return Response.json({ error: "not_found", message: "Payments has no HTTP API." }, { status: 404 });
  },
} satisfies ExportedHandler<Env>;
