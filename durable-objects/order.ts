import type { HandlerOutcome } from "../shared/consumer/harness";
import { createEvent, type AnyPizzaEvent, type PizzaEvent } from "../shared/events/envelope";
import { PublishingObject } from "../shared/durable/publishing-object";
import { nextStatus, type OrderStatus } from "../workers/orders/lifecycle";
import { totalOf, type PricedLine } from "../workers/orders/submit-order";

/**
 * One order: the orders context's write model (it decides what happens to the order and records the
 * events that say so, through the outbox) and its read model (status, history and the events applied,
 * which is what GET /orders/:id answers from). One object per order keeps every order's writes
 * serialised without any global bottleneck.
 */
export interface SubmitOrder {
  orderId: string;
  customerId: string;
  fulfilment: "collection" | "delivery";
  deliveryAddressId?: string;
  lines: PricedLine[];
  /** Hash of the request body: tells a repeat from a reused Idempotency-Key with another body. */
  fingerprint: string;
  /** Id of the SubmitOrder command: the causation of the first event. */
  commandId: string;
  traceparent: string;
}

export type SubmitOutcome =
  | { outcome: "accepted" | "replayed"; orderId: string; status: OrderStatus }
  | { outcome: "conflict" };

export interface OrderView {
  orderId: string;
  customerId: string;
  status: OrderStatus;
  fulfilment: "collection" | "delivery";
  deliveryAddressId?: string;
  items: PricedLine[];
  total: { amount: number; currency: string };
  history: { status: OrderStatus; at: string; eventType: string; eventId: string }[];
}

type OrderRow = {
  order_id: string;
  customer_id: string;
  status: OrderStatus;
  fulfilment: "collection" | "delivery";
  delivery_address_id: string | null;
  items: string;
  total_amount: number;
  currency: string;
  fingerprint: string;
  first_status: OrderStatus;
};

export class Order extends PublishingObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS orders (
      order_id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, status TEXT NOT NULL, fulfilment TEXT NOT NULL,
      delivery_address_id TEXT, items TEXT NOT NULL, total_amount INTEGER NOT NULL, currency TEXT NOT NULL,
      fingerprint TEXT NOT NULL, first_status TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS history (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, status TEXT NOT NULL, at TEXT NOT NULL, event_type TEXT NOT NULL, event_id TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS applied_events (seq INTEGER PRIMARY KEY AUTOINCREMENT, event TEXT NOT NULL);`);
  }

  private row(): OrderRow | undefined {
    return this.sql.exec<OrderRow>("SELECT * FROM orders").toArray()[0];
  }

  /**
   * SubmitOrder. The first call records the order and its events; a repeat with the same fingerprint
   * answers what the first call answered and records nothing; another body under the same key is a
   * conflict. (No payment step yet: the order is confirmed as soon as it is submitted.)
   */
  submit(command: SubmitOrder): SubmitOutcome {
    const existing = this.row();
    if (existing) {
      return existing.fingerprint === command.fingerprint
        ? { outcome: "replayed", orderId: existing.order_id, status: existing.first_status }
        : { outcome: "conflict" };
    }
    const total = totalOf(command.lines);
    const cause = { traceparent: command.traceparent, subject: command.orderId };
    this.record(
      () => {
        this.sql.exec(
          `INSERT INTO orders VALUES (?, ?, 'submitted', ?, ?, ?, ?, ?, ?, 'submitted')`,
          command.orderId, command.customerId, command.fulfilment, command.deliveryAddressId ?? null,
          JSON.stringify(command.lines), total.amount, total.currency, command.fingerprint,
        );
      },
      () => {
        const now = new Date().toISOString();
        const submitted = createEvent(
          "com.plantbasedpizza.order.submitted.v1",
          { orderId: command.orderId, customerId: command.customerId, fulfilment: command.fulfilment, total, submittedAt: now },
          { ...cause, causationid: command.commandId },
        );
        const confirmed = createEvent(
          "com.plantbasedpizza.order.confirmed.v1",
          {
            orderId: command.orderId,
            customerId: command.customerId,
            fulfilment: command.fulfilment,
            ...(command.deliveryAddressId ? { deliveryAddressId: command.deliveryAddressId } : {}),
            items: command.lines,
            total,
            confirmedAt: now,
          },
          { ...cause, causationid: submitted.id },
        );
        // The order's own events are facts about it: its read model applies them in the same
        // transaction, so GET /orders/:id never shows less than what was published.
        for (const event of [submitted, confirmed]) this.applyToReadModel(event);
        return [submitted, confirmed];
      },
    );
    return { outcome: "accepted", orderId: command.orderId, status: "submitted" };
  }

  /** Applies another context's event about this order (the orders projection), once. */
  applyEvent(event: AnyPizzaEvent): HandlerOutcome {
    // Every other context's event follows one of this order's own, so an unknown order means the
    // event is wrong (or arrived at the wrong object): fail, so the harness retries then dead-letters.
    if (!this.row()) throw new Error(`unknown order ${event.subject ?? ""}`.trim());
    return this.inbox.once(event, () => this.applyToReadModel(event));
  }

  private applyToReadModel(event: PizzaEvent): void {
    this.sql.exec("INSERT INTO applied_events (event) VALUES (?)", JSON.stringify(event));
    // The status is the latest history entry: the first event (order submitted) starts the history.
    const current = this.sql.exec<{ status: OrderStatus }>("SELECT status FROM history ORDER BY seq DESC LIMIT 1").toArray()[0];
    const status = nextStatus(current?.status, event.type);
    if (!status) return;
    this.sql.exec("UPDATE orders SET status = ?", status);
    this.sql.exec(
      "INSERT INTO history (status, at, event_type, event_id) VALUES (?, ?, ?, ?)",
      status, event.time, event.type, event.id,
    );
  }

  /** The read model, for its own customer only; undefined for anyone else or an unknown order. */
  view(customerId: string): OrderView | undefined {
    const row = this.row();
    if (!row || row.customer_id !== customerId) return undefined;
    const history = this.sql
      .exec<{ status: OrderStatus; at: string; event_type: string; event_id: string }>(
        "SELECT status, at, event_type, event_id FROM history ORDER BY seq",
      )
      .toArray()
      .map((h) => ({ status: h.status, at: h.at, eventType: h.event_type, eventId: h.event_id }));
    return {
      orderId: row.order_id,
      customerId: row.customer_id,
      status: row.status,
      fulfilment: row.fulfilment,
      ...(row.delivery_address_id ? { deliveryAddressId: row.delivery_address_id } : {}),
      items: JSON.parse(row.items) as PricedLine[],
      total: { amount: row.total_amount, currency: row.currency },
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
