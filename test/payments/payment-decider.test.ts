import { describe, expect, it } from "vitest";
import {
  answerDueAt,
  causationOf,
  initialPaymentState,
  isPublished,
  PAYMENT_FAILED,
  PAYMENT_REFUNDED,
  PAYMENT_TAKEN,
  PAYMENT_VOIDED,
  paymentDecider,
  type CardRequest,
  type PaymentCommand,
  type PaymentEvent,
  type PaymentState,
  type PublishedPaymentEvent,
  type RefundRequest,
  type TakeRequest,
} from "../../durable-objects/payments/payment-decider";
import { PROCESSING_DELAY_MS } from "../../durable-objects/payments/card-processor";
import { isRegistered } from "../../shared/events/registry";
import { deciderSpec } from "../support/decider-spec";

/**
 * The payment's rules, Given/When/Then, in every order its commands and the card processor's answer can
 * arrive in (queues keep no order). Given a payment that nothing happened to, or the events that
 * happened to it; when a command comes; then these events happen. The object around the rules (inbox,
 * outbox, alarm, storage) is tested with real queues in payment.test.ts.
 */
const spec = deciderSpec(paymentDecider);
const none = initialPaymentState;

const orderId = "7a1e0d0e-4b5f-4c8e-9d2a-1b3c4d5e6f70";
const paymentId = `payment-${orderId}`;
const amount = { amount: 2300, currency: "GBP" };
const T0 = Date.parse("2026-11-24T12:00:00.000Z");
const iso = (ms: number) => new Date(ms).toISOString();

const TAKE_TRACE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const REFUND_TRACE = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

// ---- Commands ---------------------------------------------------------------------------------------

const take = (cardToken = "tok_visa", { id = "take-1", now = T0 } = {}): PaymentCommand => ({
  type: "take-payment",
  data: { orderId, customerId: "customer-42", amount, cardToken },
  traceparent: TAKE_TRACE,
  id,
  now,
});
const refund = (
  reason = "cancelled by the customer",
  { id = "refund-1", now = T0 } = {},
): PaymentCommand => ({
  type: "refund-payment",
  data: { orderId, reason },
  traceparent: REFUND_TRACE,
  id,
  now,
});
const answerAt = (now: number): PaymentCommand => ({ type: "card-processor-answered", now });
/** Orders cancelled while it waited: the void comes on the refund's trace (the same order's request). */
const voidIt = (reason = "cancelled by the customer", { id = "void-1", now = T0 } = {}): PaymentCommand => ({
  type: "void-payment",
  data: { orderId, reason },
  traceparent: REFUND_TRACE,
  id,
  now,
});

// ---- Events -----------------------------------------------------------------------------------------

const takeRequest = (id = "take-1"): TakeRequest => ({
  customerId: "customer-42",
  amount,
  command: { traceparent: TAKE_TRACE, id },
});
const refundRequest = (reason = "cancelled by the customer", id = "refund-1"): RefundRequest => ({
  reason,
  command: { traceparent: REFUND_TRACE, id },
});

const requested = (
  card: CardRequest = { token: "tok_visa", answer: "approved", dueAt: T0 + PROCESSING_DELAY_MS },
): PaymentEvent => ({
  type: "payment-requested",
  data: { paymentId, orderId, take: takeRequest(), card },
});
const declinedCard: CardRequest = {
  token: "tok_declined",
  answer: "declined",
  dueAt: T0 + PROCESSING_DELAY_MS,
};
const silentCard: CardRequest = { token: "tok_no_answer", answer: "no-answer" };
const refundRequested = (reason?: string, id?: string): PaymentEvent => ({
  type: "refund-requested",
  data: { refund: refundRequest(reason, id) },
});
const cancelledBeforeTake = (reason?: string): PaymentEvent => ({
  type: "cancelled-before-take",
  data: { paymentId, orderId, refund: refundRequest(reason) },
});
const takeNotedAfterCancel = (id?: string): PaymentEvent => ({
  type: "take-noted-after-cancel",
  data: { take: takeRequest(id) },
});
const takeIgnored = (status: PaymentState["status"], commandId = "take-2"): PaymentEvent => ({
  type: "take-ignored",
  data: { orderId, commandId, status: status as Exclude<PaymentState["status"], "none"> },
});

const ANSWERED = T0 + PROCESSING_DELAY_MS;
const LATER = T0 + 60_000;
const taken = (at = ANSWERED): PublishedPaymentEvent => ({
  type: PAYMENT_TAKEN,
  data: { orderId, paymentId, amount, takenAt: iso(at) },
});
const failed = (at = ANSWERED): PublishedPaymentEvent => ({
  type: PAYMENT_FAILED,
  data: { orderId, paymentId, reason: "card declined", failedAt: iso(at) },
});
const refunded = (at: number, reason = "cancelled by the customer"): PublishedPaymentEvent => ({
  type: PAYMENT_REFUNDED,
  data: { orderId, paymentId, amount, reason, refundedAt: iso(at) },
});

const voided = (at = T0, reason = "cancelled by the customer"): PublishedPaymentEvent => ({
  type: PAYMENT_VOIDED,
  data: { orderId, paymentId, reason, voidedAt: iso(at) },
});

const byTake = { traceparent: TAKE_TRACE, causationid: "take-1", subject: orderId };
const byRefund = (id = "refund-1") => ({ traceparent: REFUND_TRACE, causationid: id, subject: orderId });

// ---- The rules --------------------------------------------------------------------------------------

describe("taking a payment", () => {
  it("asks the card processor, whose answer is due after its usual delay: pending, nothing published yet", () => {
    const { state } = spec.given(none).when(take("tok_visa")).then(requested());
    expect(state).toMatchObject({ status: "pending", paymentId, orderId, take: takeRequest() });
    expect(answerDueAt(state)).toBe(T0 + PROCESSING_DELAY_MS);
  });

  it("fixes what the processor will answer when it is asked: declined, never, or after N seconds", () => {
    spec.given(none).when(take("tok_declined")).then(requested(declinedCard));
    const { state } = spec.given(none).when(take("tok_no_answer")).then(requested(silentCard));
    expect(answerDueAt(state)).toBeUndefined();
    spec
      .given(none)
      .when(take("tok_answer_after_120s"))
      .then(requested({ token: "tok_answer_after_120s", answer: "approved", dueAt: T0 + 120_000 }));
  });

  it("is taken when the approval is due, naming the take-payment command as the cause", () => {
    const { state } = spec.given(none, requested()).when(answerAt(ANSWERED)).then(taken());
    expect(state).toMatchObject({ status: "taken", card: { answer: "approved" } });
    expect(answerDueAt(state)).toBeUndefined();
    expect(causationOf(taken(), state)).toEqual(byTake);
  });

  it("fails with the reason when the decline is due, naming the take-payment command as the cause", () => {
    const { state } = spec
      .given(none, requested(declinedCard))
      .when(answerAt(ANSWERED + 1_000))
      .then(failed(ANSWERED + 1_000));
    expect(state.status).toBe("failed");
    expect(answerDueAt(state)).toBeUndefined();
    expect(causationOf(failed(), state)).toEqual(byTake);
  });

  it("hears nothing from the processor before its answer is due", () => {
    spec
      .given(none, requested())
      .when(answerAt(ANSWERED - 1))
      .then();
    spec.given(none, requested(declinedCard)).when(answerAt(T0)).then();
    spec
      .given(none, requested({ token: "tok_answer_after_120s", answer: "approved", dueAt: T0 + 120_000 }))
      .when(answerAt(T0 + 110_000))
      .then();
  });

  it("hears nothing, ever, from a processor that never answers (the order's deadline ends it)", () => {
    spec
      .given(none, requested(silentCard))
      .when(answerAt(T0 + 86_400_000))
      .then();
  });

  it("hears nothing when there is no pending payment to answer for", () => {
    spec.given(none).when(answerAt(T0)).then();
    spec
      .given(none, requested(), taken())
      .when(answerAt(ANSWERED + 1))
      .then();
    spec
      .given(none, requested(declinedCard), failed())
      .when(answerAt(ANSWERED + 1))
      .then();
    spec.given(none, cancelledBeforeTake(), takeNotedAfterCancel()).when(answerAt(ANSWERED)).then();
  });
});

describe("another take-payment command for a payment that exists charges nothing", () => {
  it.each([
    ["pending", [requested()]],
    ["taken", [requested(), taken()]],
    ["failed", [requested(declinedCard), failed()]],
    ["refunded", [requested(), taken(), refundRequested(), refunded(ANSWERED)]],
    ["cancelled (its take already noted)", [cancelledBeforeTake(), takeNotedAfterCancel()]],
  ] as const)("%s: logged as take-ignored, the state unchanged", (_, history) => {
    const before = history.reduce(paymentDecider.evolve, none);
    const { state } = spec
      .given(none, ...history)
      .when(take("tok_visa", { id: "take-2", now: T0 + 10_000 }))
      .then(takeIgnored(before.status));
    expect(state).toEqual(before);
  });

  it("is the same for the same command come again (the object's inbox normally stops it first)", () => {
    spec.given(none, requested()).when(take()).then(takeIgnored("pending", "take-1"));
  });
});

describe("refunding a payment", () => {
  it("after it was taken: gives the amount back with the command's reason, naming the refund-payment command", () => {
    const { state } = spec
      .given(none, requested(), taken())
      .when(refund("the customer changed their mind", { now: T0 + 60_000 }))
      .then(
        refundRequested("the customer changed their mind"),
        refunded(T0 + 60_000, "the customer changed their mind"),
      );
    expect(state).toMatchObject({
      status: "refunded",
      refund: { reason: "the customer changed their mind" },
    });
    expect(causationOf(taken(), state)).toEqual(byTake);
    expect(causationOf(refunded(T0 + 60_000), state)).toEqual(byRefund());
  });

  it("while pending: remembers the refund and publishes nothing yet", () => {
    const { state } = spec
      .given(none, requested())
      .when(refund("payment timed out"))
      .then(refundRequested("payment timed out"));
    expect(state).toMatchObject({ status: "pending", refund: { reason: "payment timed out" } });
    expect(answerDueAt(state)).toBe(ANSWERED);
  });

  it("while pending, then approved: taken, then refunded in the same step, each naming its own command", () => {
    const { state } = spec
      .given(none, requested(), refundRequested("payment timed out"))
      .when(answerAt(ANSWERED))
      .then(taken(), refunded(ANSWERED, "payment timed out"));
    expect(state.status).toBe("refunded");
    expect(answerDueAt(state)).toBeUndefined();
    expect(causationOf(taken(), state)).toEqual(byTake);
    expect(causationOf(refunded(ANSWERED), state)).toEqual(byRefund());
  });

  it("while pending, then declined: failed, nothing to give back (the refund stays on record)", () => {
    const { state } = spec
      .given(none, requested(declinedCard), refundRequested())
      .when(answerAt(ANSWERED))
      .then(failed());
    expect(state).toMatchObject({ status: "failed", refund: refundRequest() });
  });

  it("while pending, asked twice: the first refund is the one kept", () => {
    spec
      .given(none, requested(), refundRequested("payment timed out"))
      .when(refund("cancelled by the customer", { id: "refund-2" }))
      .then();
  });

  it("after a decline: nothing was taken, nothing to give back", () => {
    spec.given(none, requested(declinedCard), failed()).when(refund()).then();
  });

  it("after it was refunded: nothing is given back twice", () => {
    spec
      .given(none, requested(), taken(), refundRequested(), refunded(ANSWERED))
      .when(refund("again", { id: "refund-2" }))
      .then();
  });

  it("before the take-payment command (the refund overtook it): cancelled, with nothing published", () => {
    const { state } = spec.given(none).when(refund()).then(cancelledBeforeTake());
    expect(state).toEqual({ status: "cancelled", paymentId, orderId, refund: refundRequest() });
    spec
      .given(none, cancelledBeforeTake())
      .when(refund("again", { id: "refund-2" }))
      .then();
  });
});

describe("voiding a payment (the order was cancelled while it waited for it)", () => {
  it("while pending: stops the charge, so the customer is never charged, naming the void-payment command", () => {
    const { state } = spec
      .given(none, requested())
      .when(voidIt())
      .then(refundRequested("cancelled by the customer", "void-1"), voided());
    expect(state.status).toBe("voided");
    expect(answerDueAt(state)).toBeUndefined();
    expect(causationOf(voided(), state)).toEqual(byRefund("void-1"));
    // The card's answer, when it comes, takes nothing.
    spec
      .given(none, requested(), refundRequested("cancelled by the customer", "void-1"), voided())
      .when(answerAt(LATER))
      .then();
  });

  it("before the take-payment command (the void overtook it): cancelled and voided, and the take charges nothing", () => {
    const before = [
      {
        type: "cancelled-before-take",
        data: { paymentId, orderId, refund: refundRequest("cancelled by the customer", "void-1") },
      },
      voided(),
    ] as PaymentEvent[];
    spec
      .given(none)
      .when(voidIt())
      .then(...before);
    spec
      .given(none, ...before)
      .when(take())
      .then(takeNotedAfterCancel());
  });

  it("after the card answered and the money was taken: gives it back, once", () => {
    spec
      .given(none, requested(), taken())
      .when(voidIt("cancelled by the customer", { now: LATER }))
      .then(refundRequested("cancelled by the customer", "void-1"), refunded(LATER));
    spec.given(none, requested(), taken(), refundRequested(), refunded(LATER)).when(voidIt()).then();
  });

  it("after a decline, or a second time: nothing to do", () => {
    spec.given(none, requested(declinedCard), failed()).when(voidIt()).then();
    spec
      .given(none, requested(), refundRequested("cancelled by the customer", "void-1"), voided())
      .when(voidIt())
      .then();
  });

  it("after a refund was asked for while pending: voids, naming the refund that came first", () => {
    spec.given(none, requested(), refundRequested()).when(voidIt("payment timed out")).then(voided());
  });
});

describe("a take-payment command overtaken by its refund", () => {
  it("charges nothing: the take's amount, customer and trace are kept for the record, no answer is awaited", () => {
    const { state } = spec
      .given(none, cancelledBeforeTake())
      .when(take("tok_visa"))
      .then(takeNotedAfterCancel());
    expect(state).toEqual({
      status: "cancelled",
      paymentId,
      orderId,
      refund: refundRequest(),
      take: takeRequest(),
    });
    expect(answerDueAt(state)).toBeUndefined();
  });
});

describe("the events", () => {
  it("published are registered types, and the payment's own facts are not (they never leave the object)", () => {
    const published = [taken(), failed(), refunded(ANSWERED)];
    const facts = [
      requested(),
      cancelledBeforeTake(),
      takeNotedAfterCancel(),
      takeIgnored("pending"),
      refundRequested(),
    ];
    for (const e of published)
      expect([e.type, isPublished(e), isRegistered(e.type)]).toEqual([e.type, true, true]);
    for (const e of facts)
      expect([e.type, isPublished(e), isRegistered(e.type)]).toEqual([e.type, false, false]);
  });

  it("that could not happen in a state leave it as it is (evolve is total)", () => {
    expect(paymentDecider.evolve(none, taken())).toBe(none);
    expect(paymentDecider.evolve(none, refundRequested())).toBe(none);
    expect(paymentDecider.evolve(none, takeNotedAfterCancel())).toBe(none);
    const pending = paymentDecider.evolve(none, requested());
    expect(paymentDecider.evolve(pending, requested(declinedCard))).toBe(pending);
    expect(paymentDecider.evolve(pending, refunded(ANSWERED))).toBe(pending);
    expect(paymentDecider.evolve(pending, cancelledBeforeTake())).toBe(pending);
    const cancelled = paymentDecider.evolve(none, cancelledBeforeTake());
    expect(paymentDecider.evolve(cancelled, taken())).toBe(cancelled);
  });

  it("name no cause where there is no command to name", () => {
    expect(() => causationOf(taken(), none)).toThrow(/no command/);
    expect(() => causationOf(refunded(ANSWERED), paymentDecider.evolve(none, requested()))).toThrow(
      /no command/,
    );
  });
});

// ---- Properties over every order of arrival ------------------------------------------------------------

/**
 * Every sequence (up to five) of what can reach a payment: take-payment commands (cards that approve,
 * decline or never answer; the same command again or another one), refund-payment commands, and the
 * alarm before and after any answer is due. Each sequence runs through the rules as the object would
 * (decide, then evolve with what was decided).
 */
const LATE = T0 + 3_600_000;
const ALPHABET: PaymentCommand[] = [
  take("tok_visa"),
  take("tok_declined", { id: "take-2", now: T0 + 100 }),
  take("tok_no_answer", { id: "take-3", now: T0 + 200 }),
  take("tok_visa"),
  refund("cancelled by the customer", { now: T0 + 300 }),
  refund("payment timed out", { id: "refund-2", now: T0 + 400 }),
  voidIt("cancelled by the customer", { now: T0 + 250 }),
  answerAt(T0 + 1),
  answerAt(LATE),
];

function* sequences(length: number): Generator<PaymentCommand[]> {
  if (length === 0) return yield [];
  for (const shorter of sequences(length - 1)) for (const command of ALPHABET) yield [...shorter, command];
}

function run(commands: PaymentCommand[]) {
  let state = none;
  const published: { event: PublishedPaymentEvent; cause: ReturnType<typeof causationOf> }[] = [];
  for (const command of commands) {
    const decision = paymentDecider.decide(command, state);
    if (!decision.ok) throw new Error(`refused ${command.type}: ${decision.reason}`);
    state = decision.events.reduce(paymentDecider.evolve, state);
    for (const event of decision.events.filter(isPublished))
      published.push({ event, cause: causationOf(event, state) });
  }
  return { state, published, types: published.map((p) => p.event.type) };
}

describe("in every order of arrival (every sequence of up to five commands)", () => {
  const all = [0, 1, 2, 3, 4, 5].flatMap((n) => [...sequences(n)]);

  it("covers them all", () => {
    expect(all).toHaveLength((9 ** 6 - 1) / 8);
  });

  it("never publishes both taken and failed for one payment, nor either of them twice", () => {
    for (const commands of all) {
      const { types } = run(commands);
      const outcomes = types.filter((t) => t === PAYMENT_TAKEN || t === PAYMENT_FAILED);
      expect(outcomes.length, commands.map((c) => c.type).join(" ")).toBeLessThanOrEqual(1);
    }
  });

  it("refunds at most once, only what was taken, and only after it was taken", () => {
    for (const commands of all) {
      const { published, types } = run(commands);
      const refunds = published.filter((p) => p.event.type === PAYMENT_REFUNDED);
      expect(refunds.length).toBeLessThanOrEqual(1);
      if (refunds.length === 1) {
        expect(types.indexOf(PAYMENT_TAKEN)).toBeGreaterThanOrEqual(0);
        expect(types.indexOf(PAYMENT_TAKEN)).toBeLessThan(types.indexOf(PAYMENT_REFUNDED));
        expect(refunds[0]!.event.data).toMatchObject({ amount });
      }
    }
  });

  it("never charges a payment whose refund or void came before its take-payment command", () => {
    for (const commands of all) {
      const firstTake = commands.findIndex((c) => c.type === "take-payment");
      const firstStop = commands.findIndex((c) => c.type === "refund-payment" || c.type === "void-payment");
      if (firstStop === -1 || (firstTake !== -1 && firstTake < firstStop)) continue;
      const { state, types } = run(commands);
      expect(types.filter((t) => t !== PAYMENT_VOIDED)).toEqual([]);
      expect(state.status).toBe("cancelled");
      expect(answerDueAt(state)).toBeUndefined();
    }
  });

  it("names the take-payment command that asked for the payment as the cause of taken and failed, the refund-payment command of refunded", () => {
    for (const commands of all) {
      const { published } = run(commands);
      const firstTake = commands.find((c) => c.type === "take-payment");
      for (const { event, cause } of published) {
        if (event.type === PAYMENT_REFUNDED || event.type === PAYMENT_VOIDED) {
          expect(cause).toMatchObject({ traceparent: REFUND_TRACE, subject: orderId });
          const stops = commands.filter((c) => c.type === "refund-payment" || c.type === "void-payment");
          expect(stops.some((c) => (c as { id: string }).id === cause.causationid)).toBe(true);
        } else {
          expect(cause).toEqual({
            traceparent: TAKE_TRACE,
            causationid: (firstTake as { id: string }).id,
            subject: orderId,
          });
        }
      }
    }
  });

  it("takes nothing once voided, and never both voids and refunds", () => {
    for (const commands of all) {
      const { types } = run(commands);
      const voidedAt = types.indexOf(PAYMENT_VOIDED);
      if (voidedAt === -1) continue;
      expect(types.slice(voidedAt)).not.toContain(PAYMENT_TAKEN);
      expect(types).not.toContain(PAYMENT_REFUNDED);
      expect(types.filter((t) => t === PAYMENT_VOIDED)).toHaveLength(1);
    }
  });

  it("leaves nothing awaited once the payment is no longer pending", () => {
    for (const commands of all) {
      const { state } = run(commands);
      if (state.status !== "pending") expect(answerDueAt(state)).toBeUndefined();
    }
  });
});
