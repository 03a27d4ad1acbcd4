import { z } from "zod";
import { CustomerId, OrderId as orderId } from "./ids";
import { Money } from "./money";

const paymentId = z.string().min(1);

/**
 * Asynchronous commands to the payments context. The receiver owns a command's shape; orders sends
 * them through the bus like events, so the routing, retries and dead letters are the same.
 * Card tokens stand for card details held by the (simulated) card processor; see workers/payments.
 */
export const CardToken = z.string().regex(/^tok_[a-z0-9_]{1,40}$/, "a card token such as tok_visa");
export const TakePaymentV1 = z.object({
  orderId,
  customerId: CustomerId,
  amount: Money,
  cardToken: CardToken,
});
export const RefundPaymentV1 = z.object({ orderId, reason: z.string().min(1) });
/**
 * The order will not be served and its payment's outcome is not known yet: do not take the money (void
 * the pending charge), or give it back if it was taken meanwhile. Sent instead of a refund while the
 * order still waits for its payment, so a customer who cancels in time is never charged.
 */
export const VoidPaymentV1 = z.object({ orderId, reason: z.string().min(1) });

/** The card payment went through. */
export const PaymentTakenV1 = z.object({ orderId, paymentId, amount: Money, takenAt: z.iso.datetime() });
/** The card payment was stopped before any money was taken (voided); nothing to give back. */
export const PaymentVoidedV1 = z.object({
  orderId,
  paymentId,
  reason: z.string().min(1),
  voidedAt: z.iso.datetime(),
});
/** The card payment was declined. */
export const PaymentFailedV1 = z.object({
  orderId,
  paymentId,
  reason: z.string().min(1),
  failedAt: z.iso.datetime(),
});
/** A taken payment was given back. */
export const PaymentRefundedV1 = z.object({
  orderId,
  paymentId,
  amount: Money,
  reason: z.string().min(1),
  refundedAt: z.iso.datetime(),
});
