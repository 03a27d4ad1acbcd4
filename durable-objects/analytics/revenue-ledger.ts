import type { HandlerOutcome } from "../../shared/consumer/harness";
import type { PizzaEvent } from "../../shared/events/envelope";
import { InboxObject } from "../../shared/durable/inbox-object";

/**
 * One month's revenue (one object per UTC month, `YYYY-MM`, so no single object counts every order):
 * per day and currency, the confirmed orders' totals (gross, and since order.confirmed.v2 the net
 * revenue and the tax in it) and how many orders. Each order counts once: the
 * inbox drops a redelivered event, and the counted orders drop a second event about the same order.
 * It publishes nothing, so it needs no outbox.
 */
// A type (not an interface) so it can name SQL rows, which must be indexable.
export type DailyRevenue = {
  day: string;
  currency: string;
  /** Gross revenue (what customers paid, tax included), minor units. */
  amount: number;
  /** Net revenue and the tax in `amount`, minor units. */
  net: number;
  tax: number;
  orders: number;
};

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
    // Ledgers made before order prices carried tax (RFC 0001) gain the columns; their old days show 0.
    const columns = this.sql
      .exec<{ name: string }>("PRAGMA table_info(revenue)")
      .toArray()
      .map((c) => c.name);
    if (!columns.includes("net")) {
      this.sql.exec("ALTER TABLE revenue ADD COLUMN net INTEGER NOT NULL DEFAULT 0");
      this.sql.exec("ALTER TABLE revenue ADD COLUMN tax INTEGER NOT NULL DEFAULT 0");
    }
  }

  /** Order confirmed: add its total (net, tax, gross) to its day's revenue in its currency, once per order. */
  countOrder(event: PizzaEvent<"com.plantbasedpizza.order.confirmed.v2">): HandlerOutcome {
    const { orderId, total, confirmedAt } = event.data;
    const { day } = ledgerDay(confirmedAt);
    let counted = false;
    const outcome = this.inbox.once(event, () => {
      if (this.sql.exec("SELECT 1 FROM counted_orders WHERE order_id = ?", orderId).toArray().length > 0)
        return;
      this.sql.exec("INSERT INTO counted_orders (order_id, day) VALUES (?, ?)", orderId, day);
      this.sql.exec(
        `INSERT INTO revenue (day, currency, amount, net, tax, orders) VALUES (?, ?, ?, ?, ?, 1)
         ON CONFLICT (day, currency) DO UPDATE SET amount = amount + excluded.amount, net = net + excluded.net,
           tax = tax + excluded.tax, orders = orders + 1`,
        day,
        total.gross.currency,
        total.gross.amount,
        total.net.amount,
        total.tax.amount,
      );
      counted = true;
    });
    return outcome === "processed" && counted ? "processed" : "duplicate";
  }

  /** Revenue of the days from..to (inclusive) that fall in this month, by day then currency. */
  revenue(from: string, to: string): DailyRevenue[] {
    return this.sql
      .exec<DailyRevenue>(
        "SELECT day, currency, amount, net, tax, orders FROM revenue WHERE day >= ? AND day <= ? ORDER BY day, currency",
        from,
        to,
      )
      .toArray()
      .map(({ day, currency, amount, net, tax, orders }) => ({ day, currency, amount, net, tax, orders }));
  }
}
