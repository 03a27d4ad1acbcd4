import type { HandlerOutcome } from "../../shared/consumer/harness";
import type { PizzaEvent } from "../../shared/events/envelope";
import { InboxObject } from "../../shared/durable/inbox-object";

/**
 * One month's revenue (one object per UTC month, `YYYY-MM`, so no single object counts every order):
 * per day and currency, the confirmed orders' totals and how many orders. Each order counts once: the
 * inbox drops a redelivered event, and the counted orders drop a second event about the same order.
 * It publishes nothing, so it needs no outbox.
 */
export interface DailyRevenue {
  day: string;
  currency: string;
  amount: number;
  orders: number;
}

/** The UTC month (`YYYY-MM`) and day (`YYYY-MM-DD`) an order was confirmed in. */
export function ledgerDay(confirmedAt: string): { month: string; day: string } {
  const day = new Date(confirmedAt).toISOString().slice(0, 10);
  return { month: day.slice(0, 7), day };
}

export class RevenueLedger extends InboxObject {
  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS revenue (
      day TEXT NOT NULL, currency TEXT NOT NULL, amount INTEGER NOT NULL, orders INTEGER NOT NULL,
      PRIMARY KEY (day, currency))`);
    this.sql.exec("CREATE TABLE IF NOT EXISTS counted_orders (order_id TEXT PRIMARY KEY, day TEXT NOT NULL)");
  }

  /** Order confirmed: add its total to its day's revenue in its currency, once per order. */
  countOrder(event: PizzaEvent<"com.plantbasedpizza.order.confirmed.v1">): HandlerOutcome {
    const { orderId, total, confirmedAt } = event.data;
    const { day } = ledgerDay(confirmedAt);
    let counted = false;
    const outcome = this.inbox.once(event, () => {
      if (this.sql.exec("SELECT 1 FROM counted_orders WHERE order_id = ?", orderId).toArray().length > 0)
        return;
      this.sql.exec("INSERT INTO counted_orders (order_id, day) VALUES (?, ?)", orderId, day);
      this.sql.exec(
        `INSERT INTO revenue (day, currency, amount, orders) VALUES (?, ?, ?, 1)
         ON CONFLICT (day, currency) DO UPDATE SET amount = amount + excluded.amount, orders = orders + 1`,
        day,
        total.currency,
        total.amount,
      );
      counted = true;
    });
    return outcome === "processed" && counted ? "processed" : "duplicate";
  }

  /** Revenue of the days from..to (inclusive) that fall in this month, by day then currency. */
  revenue(from: string, to: string): DailyRevenue[] {
    return this.sql
      .exec<{ day: string; currency: string; amount: number; orders: number }>(
        "SELECT day, currency, amount, orders FROM revenue WHERE day >= ? AND day <= ? ORDER BY day, currency",
        from,
        to,
      )
      .toArray()
      .map(({ day, currency, amount, orders }) => ({ day, currency, amount, orders }));
  }
}
