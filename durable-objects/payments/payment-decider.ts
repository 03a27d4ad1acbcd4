import { accept, type Decider, type Decision } from "../../shared/durable/decider";
import type { Money } from "../../shared/events/catalog/money";
import type { Causation, NewEvent, PizzaEvent } from "../../shared/events/envelope";
import { cardProcessorAnswer } from "./card-processor";

/**
 * The rules of one order's card payment, as pure functions over a plain state (the Payment Durable
 * Object in payment.ts keeps the state, the inbox, the outbox and the alarm around them):
 *
 *   (none) --take--> pending --card approved--> taken --refund--> refunded
 *                    pending --card declined--> failed              (nothing to refund)
 *                    pending --refund--> pending, refund requested --card approved--> refunded (taken, then refunded)
 *   (none) --refund--> cancelled --take--> cancelled                (the refund overtook the take: never charged)
 *   pending --void--> voided                                      (stopped before any money was taken)
 *   (none) --void--> cancelled, voided --take--> cancelled          (the void overtook the take: never charged)
 *   taken --void--> refunded                                      (the card answered first: given back, once)
 *   a second take-payment on an existing payment charges nothing   (take-ignored)
 *
 * No clock, randomness or storage in here: the time comes in on each command (`now`, ms since the epoch),
 * the payment id is the order's, and event ids, times of envelopes and traces are the object's business
 * (createEvent). Queue commands are never refused (a refusal is a 404/409 for an HTTP caller; these come
 * off a queue and are acked either way), so "nothing happens" is `accept()` with no events.
 */
export type PaymentStatus = "pending" | "taken" | "failed" | "refunded" | "voided" | "cancelled";

/** A command's own trace and id: the events it causes continue that trace and name it as their cause. */
export interface CommandRef {
  traceparent: string;
  id: string;
}

/** What the take-payment command asked for, and which command that was. */
export interface TakeRequest {
  customerId: string;
  amount: Money;
  command: CommandRef;
}

/** The card the processor was asked to charge and what it will answer; `dueAt` (ms) while it is awaited. */
export interface CardRequest {
  token: string;
  answer: "approved" | "declined" | "no-answer";
  dueAt?: number;
}

/**
 * A refund asked for (kept for the refunded event, now or when the card is approved), or a void: either
 * way a request that the money not be kept, naming the command that made it.
 */
export interface RefundRequest {
  reason: string;
  command: CommandRef;
}

interface Identified {
  paymentId: string;
  orderId: string;
  refund?: RefundRequest;
}

/**
 * The payment as the rules see it. A payment that was asked to the card processor always knows its take
 * and its card; a cancelled one (its refund overtook the take) knows its take only once that arrives, and
 * never has a card: it is never charged.
 */
export type PaymentState =
  | { status: "none" }
  | (Identified & { status: Exclude<PaymentStatus, "cancelled">; take: TakeRequest; card: CardRequest })
  | (Identified & { status: "cancelled"; take?: TakeRequest });

export const initialPaymentState: PaymentState = { status: "none" };

// ---- Commands ---------------------------------------------------------------------------------------

type TakePaymentCommand = PizzaEvent<"com.plantbasedpizza.payments.take-payment.v1">;
type RefundPaymentCommand = PizzaEvent<"com.plantbasedpizza.payments.refund-payment.v1">;
type VoidPaymentCommand = PizzaEvent<"com.plantbasedpizza.payments.void-payment.v1">;

export type PaymentCommand =
  /** Orders asks to charge the card (the command's data, trace and id, which taken/failed will name). */
  | ({ type: "take-payment"; now: number } & Pick<TakePaymentCommand, "data" | "traceparent" | "id">)
  /** Orders asks for the money back (the command's data, trace and id, which refunded will name). */
  | ({ type: "refund-payment"; now: number } & Pick<RefundPaymentCommand, "data" | "traceparent" | "id">)
  /** Orders cancelled while it waited: do not take the money, or give it back if it was taken meanwhile. */
  | ({ type: "void-payment"; now: number } & Pick<VoidPaymentCommand, "data" | "traceparent" | "id">)
  /**
   * The card processor's answer, if it is due by `now` (the object's alarm stands for the processor's
   * webhook; the answer and when it is due were fixed when the payment was requested).
   */
  | { type: "card-processor-answered"; now: number };

// ---- Events -----------------------------------------------------------------------------------------

export const PAYMENT_TAKEN = "com.plantbasedpizza.payment.taken.v1";
export const PAYMENT_FAILED = "com.plantbasedpizza.payment.failed.v1";
export const PAYMENT_REFUNDED = "com.plantbasedpizza.payment.refunded.v1";
export const PAYMENT_VOIDED = "com.plantbasedpizza.payment.voided.v1";
const PUBLISHED_TYPES: readonly string[] = [PAYMENT_TAKEN, PAYMENT_FAILED, PAYMENT_REFUNDED, PAYMENT_VOIDED];

/** What the rest of the business hears: registered events, before their envelope. */
export type PublishedPaymentEvent = NewEvent<
  typeof PAYMENT_TAKEN | typeof PAYMENT_FAILED | typeof PAYMENT_REFUNDED | typeof PAYMENT_VOIDED
>;

/** The payment's own facts: they change its state (or its log) but are never published. */
export type PaymentFact =
  /** The card processor was asked; what it will answer and when is fixed now (the simulation is pure). */
  | {
      type: "payment-requested";
      data: { paymentId: string; orderId: string; take: TakeRequest; card: CardRequest };
    }
  /** A refund came before any take-payment command: the payment is cancelled before it was ever charged. */
  | { type: "cancelled-before-take"; data: { paymentId: string; orderId: string; refund: RefundRequest } }
  /** The take-payment command of a cancelled payment arrived: kept for the record, nothing is charged. */
  | { type: "take-noted-after-cancel"; data: { take: TakeRequest } }
  /** Another take-payment command for a payment that exists: one payment per order, nothing is charged. */
  | { type: "take-ignored"; data: { orderId: string; commandId: string; status: PaymentStatus } }
  /** A refund asked for a payment that exists (given back now if taken, or when the card is approved). */
  | { type: "refund-requested"; data: { refund: RefundRequest } };

export type PaymentEvent = PublishedPaymentEvent | PaymentFact;

/**
 * Only these (registered) types leave the object; the facts above stay in it. The object publishes
 * through this guard, so a new internal fact can never reach the bus by mistake (createEvent would
 * also refuse an unregistered type, but only at run time and half way through a transaction).
 */
export function isPublished(event: PaymentEvent): event is PublishedPaymentEvent {
  return PUBLISHED_TYPES.includes(event.type);
}

// ---- Deciding -----------------------------------------------------------------------------------------

/** One payment per order, named after it. */
export const paymentIdOf = (orderId: string) => `payment-${orderId}`;

const refOf = (command: CommandRef): CommandRef => ({ traceparent: command.traceparent, id: command.id });
const isoAt = (now: number) => new Date(now).toISOString();

function decide(command: PaymentCommand, state: PaymentState): Decision<PaymentEvent> {
  switch (command.type) {
    case "take-payment":
      return takePayment(command, state);
    case "refund-payment":
      return refundPayment(command, state);
    case "void-payment":
      return voidPayment(command, state);
    case "card-processor-answered":
      return cardProcessorAnswered(command.now, state);
  }
}

function takePayment(
  command: Extract<PaymentCommand, { type: "take-payment" }>,
  state: PaymentState,
): Decision<PaymentEvent> {
  const { orderId, customerId, amount, cardToken } = command.data;
  const take: TakeRequest = { customerId, amount, command: refOf(command) };
  if (state.status === "none") {
    const answer = cardProcessorAnswer(cardToken);
    const card: CardRequest =
      answer.outcome === "no-answer"
        ? { token: cardToken, answer: "no-answer" }
        : { token: cardToken, answer: answer.outcome, dueAt: command.now + answer.afterMs };
    return accept({
      type: "payment-requested",
      data: { paymentId: paymentIdOf(orderId), orderId, take, card },
    });
  }
  // The refund overtook this command: keep what was asked for the record, charge nothing.
  if (state.status === "cancelled" && state.take === undefined)
    return accept({ type: "take-noted-after-cancel", data: { take } });
  // One payment per order: another take-payment command must not charge the card twice.
  return accept({ type: "take-ignored", data: { orderId, commandId: command.id, status: state.status } });
}

function refundPayment(
  command: Extract<PaymentCommand, { type: "refund-payment" }>,
  state: PaymentState,
): Decision<PaymentEvent> {
  const refund: RefundRequest = { reason: command.data.reason, command: refOf(command) };
  switch (state.status) {
    case "none": {
      // Remembered as a cancelled payment, so the take-payment still on its way charges nothing.
      const { orderId } = command.data;
      return accept({
        type: "cancelled-before-take",
        data: { paymentId: paymentIdOf(orderId), orderId, refund },
      });
    }
    case "taken":
      return accept<PaymentEvent>(
        { type: "refund-requested", data: { refund } },
        refunded(state, refund, command.now),
      );
    case "pending":
      // Refunded as soon as the card processor approves; the first refund asked for is the one kept.
      return state.refund === undefined ? accept({ type: "refund-requested", data: { refund } }) : accept();
    case "failed": // nothing was taken
    case "refunded": // already given back
    case "voided": // never charged
    case "cancelled": // never charged
      return accept();
  }
}

/**
 * Void: the order was cancelled while it waited for its payment. A pending charge is stopped before any
 * money is taken; a void that overtook its take-payment command leaves the payment cancelled (the take
 * will charge nothing); if the card answered first and the money was taken, it is given back, once.
 */
function voidPayment(
  command: Extract<PaymentCommand, { type: "void-payment" }>,
  state: PaymentState,
): Decision<PaymentEvent> {
  const request: RefundRequest = { reason: command.data.reason, command: refOf(command) };
  const voided = (ids: { orderId: string; paymentId: string }, reason: string): PublishedPaymentEvent => ({
    type: PAYMENT_VOIDED,
    data: { orderId: ids.orderId, paymentId: ids.paymentId, reason, voidedAt: isoAt(command.now) },
  });
  switch (state.status) {
    case "none": {
      const ids = { orderId: command.data.orderId, paymentId: paymentIdOf(command.data.orderId) };
      return accept<PaymentEvent>(
        { type: "cancelled-before-take", data: { ...ids, refund: request } },
        voided(ids, request.reason),
      );
    }
    case "pending":
      // The first request that the money not be kept is the one named (a refund may have come first).
      return state.refund === undefined
        ? accept<PaymentEvent>(
            { type: "refund-requested", data: { refund: request } },
            voided(state, request.reason),
          )
        : accept<PaymentEvent>(voided(state, state.refund.reason));
    case "taken":
      return refundPayment({ ...command, type: "refund-payment" }, state);
    case "failed":
    case "refunded":
    case "voided":
    case "cancelled":
      return accept();
  }
}

function cardProcessorAnswered(now: number, state: PaymentState): Decision<PaymentEvent> {
  if (state.status !== "pending" || state.card.dueAt === undefined || now < state.card.dueAt) return accept();
  const { orderId, paymentId } = state;
  if (state.card.answer === "declined") {
    return accept({
      type: PAYMENT_FAILED,
      data: { orderId, paymentId, reason: "card declined", failedAt: isoAt(now) },
    });
  }
  if (state.card.answer !== "approved") return accept(); // a card that never answers has no due date
  const taken: PublishedPaymentEvent = {
    type: PAYMENT_TAKEN,
    data: { orderId, paymentId, amount: state.take.amount, takenAt: isoAt(now) },
  };
  // A refund asked for meanwhile is given back in the same step: the money was taken.
  return state.refund === undefined
    ? accept<PaymentEvent>(taken)
    : accept<PaymentEvent>(taken, refunded(state, state.refund, now));
}

function refunded(
  state: Identified & { take: TakeRequest },
  refund: RefundRequest,
  now: number,
): PublishedPaymentEvent {
  return {
    type: PAYMENT_REFUNDED,
    data: {
      orderId: state.orderId,
      paymentId: state.paymentId,
      amount: state.take.amount,
      reason: refund.reason,
      refundedAt: isoAt(now),
    },
  };
}

// ---- Evolving -------------------------------------------------------------------------------------------

/**
 * The state after one event. Total: an event that cannot happen in a state (decide never emits it there)
 * leaves the state as it is rather than inventing one, so a wrong decision shows as a state that did
 * not move, never as a half-made payment.
 */
function evolve(state: PaymentState, event: PaymentEvent): PaymentState {
  switch (event.type) {
    case "payment-requested":
      return state.status === "none" ? { status: "pending", ...event.data } : state;
    case "cancelled-before-take":
      return state.status === "none" ? { status: "cancelled", ...event.data } : state;
    case "take-noted-after-cancel":
      return state.status === "cancelled" && state.take === undefined
        ? { ...state, take: event.data.take }
        : state;
    case "take-ignored":
      return state;
    case "refund-requested":
      return state.status === "none" ? state : { ...state, refund: event.data.refund };
    case PAYMENT_TAKEN:
      return state.status === "pending" ? { ...state, status: "taken", card: answered(state.card) } : state;
    case PAYMENT_FAILED:
      return state.status === "pending" ? { ...state, status: "failed", card: answered(state.card) } : state;
    case PAYMENT_REFUNDED:
      return state.status === "taken" ? { ...state, status: "refunded", card: answered(state.card) } : state;
    case PAYMENT_VOIDED:
      // Stopped while pending; a payment cancelled before its take stays cancelled (it never had a card).
      return state.status === "pending" ? { ...state, status: "voided", card: answered(state.card) } : state;
  }
}

/** The card once it answered: what it answered stays, nothing is awaited any more. */
function answered({ token, answer }: CardRequest): CardRequest {
  return { token, answer };
}

export const paymentDecider: Decider<PaymentState, PaymentCommand, PaymentEvent> = { decide, evolve };

// ---- Around the rules ---------------------------------------------------------------------------------

/**
 * Whom a published event names as its cause, in the state after it: taken and failed continue the
 * take-payment command's trace and name it; refunded and voided continue and name the command that asked
 * for the money back (refund-payment or void-payment, whichever came first). The subject is the order.
 */
export function causationOf(event: PublishedPaymentEvent, state: PaymentState): Causation {
  const command =
    state.status === "none"
      ? undefined
      : event.type === PAYMENT_REFUNDED || event.type === PAYMENT_VOIDED
        ? state.refund?.command
        : state.take?.command;
  if (state.status === "none" || command === undefined)
    throw new Error(`${event.type}: no command to name as its cause`);
  return { traceparent: command.traceparent, causationid: command.id, subject: state.orderId };
}

/** When the card processor's answer is due (ms), while a pending payment awaits one: when to wake. */
export function answerDueAt(state: PaymentState): number | undefined {
  return state.status === "pending" ? state.card.dueAt : undefined;
}
