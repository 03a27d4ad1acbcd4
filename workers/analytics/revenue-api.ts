import { z } from "zod";
import type { DailyRevenue } from "../../durable-objects/analytics/revenue-ledger";
import { allowRoles, contextApi } from "../../shared/http/context-api";
import { errorResponse, type FieldIssue } from "../../shared/http/errors";

/** The analysts' API (analyst role): revenue per day and currency: gross (`amount`), net and tax. */
const ledger = (env: Env, month: string) => env.REVENUE.getByName(month);

const Day = z.iso.date();
const DAY_MS = 86_400_000;
/** A leap year's worth: also bounds the ledgers one query reads (at most 13 months). */
export const MAX_RANGE_DAYS = 366;

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

export const analyticsApi = contextApi<Env>("analytics")
  .use("/analytics/*", allowRoles("analyst"))
  .get("/analytics/revenue", async (c) => {
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

    const months = await Promise.all(
      monthsBetween(from, to).map((month) => ledger(c.env, month).revenue(from, to)),
    );
    // Each month's rows come sorted and the months are in order, so the concatenation is too.
    const revenue: DailyRevenue[] = months.flat();
    return c.json({ from, to, revenue });
  });
