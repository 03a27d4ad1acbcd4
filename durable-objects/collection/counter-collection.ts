import type { HandlerOutcome, QueueDelivery } from "../../shared/consumer/harness";
import { createEvent, type PizzaEvent } from "../../shared/events/envelope";
import { PublishingObject, type BusEnv } from "../../shared/durable/publishing-object";
import { hasTable } from "../../shared/durable/tables";
import type { CommandOutcome } from "../../shared/http/staff-command";
import type { CounterBoardChange } from "./counter-board";

/**
 * One order at the counter, in collection's own storage: it waits there from the ready-for-collection
 * event until counter staff hand it to its customer, which is announced with an event.
 *
 *   waiting-at-counter --collected--> collected
 */
export type CounterStatus = "waiting-at-counter" | "collected";

export interface CounterOrder {
  orderId: string;
  customerId: string;
  status: CounterStatus;
  readyAt: string;
  collectedAt?: string;
}

type Row = {
  order_id: string;
  customer_id: string;
  status: CounterStatus;
  ready_at: string;
  collected_at: string | null;
  traceparent: string;
  caused_by: string;
};

export class CounterCollection extends PublishingObject<BusEnv> {
  /**
   * Created when the order reaches the counter (in that transaction), never when the object starts:
   * counter staff reading or handing over an order id collection never saw must store nothing.
   */
  private createTable(): void {
    this.sql.exec(`CREATE TABLE IF NOT EXISTS counter_order (
      order_id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, status TEXT NOT NULL, ready_at TEXT NOT NULL,
      collected_at TEXT, traceparent TEXT NOT NULL, caused_by TEXT NOT NULL) WITHOUT ROWID`);
  }

  private row(): Row | undefined {
    if (!hasTable(this.sql, "counter_order")) return undefined;
    return this.sql.exec<Row>("SELECT * FROM counter_order").toArray()[0];
  }

  /** Ready for collection: the order waits at the counter for its customer. */
  putOnCounter(
    event: PizzaEvent<"com.plantbasedpizza.order.ready-for-collection.v1">,
    delivery?: QueueDelivery,
  ): HandlerOutcome {
    return this.inbox.once(event, delivery, () => {
      this.createTable();
      this.sql.exec(
        "INSERT INTO counter_order (order_id, customer_id, status, ready_at, traceparent, caused_by) VALUES (?, ?, 'waiting-at-counter', ?, ?, ?) ON CONFLICT DO NOTHING",
        event.data.orderId,
        event.data.customerId,
        new Date().toISOString(),
        event.traceparent,
        event.id,
      );
    });
  }

  /** The customer collected the order. A repeat answers the same and announces nothing new. */
  collected(): CommandOutcome<CounterOrder> {
    const row = this.row();
    if (!row) return { ok: false, status: 404, reason: "No order at the counter with this id." };
    if (row.status === "collected") return { ok: true, state: this.order()! };
    const collectedAt = new Date().toISOString();
    this.record(
      () => this.sql.exec("UPDATE counter_order SET status = 'collected', collected_at = ?", collectedAt),
      () => [
        createEvent(
          "com.plantbasedpizza.collection.order-collected.v1",
          { orderId: row.order_id, collectedAt },
          {
            // Continues the order's trace; the cause is the ready-for-collection event.
            traceparent: row.traceparent,
            causationid: row.caused_by,
            subject: row.order_id,
          },
        ),
      ],
    );
    return { ok: true, state: this.order()! };
  }

  order(): CounterOrder | undefined {
    const row = this.row();
    if (!row) return undefined;
    return {
      orderId: row.order_id,
      customerId: row.customer_id,
      status: row.status,
      readyAt: row.ready_at,
      ...(row.collected_at !== null ? { collectedAt: row.collected_at } : {}),
    };
  }

  /**
   * What the counter's board shows of this order, versioned by its step (waiting, then collected: it
   * only moves forward).
   */
  boardChange(): CounterBoardChange | undefined {
    const row = this.row();
    if (!row) return undefined;
    return {
      version: row.status === "collected" ? 1 : 0,
      open: row.status !== "collected",
      since: row.ready_at,
      row: { orderId: row.order_id, status: row.status, readyAt: row.ready_at },
    };
  }
}
