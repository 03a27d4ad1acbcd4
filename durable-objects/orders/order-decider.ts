import { accept, reject, type Decider, type Decision } from "../../shared/durable/decider";
import type { TaxedMoney } from "../../shared/events/catalog/money";
import type { Fulfilment, TaxedDeliveryFee, TaxedOrderLine } from "../../shared/events/catalog/orders";
import type { NewEvent } from "../../shared/events/envelope";
import type { EventData, EventType } from "../../shared/events/registry";
import { CANCELLABLE, nextStatus, type OrderStatus } from "./order-lifecycle";

/**
 * The order's business rules, pure: what submitting, cancelling, the payment deadline and every other
 * context's news do to an order, and which events say so. The Order Durable Object (order.ts) keeps
 * the state, the read model, the inbox and the outbox around these two functions.
 *
 *   submitted -> (payment taken) confirmed -> preparing -> baking -> quality-checked
 *     -> ready-for-collection -> (collected at the counter) completed
 *     -> (driver collected) out-for-delivery -> (delivered) completed
 *   submitted | confirmed -> cancelled (by the customer, a failed payment, or no payment in time);
 *   a delivery order placed before orders' AddressBook knew its address stays submitted, its payment not
 *   asked for, until the address arrives (then it goes on as any order) or its address deadline passes
 *   (then it is cancelled: "delivery address unknown", with nothing to void);
 *   cancelled while its payment is pending, the payment is voided (the customer is never charged);
 *   a cancelled order whose money was taken is refunded, once, even when the payment arrives late.
 */
export type PaymentStatus =
  | "pending"
  | "taken"
  | "failed"
  | "void-requested"
  | "voided"
  | "refund-requested"
  | "refunded"
  /** Not asked for yet: the order waits for its delivery address to reach orders' AddressBook. */
  | "awaiting-address"
  /** Never asked for: the order was cancelled while it waited for its address. */
  | "not-requested";

/** What the customer ordered, priced from the menu with the tax in each price: fixed once the order is placed. */
export interface PlacedOrder {
  orderId: string;
  customerId: string;
  fulfilment: Fulfilment;
  deliveryAddressId?: string;
  lines: TaxedOrderLine[];
  deliveryFee?: TaxedDeliveryFee;
  total: TaxedMoney;
  /**
   * When an order still waiting for its payment is cancelled (epoch milliseconds). For an order placed
   * awaiting its address: that address deadline plus the whole payment timeout, fixed at placement, so
   * payments always has at least its full timeout once asked, and the longest wait is known up front.
   */
  paymentDeadline: number;
}

export interface OrderState {
  order: PlacedOrder;
  /** Undefined only before the order is submitted. */
  status: OrderStatus | undefined;
  payment: PaymentStatus;
  cancellation?: { reason: string };
  /**
   * While the order waits for its delivery address (payment "awaiting-address"): the card to charge once
   * the address is known, and when to stop waiting (epoch milliseconds).
   */
  awaitingAddress?: AwaitingAddress;
}

export interface AwaitingAddress {
  cardToken: string;
  until: number;
}

/**
 * An order placed but not yet submitted: the state the submit command starts from. `awaitingAddress`
 * when orders' copy of the customer's addresses did not know the delivery address yet (eventually
 * consistent: it may be on its way), so the money is asked for only once it is known.
 */
export const placed = (order: PlacedOrder, awaitingAddress?: AwaitingAddress): OrderState =>
  awaitingAddress
    ? { order, status: undefined, payment: "awaiting-address", awaitingAddress }
    : { order, status: undefined, payment: "pending" };

/** `at`: the time the command is handled (ISO 8601), stamped on the events it causes. */
export type OrderCommand =
  | { type: "submit"; cardToken: string; at: string }
  | { type: "cancel"; customerId: string; at: string }
  | { type: "payment-deadline"; at: string }
  /** Orders' AddressBook learned a delivery address this order may be waiting for. */
  | { type: "address-known"; addressId: string; at: string }
  /** The time the order may wait for its delivery address is up (if it still waits). */
  | { type: "address-deadline"; at: string }
  /** Another context reported something about this order (payment taken, pizza baked, delivered…). */
  | { type: "react"; to: NewEvent; at: string };

export const CANCELLED_BY_CUSTOMER = "cancelled by the customer";
/**
 * The address never reached orders' copy of the customer's addresses: not the customer's (another
 * customer's address never reaches this customer's book), or the customers context lost it.
 */
export const DELIVERY_ADDRESS_UNKNOWN = "delivery address unknown";

export function decide(command: OrderCommand, state: OrderState): Decision<NewEvent> {
  const { order } = state;
  switch (command.type) {
    case "submit": {
      if (state.status !== undefined) return accept(); // submitted already: nothing new
      const submitted = event("com.plantbasedpizza.order.submitted.v1", {
        orderId: order.orderId,
        customerId: order.customerId,
        fulfilment: order.fulfilment,
        total: order.total.gross,
        submittedAt: command.at,
      });
      // Announced as any order, but no money is asked for an address orders cannot yet deliver to.
      if (state.awaitingAddress) return accept(submitted);
      return accept(submitted, takePayment(order, command.cardToken));
    }

    case "address-known":
      // Only an order still waiting goes on, once: a repeat, or news for one cancelled meanwhile, is nothing.
      if (state.payment !== "awaiting-address" || !state.awaitingAddress) return accept();
      // Only for its own address (a request reusing its Idempotency-Key with another address asked too).
      if (command.addressId !== order.deliveryAddressId) return accept();
      return accept(takePayment(order, state.awaitingAddress.cardToken));

    case "address-deadline":
      if (state.payment !== "awaiting-address" || !state.awaitingAddress) return accept();
      if (Date.parse(command.at) < state.awaitingAddress.until) return accept();
      return accept(...cancel(state, DELIVERY_ADDRESS_UNKNOWN, command.at));

    case "cancel":
      // Another customer's order is "not found": its existence is not theirs to learn.
      if (command.customerId !== order.customerId) return reject(404, "No such order for this customer.");
      if (state.status === "cancelled") return accept();
      if (!state.status || !CANCELLABLE.includes(state.status)) {
        return reject(
          409,
          `The order is ${state.status}: it can no longer be cancelled once the kitchen has started preparing it.`,
        );
      }
      return accept(...cancel(state, CANCELLED_BY_CUSTOMER, command.at));

    case "payment-deadline":
      if (!waitingForPayment(state) || Date.parse(command.at) < order.paymentDeadline) return accept();
      return accept(...cancel(state, "payment timed out", command.at));

    case "react":
      return accept(...reactTo(command.to, evolve(state, command.to), command.at));
  }
}

/** What the order does next because of another context's event, given the state that event left. */
function reactTo(news: NewEvent, state: OrderState, at: string): NewEvent[] {
  const { order } = state;
  switch (news.type) {
    case "com.plantbasedpizza.payment.taken.v1":
      if (state.status === "cancelled") {
        // Payments gives it back itself when the void overtook nothing but the card's answer.
        if (state.payment === "void-requested") return [];
        // A payment for an order that no longer exists is given back, not kept.
        const why = state.cancellation?.reason ?? "no reason";
        return [refund(order, `the order was cancelled (${why}) before its payment arrived`)];
      }
      if (state.status !== "submitted") return []; // confirmed already
      return [
        event("com.plantbasedpizza.order.confirmed.v2", {
          orderId: order.orderId,
          customerId: order.customerId,
          fulfilment: order.fulfilment,
          ...(order.deliveryAddressId ? { deliveryAddressId: order.deliveryAddressId } : {}),
          items: order.lines,
          ...(order.deliveryFee ? { deliveryFee: order.deliveryFee } : {}),
          total: order.total,
          confirmedAt: at,
        }),
      ];
    case "com.plantbasedpizza.payment.failed.v1":
      return state.status === "submitted" ? cancel(state, `payment failed: ${news.data.reason}`, at) : [];
    case "com.plantbasedpizza.kitchen.ticket-withdrawn.v1":
      // The kitchen withdrew the ticket for the customer's cancel: finish it here if that cancel's own
      // record did not (the kitchen has the last word on whether it was in time).
      return state.status !== undefined && CANCELLABLE.includes(state.status)
        ? cancel(state, news.data.reason, at)
        : [];
    case "com.plantbasedpizza.kitchen.quality-checked.v1":
      // Only when the check moved the order (a late or repeated check does not send it out twice).
      if (state.status !== "quality-checked") return [];
      return order.fulfilment === "collection"
        ? [
            event("com.plantbasedpizza.order.ready-for-collection.v1", {
              orderId: order.orderId,
              customerId: order.customerId,
            }),
          ]
        : [
            event("com.plantbasedpizza.order.ready-for-delivery.v1", {
              orderId: order.orderId,
              customerId: order.customerId,
              deliveryAddressId: order.deliveryAddressId!,
            }),
          ];
    case "com.plantbasedpizza.delivery.order-delivered.v1":
    case "com.plantbasedpizza.collection.order-collected.v1":
      if (state.status === "completed" || state.status === "cancelled") return [];
      return [
        event("com.plantbasedpizza.order.completed.v2", {
          orderId: order.orderId,
          customerId: order.customerId,
          fulfilment: order.fulfilment,
          total: order.total,
          completedAt: at,
        }),
      ];
    default:
      return []; // payment refunded, kitchen progress, driver assigned or collected: the state is all
  }
}

/** The state after one event: the order's own, or another context's about it. */
export function evolve(state: OrderState, event: NewEvent): OrderState {
  const status = nextStatus(state.status, event.type) ?? state.status;
  const next: OrderState = { ...state, status };
  switch (event.type) {
    case "com.plantbasedpizza.order.cancelled.v1": {
      if (status !== "cancelled" || state.status === "cancelled") return next;
      const cancelled = { ...next, cancellation: { reason: event.data.reason } };
      if (state.payment !== "awaiting-address") return cancelled;
      // Cancelled while it waited for its address: its payment was never asked for, and never will be.
      const { awaitingAddress: _gone, ...rest } = cancelled;
      return { ...rest, payment: "not-requested" };
    }
    case "com.plantbasedpizza.payment.taken.v1":
      // Taken after the void was asked for: payments gives it back because of the void.
      return { ...next, payment: state.payment === "void-requested" ? "void-requested" : "taken" };
    case "com.plantbasedpizza.payments.take-payment.v1": {
      // Asked for (at submit, or once the awaited address arrived): from now on the payment is pending.
      const { awaitingAddress: _asked, ...rest } = next;
      return state.payment === "awaiting-address" ? { ...rest, payment: "pending" } : next;
    }
    case "com.plantbasedpizza.payments.void-payment.v1":
      return { ...next, payment: "void-requested" };
    case "com.plantbasedpizza.payment.voided.v1":
      return { ...next, payment: "voided" };
    case "com.plantbasedpizza.payment.failed.v1":
      return { ...next, payment: "failed" };
    case "com.plantbasedpizza.payments.refund-payment.v1":
      return { ...next, payment: "refund-requested" };
    case "com.plantbasedpizza.payment.refunded.v1":
      return { ...next, payment: "refunded" };
    default:
      return next;
  }
}

export const orderDecider: Decider<OrderState, OrderCommand, NewEvent> = { decide, evolve };

/**
 * When the order next needs waking: its address deadline while it waits for its delivery address, its
 * payment deadline while it waits for its payment.
 */
export function nextDeadline(state: OrderState): number | undefined {
  if (state.payment === "awaiting-address" && state.awaitingAddress) return state.awaitingAddress.until;
  return waitingForPayment(state) ? state.order.paymentDeadline : undefined;
}

function waitingForPayment(state: OrderState): boolean {
  return state.status === "submitted" && state.payment === "pending";
}

/**
 * The cancellation, and what becomes of the money: taken, it is refunded; still pending, the payment is
 * voided so the customer is never charged (if the card answers first, payments gives it back).
 */
function cancel(state: OrderState, reason: string, at: string): NewEvent[] {
  const { orderId, customerId } = state.order;
  const cancelled = event("com.plantbasedpizza.order.cancelled.v1", {
    orderId,
    customerId,
    reason,
    cancelledAt: at,
  });
  if (state.payment === "taken") return [cancelled, refund(state.order, reason)];
  if (state.payment === "pending") {
    return [cancelled, event("com.plantbasedpizza.payments.void-payment.v1", { orderId, reason })];
  }
  return [cancelled]; // failed, given back already, or never asked for (awaiting its address): nothing to do
}

function takePayment(order: PlacedOrder, cardToken: string): NewEvent {
  return event("com.plantbasedpizza.payments.take-payment.v1", {
    orderId: order.orderId,
    customerId: order.customerId,
    amount: order.total.gross,
    cardToken,
  });
}

function refund(order: PlacedOrder, reason: string): NewEvent {
  return event("com.plantbasedpizza.payments.refund-payment.v1", { orderId: order.orderId, reason });
}

/** One new event of the order (typed by its registered schema). */
const event = <T extends EventType>(type: T, data: EventData<T>) => ({ type, data }) as NewEvent;
