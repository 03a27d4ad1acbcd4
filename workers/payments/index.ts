import type { Payment } from "../../durable-objects/payment";
import { consumeEvents } from "../../shared/consumer/harness";
import { paymentsSubscription } from "./subscriptions";

/**
 * Payments: takes an order's card payment when orders asks (the simulated card processor answers
 * later, see card-processor.ts) and gives it back when asked; each outcome is announced with an event.
 */
export { Payment } from "../../durable-objects/payment";

const payments = (env: Env) => env.PAYMENTS as DurableObjectNamespace<Payment>;

export default {
  queue: consumeEvents<keyof typeof paymentsSubscription.events, Env>({
    subscription: paymentsSubscription,
    deadLetters: (env) => env.DEAD_LETTERS,
    handlers: {
      "com.plantbasedpizza.payments.take-payment.v1": (event, env) => payments(env).getByName(event.data.orderId).takePayment(event),
      "com.plantbasedpizza.payments.refund-payment.v1": (event, env) => payments(env).getByName(event.data.orderId).refundPayment(event),
    },
  }),
  // Payments has no HTTP API: it is driven by commands on its queue only.
  async fetch() {
    return Response.json({ error: "not_found", message: "Payments has no HTTP API." }, { status: 404 });
  },
} satisfies ExportedHandler<Env>;
