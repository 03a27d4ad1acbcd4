import type { HandlerOutcome, QueueDelivery } from "../../shared/consumer/harness";
import type { PizzaEvent } from "../../shared/events/envelope";
import { InboxObject } from "../../shared/durable/inbox-object";
import { hasTable } from "../../shared/durable/tables";
import type { RevenueIndex } from "./revenue-index";

/**
 * A share of the revenue: per day and currency, the confirmed orders' totals (gross, and since
 * order.confirmed.v2 the net revenue and the tax in it) and how many orders. Which orders an object
 * counts is its name's business (revenue-shards.ts): one UTC day's bucket of orders (`YYYY-MM-DD/<b>`),
 * or, before the cutover, a whole UTC month (`YYYY-MM`, the ledgers made before revenue was sharded).
 * Each order counts once: the inbox drops a redelivered event, and the counted orders drop a second
 * event about the same order (every event about an order reaches the same object).
 * It publishes nothing, so it needs no outbox; and it creates its tables with its first order, so the
 * many ledgers a read opens that never counted one store nothing.
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

/** What a ledger needs of its worker's bindings: the index its day ledgers register in. */
export interface RevenueEnv {
  REVENUE_INDEX: DurableObjectNamespace<RevenueIndex>;
}

export class RevenueLedger extends InboxObject<RevenueEnv> {
  /** The registration under way, shared by the orders that arrive meanwhile (one call, not one each). */
  private registering: Promise<void> | undefined;

  constructor(ctx: DurableObjectState, env: RevenueEnv) {
    super(ctx, env);
    // Ledgers made before order prices carried tax (RFC 0001) gain the columns; their old days show 0.
    if (hasTable(this.sql, "revenue")) {
      const columns = this.sql
        .exec<{ name: string }>("PRAGMA table_info(revenue)")
        .toArray()
        .map((c) => c.name);
      if (!columns.includes("net")) {
        this.sql.exec("ALTER TABLE revenue ADD COLUMN net INTEGER NOT NULL DEFAULT 0");
        this.sql.exec("ALTER TABLE revenue ADD COLUMN tax INTEGER NOT NULL DEFAULT 0");
      }
    }
  }

  /**
   * Order confirmed: add its total (net, tax, gross) to its day's revenue in its currency, once per order.
   * `bucket` says this is that day's ledger of that bucket (revenue-shards.ts; none for a monthly ledger):
   * before its first order it registers in its month's RevenueIndex, so reads find it.
   */
  async countOrder(
    event: PizzaEvent<"com.plantbasedpizza.order.confirmed.v2">,
    bucket?: number,
    delivery?: QueueDelivery,
  ): Promise<HandlerOutcome> {
    const { orderId, total, confirmedAt } = event.data;
    const { month, day } = ledgerDay(confirmedAt);
    if (bucket !== undefined && !hasTable(this.sql, "revenue")) {
      this.registering ??= this.env.REVENUE_INDEX.getByName(month)
        .register(day, bucket)
        .finally(() => (this.registering = undefined));
      await this.registering;
    }
    let counted = false;
    const outcome = this.inbox.once(event, delivery, () => {
      // With the first order, in its transaction (the monthly ledgers have them already, with a rowid).
      this.sql.exec(`CREATE TABLE IF NOT EXISTS revenue (
        day TEXT NOT NULL, currency TEXT NOT NULL, amount INTEGER NOT NULL, orders INTEGER NOT NULL,
        net INTEGER NOT NULL DEFAULT 0, tax INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (day, currency)) WITHOUT ROWID`);
      this.sql.exec(
        "CREATE TABLE IF NOT EXISTS counted_orders (order_id TEXT PRIMARY KEY, day TEXT NOT NULL) WITHOUT ROWID",
      );
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

  /** Its revenue of the days from..to (inclusive), by day then currency; none if it never counted an order. */
  revenue(from: string, to: string): DailyRevenue[] {
    if (!hasTable(this.sql, "revenue")) return [];
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
