import { paymentsEventHandlers } from "./event-handlers";

/**
 * Payments: takes an order's card payment when orders asks (the simulated card processor answers
 * later, see durable-objects/payments/card-processor.ts) and gives it back when asked; each outcome is
 * announced with an event.
 */
export { Payment } from "../../durable-objects/payments/payment";

export default {
  queue: paymentsEventHandlers,
  // Payments has no HTTP API: it is driven by commands on its queue only.
  async fetch() {
    return Response.json({ error: "not_found", message: "Payments has no HTTP API." }, { status: 404 });
  },
} satisfies ExportedHandler<Env>;
