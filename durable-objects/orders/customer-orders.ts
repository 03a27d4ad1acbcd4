import type { HandlerOutcome, QueueDelivery } from "../../shared/consumer/harness";
import type { PizzaEvent } from "../../shared/events/envelope";
import type { Fulfilment } from "../../shared/events/catalog/orders";
import type { Money } from "../../shared/events/catalog/money";
import { InboxObject } from "../../shared/durable/inbox-object";
import { hasTable } from "../../shared/durable/tables";

/** How many of a customer's orders the list keeps and answers: the page shows recent ones only. */
export const CUSTOMER_ORDERS_KEPT = 50;

/** One line of a customer's list: what the page needs to show and link it; the rest is GET /orders/{id}. */
export interface CustomerOrder {
  orderId: string;
  placedAt: string;
  fulfilment: Fulfilment;
  total: Money;
}

type Row = { order_id: string; placed_at: string; fulfilment: string; total: string };

/**
 * A customer's list of their orders (one object per customer), a read model fed by orders' own
 * order.submitted events rather than written by POST /orders: placing an order makes no extra call,
 * and the list is eventually consistent (the page shows a just-placed order from its own answer until
 * the list has it). Only what the submitted event carries is kept, so there is no status to keep in
 * step: the page reads an order's status from the order itself.
 */
export class CustomerOrders extends InboxObject<Env> {
  orderSubmitted(
    event: PizzaEvent<"com.plantbasedpizza.order.submitted.v1">,
    delivery?: QueueDelivery,
  ): HandlerOutcome {
    return this.inbox.once(event, delivery, () => {
      // Created with the first order, in its transaction: a customer only read stores nothing.
      this.sql.exec(`CREATE TABLE IF NOT EXISTS orders (
        order_id TEXT PRIMARY KEY, placed_at TEXT NOT NULL, fulfilment TEXT NOT NULL, total TEXT NOT NULL)`);
      const { orderId, submittedAt, fulfilment, total } = event.data;
      this.sql.exec(
        "INSERT OR IGNORE INTO orders VALUES (?, ?, ?, ?)",
        orderId,
        submittedAt,
        fulfilment,
        JSON.stringify(total),
      );
      // Only the newest are ever shown, so only they are kept: a regular's list does not grow forever.
      this.sql.exec(
        `DELETE FROM orders WHERE order_id NOT IN
           (SELECT order_id FROM orders ORDER BY placed_at DESC, order_id DESC LIMIT ?)`,
        CUSTOMER_ORDERS_KEPT,
      );
    });
  }

  /** The customer's orders, newest first. Reads only: an unknown customer stores nothing. */
  list(): CustomerOrder[] {
    if (!hasTable(this.sql, "orders")) return [];
    return this.sql
      .exec<Row>(
        "SELECT order_id, placed_at, fulfilment, total FROM orders ORDER BY placed_at DESC, order_id DESC LIMIT ?",
        CUSTOMER_ORDERS_KEPT,
      )
      .toArray()
      .map((r) => ({
        orderId: r.order_id,
        placedAt: r.placed_at,
        fulfilment: r.fulfilment as Fulfilment,
        total: JSON.parse(r.total) as Money,
      }));
  }
}
