import type { HandlerOutcome } from "../../shared/consumer/harness";
import { createEvent, type AnyPizzaEvent, type PizzaEvent } from "../../shared/events/envelope";
import type { EventData, EventType } from "../../shared/events/registry";
import { PublishingObject } from "../../shared/durable/publishing-object";
import type { CommandOutcome } from "../../shared/http/staff-command";
import { CANCELLABLE, nextStatus, type OrderStatus } from "./order-lifecycle";
import type { Money } from "../../shared/events/catalog/money";
import type { OrderLine } from "../../shared/events/catalog/orders";

/**
 * One order: the orders context's write model (it decides what happens to the order and records the
 * events that say so, through the outbox) and its read model (status, history and the events applied,
 * which is what GET /orders/:id answers from). One object per order keeps every order's writes
 * serialised without any global bottleneck.
 *
 * The story of an order, as this object tells it:
 *   submitted -> (payment taken) confirmed -> preparing -> baking -> quality-checked
 *     -> ready-for-collection -> (collected at the counter) completed
 *     -> (driver collected) out-for-delivery -> (delivered) completed
 *   submitted | confirmed -> cancelled (by the customer, a failed payment, or no payment in time);
 *   a cancelled order whose money was taken is refunded, even when the payment arrives late.
 */
export interface SubmitOrder {
  orderId: string;
  customerId: string;
  fulfilment: "collection" | "delivery";
  deliveryAddressId?: string;
  lines: OrderLine[];
  deliveryFee?: Money;
  total: Money;
  cardToken: string;
  /** Hash of the request body: tells a repeat from a reused Idempotency-Key with another body. */
  fingerprint: string;
  /** Id of the SubmitOrder command: the causation of the first event. */
  commandId: string;
  traceparent: string;
  /** How long payments may take before the order is cancelled. */
  paymentTimeoutSeconds: number;
}

export type PaymentStatus = "pending" | "taken" | "failed" | "refund-requested" | "refunded";

export type SubmitOutcome =
  | { outcome: "accepted" | "replayed"; orderId: string; status: OrderStatus }
  | { outcome: "conflict" };

export interface OrderView {
  orderId: string;
  customerId: string;
  status: OrderStatus;
  fulfilment: "collection" | "delivery";
  deliveryAddressId?: string;
  items: OrderLine[];
  deliveryFee?: Money;
  total: Money;
  payment: { status: PaymentStatus };
  cancellation?: { reason: string };
  history: { status: OrderStatus; at: string; eventType: string; eventId: string }[];
}

type OrderRow = {
  order_id: string;
  customer_id: string;
  status: OrderStatus;
  fulfilment: "collection" | "delivery";
  delivery_address_id: string | null;
  items: string;
  delivery_fee: number | null;
  total_amount: number;
  currency: string;
  fingerprint: string;
  traceparent: string;
  payment_status: PaymentStatus;
  payment_deadline: number;
  cancel_reason: string | null;
};

/** Events this object emits that are facts about the order (commands to payments are not). */
const COMMANDS = new Set<EventType>(["com.plantbasedpizza.payments.take-payment.v1", "com.plantbasedpizza.payments.refund-payment.v1"]);

export class Order extends PublishingObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS orders (
      order_id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, status TEXT NOT NULL, fulfilment TEXT NOT NULL,
      delivery_address_id TEXT, items TEXT NOT NULL, delivery_fee INTEGER, total_amount INTEGER NOT NULL,
      currency TEXT NOT NULL, fingerprint TEXT NOT NULL, traceparent TEXT NOT NULL,
      payment_status TEXT NOT NULL, payment_deadline INTEGER NOT NULL, cancel_reason TEXT);
    CREATE TABLE IF NOT EXISTS history (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, status TEXT NOT NULL, at TEXT NOT NULL, event_type TEXT NOT NULL, event_id TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS applied_events (seq INTEGER PRIMARY KEY AUTOINCREMENT, event TEXT NOT NULL);`);
  }

  private row(): OrderRow | undefined {
    return this.sql.exec<OrderRow>("SELECT * FROM orders").toArray()[0];
  }

  // ---- Commands ---------------------------------------------------------------------------------

  /**
   * SubmitOrder. The first call records the order, announces it and asks payments to take the money;
   * a repeat with the same fingerprint answers what the first call answered and records nothing;
   * another body under the same key is a conflict.
   */
  submit(command: SubmitOrder): SubmitOutcome {
    const existing = this.row();
    if (existing) {
      return existing.fingerprint === command.fingerprint
        ? { outcome: "replayed", orderId: existing.order_id, status: "submitted" }
        : { outcome: "conflict" };
    }
    const { orderId, customerId, total } = command;
    this.record(
      () => {
        this.sql.exec(
          `INSERT INTO orders (order_id, customer_id, status, fulfilment, delivery_address_id, items, delivery_fee, total_amount,
             currency, fingerprint, traceparent, payment_status, payment_deadline)
           VALUES (?, ?, 'submitted', ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)`,
          orderId, customerId, command.fulfilment, command.deliveryAddressId ?? null, JSON.stringify(command.lines),
          command.deliveryFee?.amount ?? null, total.amount, total.currency, command.fingerprint, command.traceparent,
          Date.now() + command.paymentTimeoutSeconds * 1000,
        );
      },
      () => {
        const submitted = this.emit("com.plantbasedpizza.order.submitted.v1", command.commandId, {
          orderId, customerId, fulfilment: command.fulfilment, total, submittedAt: new Date().toISOString(),
        });
        const takePayment = this.emit("com.plantbasedpizza.payments.take-payment.v1", submitted.id, {
          orderId, customerId, amount: total, cardToken: command.cardToken,
        });
        return [submitted, takePayment];
      },
    );
    return { outcome: "accepted", orderId, status: "submitted" };
  }

  /** The customer cancels: allowed until the kitchen starts preparing; a paid order is refunded. */
  cancel(customerId: string): CommandOutcome<{ orderId: string; status: OrderStatus }> {
    const row = this.row();
    if (!row || row.customer_id !== customerId) return { ok: false, status: 404, reason: "No such order for this customer." };
    if (row.status === "cancelled") return { ok: true, state: { orderId: row.order_id, status: "cancelled" } };
    if (!CANCELLABLE.includes(row.status)) {
      return { ok: false, status: 409, reason: `The order is ${row.status}: it can no longer be cancelled once the kitchen has started preparing it.` };
    }
    this.record(() => undefined, () => this.cancelOrder(row, "cancelled by the customer", `cancel-order:${crypto.randomUUID()}`));
    return { ok: true, state: { orderId: row.order_id, status: "cancelled" } };
  }

  // ---- Events from other contexts (the orders projection) ---------------------------------------

  /** Applies another context's event about this order, once, and reacts to it. */
  applyEvent(event: AnyPizzaEvent): HandlerOutcome | "unknown-order" {
    // Every other context's event follows one of this order's own, so an unknown order means the
    // event is wrong (or arrived at the wrong object): the projection fails it, so the harness retries
    // then dead-letters. (Answered, not thrown: a throw would also log as this object's own error.)
    if (!this.row()) return "unknown-order";
    if (this.inbox.has(event)) return "duplicate";
    this.record(
      () => {
        this.inbox.remember(event);
        this.applyToReadModel(event);
      },
      () => this.react(event),
    );
    return "processed";
  }

  /** What the order does next because of an event; returns the events that say so. */
  private react(event: AnyPizzaEvent): PizzaEvent[] {
    const row = this.row()!;
    switch (event.type) {
      case "com.plantbasedpizza.payment.taken.v1":
        if (row.status === "cancelled") {
          // A late payment for an order that no longer exists is given back, not lost.
          this.setPayment("refund-requested");
          return [this.emit("com.plantbasedpizza.payments.refund-payment.v1", event.id, {
            orderId: row.order_id, reason: `the order was cancelled (${row.cancel_reason ?? "no reason"}) before its payment arrived`,
          })];
        }
        this.setPayment("taken");
        if (row.status !== "submitted") return [];
        return [this.emit("com.plantbasedpizza.order.confirmed.v1", event.id, {
          orderId: row.order_id,
          customerId: row.customer_id,
          fulfilment: row.fulfilment,
          ...(row.delivery_address_id ? { deliveryAddressId: row.delivery_address_id } : {}),
          items: JSON.parse(row.items) as OrderLine[],
          ...(row.delivery_fee !== null ? { deliveryFee: { amount: row.delivery_fee, currency: row.currency } } : {}),
          total: { amount: row.total_amount, currency: row.currency },
          confirmedAt: new Date().toISOString(),
        })];
      case "com.plantbasedpizza.payment.failed.v1":
        this.setPayment("failed");
        return row.status === "submitted" ? this.cancelOrder(row, `payment failed: ${event.data.reason}`, event.id) : [];
      case "com.plantbasedpizza.payment.refunded.v1":
        this.setPayment("refunded");
        return [];
      case "com.plantbasedpizza.kitchen.quality-checked.v1":
        if (this.status() !== "quality-checked") return [];
        return row.fulfilment === "collection"
          ? [this.emit("com.plantbasedpizza.order.ready-for-collection.v1", event.id, { orderId: row.order_id, customerId: row.customer_id })]
          : [this.emit("com.plantbasedpizza.order.ready-for-delivery.v1", event.id, {
              orderId: row.order_id, customerId: row.customer_id, deliveryAddressId: row.delivery_address_id!,
            })];
      case "com.plantbasedpizza.delivery.order-delivered.v1":
      case "com.plantbasedpizza.collection.order-collected.v1":
        if (row.status === "completed" || row.status === "cancelled") return [];
        return [this.emit("com.plantbasedpizza.order.completed.v1", event.id, {
          orderId: row.order_id,
          customerId: row.customer_id,
          fulfilment: row.fulfilment,
          total: { amount: row.total_amount, currency: row.currency },
          completedAt: new Date().toISOString(),
        })];
      default:
        return []; // kitchen progress, driver assigned, driver collected: the read model is all
    }
  }

  // ---- Timers -----------------------------------------------------------------------------------

  /** The payment deadline: an order still waiting for its payment then is cancelled. */
  protected override onAlarm(): number | undefined {
    const row = this.row();
    if (!row || row.status !== "submitted" || row.payment_status !== "pending") return undefined;
    if (Date.now() < row.payment_deadline) return row.payment_deadline;
    this.record(() => undefined, () => this.cancelOrder(row, "payment timed out", `payment-deadline:${row.order_id}`));
    return undefined;
  }

  // ---- Helpers ----------------------------------------------------------------------------------

  /** Cancels (call inside record's events): the cancellation, and a refund if money was taken. */
  private cancelOrder(row: OrderRow, reason: string, causationid: string): PizzaEvent[] {
    this.sql.exec("UPDATE orders SET cancel_reason = ?", reason);
    const cancelled = this.emit("com.plantbasedpizza.order.cancelled.v1", causationid, {
      orderId: row.order_id, customerId: row.customer_id, reason, cancelledAt: new Date().toISOString(),
    });
    if (this.paymentStatus() !== "taken") return [cancelled];
    this.setPayment("refund-requested");
    return [cancelled, this.emit("com.plantbasedpizza.payments.refund-payment.v1", cancelled.id, { orderId: row.order_id, reason })];
  }

  /**
   * Builds one of this order's own events (on the order's trace) and, for facts about the order,
   * applies it to the read model in the same transaction: GET /orders/:id never shows less than
   * what was published.
   */
  private emit<T extends EventType>(type: T, causationid: string, data: EventData<T>): PizzaEvent<T> {
    // Every event of the order stays on the trace its SubmitOrder request started (the row exists by now).
    const { traceparent, order_id: subject } = this.row()!;
    const event = createEvent(type, data, { traceparent, causationid, subject });
    if (!COMMANDS.has(type)) this.applyToReadModel(event);
    return event;
  }

  private applyToReadModel(event: PizzaEvent): void {
    this.sql.exec("INSERT INTO applied_events (event) VALUES (?)", JSON.stringify(event));
    const status = nextStatus(this.status(), event.type);
    if (!status) return;
    this.sql.exec("UPDATE orders SET status = ?", status);
    this.sql.exec("INSERT INTO history (status, at, event_type, event_id) VALUES (?, ?, ?, ?)", status, event.time, event.type, event.id);
  }

  /** The latest status in the history (undefined before the order's first event). */
  private status(): OrderStatus | undefined {
    return this.sql.exec<{ status: OrderStatus }>("SELECT status FROM history ORDER BY seq DESC LIMIT 1").toArray()[0]?.status;
  }

  private paymentStatus(): PaymentStatus | undefined {
    return this.row()?.payment_status;
  }

  private setPayment(status: PaymentStatus): void {
    this.sql.exec("UPDATE orders SET payment_status = ?", status);
  }

  // ---- Queries ----------------------------------------------------------------------------------

  /** The read model, for its own customer only; undefined for anyone else or an unknown order. */
  view(customerId: string): OrderView | undefined {
    const row = this.row();
    if (!row || row.customer_id !== customerId) return undefined;
    const history = this.sql
      .exec<{ status: OrderStatus; at: string; event_type: string; event_id: string }>("SELECT status, at, event_type, event_id FROM history ORDER BY seq")
      .toArray()
      .map((h) => ({ status: h.status, at: h.at, eventType: h.event_type, eventId: h.event_id }));
    return {
      orderId: row.order_id,
      customerId: row.customer_id,
      status: row.status,
      fulfilment: row.fulfilment,
      ...(row.delivery_address_id ? { deliveryAddressId: row.delivery_address_id } : {}),
      items: JSON.parse(row.items) as OrderLine[],
      ...(row.delivery_fee !== null ? { deliveryFee: { amount: row.delivery_fee, currency: row.currency } } : {}),
      total: { amount: row.total_amount, currency: row.currency },
      payment: { status: row.payment_status },
      ...(row.cancel_reason ? { cancellation: { reason: row.cancel_reason } } : {}),
      history,
    };
  }

  /** The CloudEvents this read model has applied, oldest first; undefined as for `view`. */
  appliedEvents(customerId: string): PizzaEvent[] | undefined {
    const row = this.row();
    if (!row || row.customer_id !== customerId) return undefined;
    return this.sql
      .exec<{ event: string }>("SELECT event FROM applied_events ORDER BY seq")
      .toArray()
      .map((r) => JSON.parse(r.event) as PizzaEvent);
  }
}
