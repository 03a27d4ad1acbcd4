import type { HandlerOutcome, QueueDelivery } from "../../shared/consumer/harness";
import { createEvent, type PizzaEvent } from "../../shared/events/envelope";
import type { Money } from "../../shared/events/catalog/money";
import { PublishingObject, type BusEnv } from "../../shared/durable/publishing-object";
import { logEvent } from "../../shared/log";
import {
  answerDueAt,
  causationOf,
  initialPaymentState,
  isPublished,
  paymentDecider,
  PAYMENT_FAILED,
  type CardRequest,
  type PaymentCommand,
  type PaymentEvent,
  type PaymentState,
  type PaymentStatus,
} from "./payment-decider";

export type { PaymentStatus } from "./payment-decider";

/**
 * The card payment of one order (one object per order id), in payments' own storage. Orders asks with
 * commands; the card processor answers later (its answer is due-dated in this object's table and the
 * object's alarm wakes it then); every outcome is announced with an event.
 *
 *   (none) --take--> pending --card approved--> taken --refund--> refunded
 *                    pending --card declined--> failed              (nothing to refund)
 *                    pending --refund--> pending, refund requested --card approved--> refunded (taken, then refunded)
 *   (none) --refund--> cancelled --take--> cancelled                (the refund overtook the take: never charged)
 *
 * What each command and the card's answer do is decided in payment-decider.ts, pure and tested
 * Given/When/Then in Node. This object only loads that state from its table, asks the rules, and
 * commits the new state with its inbox entry and the events to publish (outbox) in one transaction;
 * its alarm stands for the card processor's answer (and is the outbox's safety net).
 */
export interface PaymentView {
  paymentId: string;
  orderId: string;
  status: PaymentStatus;
  /** Unknown only while a refund that overtook its take-payment command waits for it. */
  amount?: Money;
  customerId?: string;
  refundRequested: boolean;
  refundReason?: string;
  /** When the card processor is due to answer (a pending payment whose processor will answer). */
  cardAnswerDueAt?: string;
  /** What this object announced, oldest first (the outbox forgets events once they are on the bus). */
  announced: { type: string; id: string; causationid: string }[];
}

/**
 * The state, one row, in the table's original columns (objects already in production keep theirs, and
 * need no migration): null columns are the parts of the state a payment does not have (yet).
 */
type Row = {
  payment_id: string;
  order_id: string;
  status: PaymentStatus;
  customer_id: string | null;
  amount: number | null;
  currency: string | null;
  card_token: string | null;
  card_answer: "approved" | "declined" | null;
  answer_due_at: number | null;
  take_traceparent: string | null;
  take_command_id: string | null;
  refund_reason: string | null;
  refund_traceparent: string | null;
  refund_command_id: string | null;
};

type TakePayment = PizzaEvent<"com.plantbasedpizza.payments.take-payment.v1">;
type RefundPayment = PizzaEvent<"com.plantbasedpizza.payments.refund-payment.v1">;
type VoidPayment = PizzaEvent<"com.plantbasedpizza.payments.void-payment.v1">;

/** A command from orders as the rules take it: its data, its trace and id (its events' cause), and now. */
function commandOf<K extends "take-payment" | "refund-payment" | "void-payment">(
  type: K,
  event: TakePayment | RefundPayment | VoidPayment,
): PaymentCommand {
  return {
    type,
    data: event.data,
    traceparent: event.traceparent,
    id: event.id,
    now: Date.now(),
  } as PaymentCommand;
}

export class Payment extends PublishingObject<BusEnv> {
  constructor(ctx: DurableObjectState, env: BusEnv) {
    super(ctx, env);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS payment (
      payment_id TEXT PRIMARY KEY, order_id TEXT NOT NULL, status TEXT NOT NULL,
      customer_id TEXT, amount INTEGER, currency TEXT, card_token TEXT,
      card_answer TEXT, answer_due_at INTEGER, take_traceparent TEXT, take_command_id TEXT,
      refund_reason TEXT, refund_traceparent TEXT, refund_command_id TEXT) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS announced (
      seq INTEGER PRIMARY KEY, type TEXT NOT NULL, event_id TEXT NOT NULL, causation_id TEXT NOT NULL);`);
  }

  // ---- Commands from orders -----------------------------------------------------------------------

  /** TakePayment: asks the card processor and waits for its answer (nothing is announced yet). */
  async takePayment(event: TakePayment, delivery?: QueueDelivery): Promise<HandlerOutcome> {
    if (this.inbox.has(event)) return "duplicate";
    const { next, events } = this.handle(commandOf("take-payment", event), event, delivery);
    // The payment was just requested: wake when the card processor's answer is due (if it ever is).
    const due = answerDueAt(next);
    if (events.some((e) => e.type === "payment-requested") && due !== undefined) await this.wakeAt(due);
    return "processed";
  }

  /** VoidPayment: the order was cancelled while it waited; stop the charge (or give back what was taken). */
  voidPayment(event: VoidPayment, delivery?: QueueDelivery): HandlerOutcome {
    if (this.inbox.has(event)) return "duplicate";
    this.handle(commandOf("void-payment", event), event, delivery);
    return "processed";
  }

  /** RefundPayment: gives a taken payment back; queues keep no order, so it may come before the take. */
  refundPayment(event: RefundPayment, delivery?: QueueDelivery): HandlerOutcome {
    if (this.inbox.has(event)) return "duplicate";
    this.handle(commandOf("refund-payment", event), event, delivery);
    return "processed";
  }

  // ---- The card processor's answer ----------------------------------------------------------------

  /** The alarm: applies the card processor's answer when it is due; otherwise says when to wake. */
  protected override onAlarm(): number | undefined {
    const { next } = this.handle({ type: "card-processor-answered", now: Date.now() });
    return answerDueAt(next);
  }

  // ---- Reading --------------------------------------------------------------------------------------

  /** The payment as payments sees it (for operators and tests); undefined if orders never asked. */
  payment(): PaymentView | undefined {
    const state = this.load();
    if (state.status === "none") return undefined;
    const announced = this.sql
      .exec<{ type: string; event_id: string; causation_id: string }>(
        "SELECT type, event_id, causation_id FROM announced ORDER BY seq",
      )
      .toArray()
      .map((a) => ({ type: a.type, id: a.event_id, causationid: a.causation_id }));
    const due = answerDueAt(state);
    return {
      paymentId: state.paymentId,
      orderId: state.orderId,
      status: state.status,
      ...(state.take !== undefined ? { amount: state.take.amount, customerId: state.take.customerId } : {}),
      refundRequested: state.refund !== undefined,
      ...(state.refund !== undefined ? { refundReason: state.refund.reason } : {}),
      ...(due !== undefined ? { cardAnswerDueAt: new Date(due).toISOString() } : {}),
      announced,
    };
  }

  // ---- Around the rules -----------------------------------------------------------------------------

  /**
   * One command, end to end: loads the state, asks the rules, and commits the new state with the
   * command's inbox entry and the published events in one transaction. Returns the new state and what
   * happened. Call it only for a command the inbox has not seen.
   */
  private handle(
    command: PaymentCommand,
    inbound?: TakePayment | RefundPayment | VoidPayment,
    delivery?: QueueDelivery,
  ): { next: PaymentState; events: PaymentEvent[] } {
    const state = this.load();
    const decision = paymentDecider.decide(command, state);
    // The payment's rules refuse nothing (queue commands are acked whatever happens); this is a bug.
    if (!decision.ok) throw new Error(`payment rules refused ${command.type}: ${decision.reason}`);
    const { events } = decision;
    const next = events.reduce(paymentDecider.evolve, state);
    // Only registered events are published (the guard); the payment's own facts stay in its table.
    const published = events.filter(isPublished);

    const apply = () => {
      if (events.length > 0) this.save(next);
      for (const e of events) {
        // One payment per order: another take-payment command charged nothing, and says so in the log.
        if (e.type === "take-ignored") {
          logEvent({
            at: "payment",
            orderId: e.data.orderId,
            outcome: "take-ignored",
            status: e.data.status,
            id: e.data.commandId,
          });
        }
      }
    };
    // The card processor's answer came (it is due): which one, in the log as before.
    if (command.type === "card-processor-answered" && published.length > 0) {
      const declined = published.some((e) => e.type === PAYMENT_FAILED);
      logEvent({
        at: "payment",
        orderId: published[0]!.data.orderId,
        outcome: declined ? "card-declined" : "card-approved",
      });
    }

    if (published.length > 0 || events.some((e) => e.type === "payment-requested")) {
      // Through record, which arms the publishing safety-net alarm in the same write batch: for events,
      // so they are published even if the object dies now; for a new payment (even with no events), so
      // that if the object dies before takePayment's wakeAt, the alarm still fires and onAlarm re-arms
      // for the card's answer.
      this.record(
        () => {
          if (inbound) this.inbox.remember(inbound, delivery);
          apply();
        },
        () => this.announce(published.map((e) => createEvent(e.type, e.data, causationOf(e, next)))),
      );
    } else if (inbound) {
      // Nothing to publish and no new answer to await: the alarm stays as it was (a cancelled payment
      // never has one). A command that changed nothing is still remembered, so it is a duplicate next time.
      this.inbox.once(inbound, delivery, apply);
    } else if (events.length > 0) {
      this.ctx.storage.transactionSync(apply);
    }
    return { next, events };
  }

  private load(): PaymentState {
    const row = this.sql.exec<Row>("SELECT * FROM payment").toArray()[0];
    return row ? stateOf(row) : initialPaymentState;
  }

  private save(state: PaymentState): void {
    if (state.status === "none") return; // nothing was ever asked: no row
    const take = state.take;
    const card = state.status === "cancelled" ? undefined : state.card;
    this.sql.exec(
      `INSERT OR REPLACE INTO payment (payment_id, order_id, status, customer_id, amount, currency, card_token, card_answer,
         answer_due_at, take_traceparent, take_command_id, refund_reason, refund_traceparent, refund_command_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      state.paymentId,
      state.orderId,
      state.status,
      take?.customerId ?? null,
      take?.amount.amount ?? null,
      take?.amount.currency ?? null,
      card?.token ?? null,
      card === undefined || card.answer === "no-answer" ? null : card.answer,
      card?.dueAt ?? null,
      take?.command.traceparent ?? null,
      take?.command.id ?? null,
      state.refund?.reason ?? null,
      state.refund?.command.traceparent ?? null,
      state.refund?.command.id ?? null,
    );
  }

  /** Keeps a note of what is announced (call inside record's events, so it commits with them). */
  private announce(events: PizzaEvent[]): PizzaEvent[] {
    for (const e of events)
      this.sql.exec(
        "INSERT INTO announced (type, event_id, causation_id) VALUES (?, ?, ?)",
        e.type,
        e.id,
        e.causationid,
      );
    return events;
  }
}

/** The row as the rules' state (the columns a payment does not have yet are null). */
function stateOf(row: Row): PaymentState {
  const identity = {
    paymentId: row.payment_id,
    orderId: row.order_id,
    ...(row.refund_command_id !== null
      ? {
          refund: {
            reason: row.refund_reason!,
            command: { traceparent: row.refund_traceparent!, id: row.refund_command_id },
          },
        }
      : {}),
  };
  const take =
    row.amount !== null
      ? {
          customerId: row.customer_id!,
          amount: { amount: row.amount, currency: row.currency! },
          command: { traceparent: row.take_traceparent!, id: row.take_command_id! },
        }
      : undefined;
  if (row.status === "cancelled")
    return { ...identity, status: "cancelled", ...(take !== undefined ? { take } : {}) };
  // Every payment but a cancelled one was asked to the card processor with its take: both are in the row.
  if (take === undefined || row.card_token === null)
    throw new Error(`payment ${row.payment_id} is ${row.status} without its take or card`);
  const card: CardRequest = {
    token: row.card_token,
    answer: row.card_answer ?? "no-answer",
    ...(row.answer_due_at !== null ? { dueAt: row.answer_due_at } : {}),
  };
  return { ...identity, status: row.status, take, card };
}
