import { consumeEvents, contextOperations } from "../../shared/consumer/harness";
import { paymentsSubscription } from "./subscriptions";

/** What payments does when orders asks it to take, void or refund an order's payment (one Payment per order). */
export const paymentsEventHandlers = consumeEvents<keyof typeof paymentsSubscription.events, Env>({
  subscription: paymentsSubscription,
  ...contextOperations,
  handlers: {
    "com.plantbasedpizza.payments.take-payment.v1": (event, env, delivery) =>
      env.PAYMENTS.getByName(event.data.orderId).takePayment(event, delivery),
    "com.plantbasedpizza.payments.refund-payment.v1": (event, env, delivery) =>
      env.PAYMENTS.getByName(event.data.orderId).refundPayment(event, delivery),
    "com.plantbasedpizza.payments.void-payment.v1": (event, env, delivery) =>
      env.PAYMENTS.getByName(event.data.orderId).voidPayment(event, delivery),
  },
});
