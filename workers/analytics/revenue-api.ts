import type { DailyRevenue } from "../../durable-objects/analytics/revenue-ledger";
import {
  dayLedgerName,
  MAX_RANGE_DAYS,
  readPlan,
  revenueShards,
} from "../../durable-objects/analytics/revenue-shards";
import { allowRoles, contextApi } from "../../shared/http/context-api";
import { errorResponse, type FieldIssue } from "../../shared/http/errors";
import { serve } from "../../shared/http/openapi";
import { Day, revenue } from "./revenue-api-routes";

/** The analysts' API (analyst role): revenue per day and currency: gross (`amount`), net and tax. */
export { MAX_RANGE_DAYS };

const DAY_MS = 86_400_000;

/**
 * How a read adds up a range: the monthly ledgers for the days before the cutover (one call a month, as
 * before), and for the days since, each month's RevenueIndex (one call a month, at most 13), then every
 * day ledger they list, in parallel, summed per day and currency. A busy month is 31 x B = 248 small calls
 * at B = 8, the longest range (366 days) 2,928; empty days cost nothing.
 *
 * Decided: no per-day read model (a day's total kept apart from its ledgers). Analysts read rarely, each
 * call reads a few rows, and even the longest read costs well under a thousandth of a dollar and stays
 * within the 10,000 subrequests of an invocation (MAX_BUCKETS, revenue-shards.ts); a total fed by the
 * ledgers would cost every order a write (the hot spot again) or lag behind them, to save reads nobody
 * makes often. Should year-long reads become frequent, close days: sum a day once it is past its
 * events' retries, keep the sum in its month's index, and read only later days from their ledgers.
 * READS_IN_FLIGHT only keeps a long read from holding thousands of calls open at once.
 */
const READS_IN_FLIGHT = 64;

/** `read` of every item, at most `limit` at a time, answers in the items' order. */
async function inParallel<T, R>(items: T[], limit: number, read: (item: T) => Promise<R>): Promise<R[]> {
  const answers: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      answers[i] = await read(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return answers;
}

/** The sum of the ledgers' rows per day and currency, by day then currency. */
function sumByDayAndCurrency(rows: DailyRevenue[]): DailyRevenue[] {
  const sums = new Map<string, DailyRevenue>();
  for (const row of rows) {
    const key = `${row.day} ${row.currency}`;
    const sum = sums.get(key);
    if (!sum) sums.set(key, { ...row });
    else {
      sum.amount += row.amount;
      sum.net += row.net;
      sum.tax += row.tax;
      sum.orders += row.orders;
    }
  }
  return [...sums.values()].sort((a, b) =>
    a.day === b.day ? (a.currency < b.currency ? -1 : 1) : a.day < b.day ? -1 : 1,
  );
}

export const analyticsApi = contextApi<Env>("analytics");
analyticsApi.use("/analytics/*", allowRoles("analyst"));
// The query's format is checked by the route's declaration (RevenueQuery) first; the range here.
serve(analyticsApi, revenue, async (c) => {
  const today = new Date().toISOString().slice(0, 10);
  const issues: FieldIssue[] = [];
  const dayParam = (field: "from" | "to") => {
    const value = c.req.query(field) ?? today;
    if (Day.safeParse(value).success) return value;
    issues.push({ field, reason: "a calendar date as YYYY-MM-DD" });
    return undefined;
  };
  const from = dayParam("from");
  const to = dayParam("to");
  if (from && to) {
    const days = (Date.parse(to) - Date.parse(from)) / DAY_MS + 1;
    if (days < 1) issues.push({ field: "to", reason: "must not be before from" });
    else if (days > MAX_RANGE_DAYS)
      issues.push({ field: "to", reason: `at most ${MAX_RANGE_DAYS} days from from, inclusive` });
  }
  if (!from || !to || issues.length)
    return errorResponse(c, 400, "validation_failed", "The date range is not valid.", issues);

  const { monthly, indexed } = readPlan(from, to, revenueShards(c.env.REVENUE_SHARDS));
  const [monthlyRows, dayLedgers] = await Promise.all([
    Promise.all(monthly.map((m) => c.env.REVENUE.getByName(m.month).revenue(m.from, m.to))),
    Promise.all(indexed.map((m) => c.env.REVENUE_INDEX.getByName(m.month).ledgers(m.from, m.to))),
  ]);
  const dayRows = await inParallel(dayLedgers.flat(), READS_IN_FLIGHT, ({ day, bucket }) =>
    c.env.REVENUE.getByName(dayLedgerName(day, bucket)).revenue(day, day),
  );
  return c.json({ from, to, revenue: sumByDayAndCurrency([...monthlyRows, ...dayRows].flat()) });
});
