import { shardIndex } from "../../shared/bus/shards";

/**
 * Where revenue is kept: which RevenueLedger object an order's revenue goes to, and which objects a
 * range of days is read from (issue 10: no global hot spot).
 *
 * Since the first day of the first era below, a ledger holds one UTC day's share of the orders: the
 * bucket is a stable hash of the order id modulo B, so every event about one order (its confirmation, a
 * redelivery, the same order under a new event id) reaches the same object, whose counted orders keep
 * each order once. Before that day, a ledger held a whole UTC month (`YYYY-MM`); those monthly ledgers
 * already in production keep the days before the cutover, and still take any late event about them
 * (a retry, a redrive, a replay), so every day lives in exactly one layout and nothing counts twice:
 *
 *   day < first era's day   ->  `YYYY-MM`              (the month's ledger, as before)
 *   day >= an era's day     ->  `YYYY-MM-DD/<bucket>`  (bucket = shardIndex(orderId, that era's B))
 *
 * The setting, REVENUE_SHARDS, is a list of eras `YYYY-MM-DD:B`, each from its day on. B is part of an
 * order's address, so it never changes for a day that has begun: to change B, or to set the cutover when
 * deploying this, add an era from a UTC day that starts after the deploy has finished everywhere (the
 * code before the change still writes to the monthly ledgers until then), and never edit an era whose day
 * has come.
 *
 * B = 8 by default: every confirmed order is one request to its day's ledger of its bucket, so a day's
 * B ledgers share the day's orders and each takes 1/B of them. At Cloudflare's ~1,000 requests/s per
 * object, 8 carry about 8,000 confirmed orders/s, far beyond today's sustained rate, while keeping reads
 * (up to 31 x B calls for a busy month, see revenue-api.ts) small; a business heading for 10,000 orders/s
 * adds an era of 16.
 */

/** From `from` (a UTC day, inclusive) on, each day's revenue is split over `buckets` ledgers. */
export interface ShardEra {
  from: string;
  buckets: number;
}

/** The default when REVENUE_SHARDS is unset: the cutover of this change, at B = 8. */
export const DEFAULT_REVENUE_SHARDS = "2026-11-25:8";

/** The longest range a read may ask for (a leap year): with B it bounds the objects one read opens. */
export const MAX_RANGE_DAYS = 366;

/**
 * At most this many ledgers a day: a busy read of MAX_RANGE_DAYS days opens MAX_RANGE_DAYS x B ledgers (and
 * up to 13 monthly ledgers and 13 indexes), which must stay within the 10,000 subrequests a Workers
 * invocation may make.
 */
export const MAX_BUCKETS = Math.floor((10_000 - 2 * 13) / MAX_RANGE_DAYS);

const ERA = /^(\d{4}-\d{2}-\d{2}):(\d+)$/;

/** The eras of a REVENUE_SHARDS setting (`YYYY-MM-DD:B[,YYYY-MM-DD:B…]`), checked; throws if malformed. */
export function revenueShards(setting: string | undefined): ShardEra[] {
  const text = setting?.trim() || DEFAULT_REVENUE_SHARDS;
  const eras = text.split(",").map((part) => {
    const match = ERA.exec(part.trim());
    const buckets = Number(match?.[2]);
    const ms = Date.parse(`${match?.[1]}T00:00:00Z`);
    if (!match || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== match[1])
      throw new Error(`REVENUE_SHARDS: "${part}" is not YYYY-MM-DD:B`);
    if (!(buckets >= 1 && buckets <= MAX_BUCKETS))
      throw new Error(`REVENUE_SHARDS: B in "${part}" must be 1 to ${MAX_BUCKETS}`);
    return { from: match[1]!, buckets };
  });
  eras.forEach((era, i) => {
    if (i > 0 && era.from <= eras[i - 1]!.from)
      throw new Error(`REVENUE_SHARDS: eras must start on increasing days ("${text}")`);
  });
  return eras;
}

/**
 * The order's bucket among `buckets`: the same stable key hash the bus picks shards with
 * (shared/bus/shards.ts `shardIndex`: FNV-1a 64, mixed, then jump consistent hashing), one mechanism for
 * every "which of N" in the system. Fixed for good: a different hash would send a redelivered order to
 * another ledger, which would count it again (test/analytics/revenue-shards.test.ts pins answers).
 */
export function bucketOf(orderId: string, buckets: number): number {
  return shardIndex(orderId, buckets);
}

/** The era a day belongs to, or undefined before the first (the monthly ledgers' days). */
function eraOf(day: string, eras: ShardEra[]): ShardEra | undefined {
  return eras.findLast((era) => era.from <= day);
}

/** The name of a day's ledger of one bucket. */
export const dayLedgerName = (day: string, bucket: number) => `${day}/${bucket}`;

/**
 * The ledger that counts an order confirmed on `day` (UTC, `YYYY-MM-DD`): its name, and its bucket if it
 * is a day's ledger (none for a monthly one).
 */
export function ledgerOf(orderId: string, day: string, eras: ShardEra[]): { name: string; bucket?: number } {
  const era = eraOf(day, eras);
  if (!era) return { name: day.slice(0, 7) };
  const bucket = bucketOf(orderId, era.buckets);
  return { name: dayLedgerName(day, bucket), bucket };
}

/** Days from..to (inclusive) of one month (`YYYY-MM`): a monthly ledger's, or a RevenueIndex's, to read. */
export interface MonthRead {
  month: string;
  from: string;
  to: string;
}

const DAY_MS = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * Every `YYYY-MM` from from's month to to's month, counted as numbers: a Date walked past December 9999
 * prints as "+010000-01", which sorts before "9999-12", so comparing ISO strings never stopped there.
 */
function monthsBetween(from: string, to: string): string[] {
  const monthIndex = (day: string) => Number(day.slice(0, 4)) * 12 + Number(day.slice(5, 7)) - 1;
  const months: string[] = [];
  for (let m = monthIndex(from); m <= monthIndex(to); m++) {
    months.push(`${String(Math.floor(m / 12)).padStart(4, "0")}-${String((m % 12) + 1).padStart(2, "0")}`);
  }
  return months;
}

/** The days of from..to in each of their months, or none if from is after to. */
function byMonth(from: string, to: string): MonthRead[] {
  if (from > to) return [];
  return monthsBetween(from, to).map((month) => ({
    month,
    from: from > `${month}-01` ? from : `${month}-01`,
    to: to < `${month}-31` ? to : `${month}-31`,
  }));
}

/**
 * Where the days from..to are kept: the days before the cutover in their months' ledgers (`monthly`), the
 * days since in the day ledgers that each month's RevenueIndex lists (`indexed`), month by month.
 */
export function readPlan(
  from: string,
  to: string,
  eras: ShardEra[],
): { monthly: MonthRead[]; indexed: MonthRead[] } {
  const cutover = eras[0]!.from;
  const lastMonthly = to < cutover ? to : dayOf(Date.parse(cutover) - DAY_MS);
  return {
    monthly: byMonth(from, lastMonthly),
    indexed: byMonth(from < cutover ? cutover : from, to),
  };
}
