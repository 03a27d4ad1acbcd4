import { DurableObject } from "cloudflare:workers";
import { hasTable } from "../../shared/durable/tables";

/** A day's ledger: revenue of the orders of one UTC day whose id hashes to `bucket` (revenue-shards.ts). */
export type DayLedger = { day: string; bucket: number };

/**
 * The day ledgers of one UTC month (one object per `YYYY-MM`) that have counted an order: a ledger
 * registers here before its first order, so a read opens only ledgers that exist, not every day x B of
 * its range (most of a year asked about in advance, or before the business opened, is empty, and locally
 * each ledger opened makes a database file). It takes B requests a day, one per ledger, not one per order:
 * no hot spot. Registering twice is harmless, and a ledger listed whose first order then failed reads as
 * empty.
 */
export class RevenueIndex extends DurableObject {
  private readonly sql: SqlStorage = this.ctx.storage.sql;

  register(day: string, bucket: number): void {
    this.sql.exec(`CREATE TABLE IF NOT EXISTS ledgers (
      day TEXT NOT NULL, bucket INTEGER NOT NULL, PRIMARY KEY (day, bucket)) WITHOUT ROWID`);
    this.sql.exec("INSERT OR IGNORE INTO ledgers (day, bucket) VALUES (?, ?)", day, bucket);
  }

  /** The ledgers of the days from..to (inclusive) of this month, by day then bucket. */
  ledgers(from: string, to: string): DayLedger[] {
    if (!hasTable(this.sql, "ledgers")) return [];
    return this.sql
      .exec<DayLedger>(
        "SELECT day, bucket FROM ledgers WHERE day >= ? AND day <= ? ORDER BY day, bucket",
        from,
        to,
      )
      .toArray()
      .map(({ day, bucket }) => ({ day, bucket }));
  }
}
