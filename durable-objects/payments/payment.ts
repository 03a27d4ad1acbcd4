import type { HandlerOutcome } from "../../shared/consumer/harness";
import { createEvent, type PizzaEvent } from "../../shared/events/envelope";
import type { Money } from "../../shared/events/catalog/money";
import { PublishingObject, type BusEnv } from "../../shared/durable/publishing-object";
import { logEvent } from "../../shared/log";
import { cardProcessorAnswer } from "./card-processor";

/**
 * The card payment of one order (one object per order id), in payments' own storage. Orders asks with
 * commands; the card processor answers later (its answer is due-dated in this object's table and the
 * object's alarm wakes it then); every outcome is announced with an event.
 *
 *   (none) --take--> pending --card approved--> taken --refund--> refunded
 *                    pending --card declined--> failed              (nothing to refund)
 *                    pending --refund--> pending, refund requested --card approved--> refunded (taken, then refunded)
 *   (none) --refund--> cancelled --take--> cancelled                (the refund overtook the take: never charged)
 */
export type PaymentStatus = "pending" | "taken" | "failed" | "refunded" | "cancelled";

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

export class Payment extends PublishingObject<BusEnv> {
  constructor(ctx: DurableObjectState, env: BusEnv) {
    super(ctx, env);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS payment (
      payment_id TEXT PRIMARY KEY, order_id TEXT NOT NULL, status TEXT NOT NULL,
      customer_id TEXT, amount INTEGER, currency TEXT, card_token TEXT,
      card_answer TEXT, answer_due_at INTEGER, take_traceparent TEXT, take_command_id TEXT,
      refund_reason TEXT, refund_traceparent TEXT, refund_command_id TEXT);
    CREATE TABLE IF NOT EXISTS announced (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, type TEXT NOT NULL, event_id TEXT NOT NULL, causation_id TEXT NOT NULL);`);
  }

  private row(): Row | undefined {
    return this.sql.exec<Row>("SELECT * FROM payment").toArray()[0];
  }

  // ---- Commands from orders -----------------------------------------------------------------------

  /** TakePayment: asks the card processor and waits for its answer (nothing is announced yet). */
  async takePayment(event: TakePayment): Promise<HandlerOutcome> {
    if (this.inbox.has(event)) return "duplicate";
    const { orderId, customerId, amount, cardToken } = event.data;
    const existing = this.row();
    if (existing) {
      return this.inbox.once(event, () => {
        if (existing.status === "cancelled" && existing.amount === null) {
          // The refund overtook this command: keep what was asked for the record, charge nothing.
          this.sql.exec(
            "UPDATE payment SET customer_id = ?, amount = ?, currency = ?, take_traceparent = ?, take_command_id = ?",
            customerId, amount.amount, amount.currency, event.traceparent, event.id,
          );
        } else {
          // One payment per order: another take-payment command must not charge the card twice.
          logEvent({ at: "payment", orderId, outcome: "take-ignored", status: existing.status, id: event.id });
        }
      });
    }
    const answer = cardProcessorAnswer(cardToken);
    const dueAt = answer.outcome === "no-answer" ? null : Date.now() + answer.afterMs;
    // Through record (with no events) so the safety-net alarm is armed in the same write batch: if the
    // object dies before wakeAt below, that alarm still fires and onAlarm re-arms for the answer.
    this.record(
      () => {
        this.inbox.remember(event);
        this.sql.exec(
          `INSERT INTO payment (payment_id, order_id, status, customer_id, amount, currency, card_token, card_answer,
             answer_due_at, take_traceparent, take_command_id)
           VALUES (?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?)`,
          `payment-${orderId}`, orderId, customerId, amount.amount, amount.currency, cardToken,
          answer.outcome === "no-answer" ? null : answer.outcome, dueAt, event.traceparent, event.id,
        );
      },
      () => [],
    );
    if (dueAt !== null) await this.wakeAt(dueAt);
    return "processed";
  }

  /** RefundPayment: gives a taken payment back; queues keep no order, so it may come before the take. */
  refundPayment(event: RefundPayment): HandlerOutcome {
    if (this.inbox.has(event)) return "duplicate";
    const { orderId } = event.data;
    const row = this.row();
    if (row?.status === "taken") {
      this.record(
        () => {
          this.inbox.remember(event);
          this.requestRefund(event);
          this.sql.exec("UPDATE payment SET status = 'refunded'");
        },
        () => this.announce([this.refunded(this.row()!)]),
      );
      return "processed";
    }
    return this.inbox.once(event, () => {
      if (!row) {
        // Remembered as a cancelled payment, so the take-payment still on its way charges nothing.
        this.sql.exec("INSERT INTO payment (payment_id, order_id, status) VALUES (?, ?, 'cancelled')", `payment-${orderId}`, orderId);
        this.requestRefund(event);
      } else if (row.status === "pending" && row.refund_command_id === null) {
        this.requestRefund(event); // refunded as soon as the card processor approves
      }
      // failed: nothing was taken; refunded or cancelled: already given back or never charged.
    });
  }

  // ---- The card processor's answer ----------------------------------------------------------------

  /** The alarm: applies the card processor's answer when it is due; otherwise says when to wake. */
  protected override onAlarm(): number | undefined {
    const row = this.row();
    if (!row || row.status !== "pending" || row.answer_due_at === null) return undefined;
    if (Date.now() < row.answer_due_at) return row.answer_due_at;
    logEvent({ at: "payment", orderId: row.order_id, outcome: `card-${row.card_answer ?? "unknown"}` });
    if (row.card_answer === "declined") {
      this.record(
        () => this.sql.exec("UPDATE payment SET status = 'failed', answer_due_at = NULL"),
        () => this.announce([
          createEvent("com.plantbasedpizza.payment.failed.v1",
            { orderId: row.order_id, paymentId: row.payment_id, reason: "card declined", failedAt: new Date().toISOString() },
            this.causedBy(row, "take")),
        ]),
      );
      return undefined;
    }
    // Approved. A refund asked for meanwhile is given back in the same step: the money was taken.
    const refundRequested = row.refund_command_id !== null;
    this.record(
      () => this.sql.exec("UPDATE payment SET status = ?, answer_due_at = NULL", refundRequested ? "refunded" : "taken"),
      () => {
        const taken = createEvent("com.plantbasedpizza.payment.taken.v1",
          { orderId: row.order_id, paymentId: row.payment_id, amount: this.amountOf(row), takenAt: new Date().toISOString() },
          this.causedBy(row, "take"));
        return this.announce(refundRequested ? [taken, this.refunded(row)] : [taken]);
      },
    );
    return undefined;
  }

  // ---- Reading --------------------------------------------------------------------------------------

  /** The payment as payments sees it (for operators and tests); undefined if orders never asked. */
  payment(): PaymentView | undefined {
    const row = this.row();
    if (!row) return undefined;
    const announced = this.sql
      .exec<{ type: string; event_id: string; causation_id: string }>("SELECT type, event_id, causation_id FROM announced ORDER BY seq")
      .toArray()
      .map((a) => ({ type: a.type, id: a.event_id, causationid: a.causation_id }));
    return {
      paymentId: row.payment_id,
      orderId: row.order_id,
      status: row.status,
      ...(row.amount !== null ? { amount: this.amountOf(row) } : {}),
      ...(row.customer_id !== null ? { customerId: row.customer_id } : {}),
      refundRequested: row.refund_command_id !== null,
      ...(row.refund_reason !== null ? { refundReason: row.refund_reason } : {}),
      ...(row.status === "pending" && row.answer_due_at !== null ? { cardAnswerDueAt: new Date(row.answer_due_at).toISOString() } : {}),
      announced,
    };
  }

  // ---- Helpers ------------------------------------------------------------------------------------

  /** Keeps the refund command (its reason, trace and id) for the refunded event, now or later. */
  private requestRefund(event: RefundPayment): void {
    this.sql.exec("UPDATE payment SET refund_reason = ?, refund_traceparent = ?, refund_command_id = ?",
      event.data.reason, event.traceparent, event.id);
  }

  private refunded(row: Row): PizzaEvent<"com.plantbasedpizza.payment.refunded.v1"> {
    return createEvent("com.plantbasedpizza.payment.refunded.v1",
      { orderId: row.order_id, paymentId: row.payment_id, amount: this.amountOf(row), reason: row.refund_reason!, refundedAt: new Date().toISOString() },
      this.causedBy(row, "refund"));
  }

  private amountOf(row: Row): Money {
    return { amount: row.amount!, currency: row.currency! };
  }

  /** Each event continues the trace of the command that caused it, unchanged, and names that command. */
  private causedBy(row: Row, command: "take" | "refund") {
    const [traceparent, causationid] = command === "take"
      ? [row.take_traceparent, row.take_command_id]
      : [row.refund_traceparent, row.refund_command_id];
    return { traceparent: traceparent!, causationid: causationid!, subject: row.order_id };
  }

  /** Keeps a note of what is announced (call inside record's events, so it commits with them). */
  private announce(events: PizzaEvent[]): PizzaEvent[] {
    for (const e of events) this.sql.exec("INSERT INTO announced (type, event_id, causation_id) VALUES (?, ?, ?)", e.type, e.id, e.causationid);
    return events;
  }
}
