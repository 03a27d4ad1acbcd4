import { z } from "@hono/zod-openapi";
import { MAX_RANGE_DAYS } from "../../durable-objects/analytics/revenue-shards";
import { apiRoute, json } from "../../shared/http/openapi";

/**
 * The analysts' API as declared: what revenue-api.ts serves and the public origin's document shows.
 * Free of the analytics worker's bindings, so the orders worker can import it.
 */
export const Day = z.iso.date({ error: "a calendar date as YYYY-MM-DD" });

export const RevenueQuery = z.object({
  from: Day.optional().openapi({ description: "First day, UTC (default today).", example: "2026-03-01" }),
  to: Day.optional().openapi({
    description: `Last day, included (default today); at most ${MAX_RANGE_DAYS} days from \`from\`.`,
    example: "2026-03-31",
  }),
});

export const Revenue = z
  .object({
    from: z.iso.date(),
    to: z.iso.date(),
    revenue: z.array(
      z.object({
        day: z.iso.date(),
        currency: z.string().openapi({ example: "GBP" }),
        amount: z.number().int().openapi({ description: "Gross (what customers paid), minor units." }),
        net: z.number().int(),
        tax: z.number().int(),
        orders: z.number().int(),
      }),
    ),
  })
  .openapi("Revenue");

export const revenue = apiRoute(
  {
    method: "get",
    path: "/analytics/revenue",
    tags: ["Analytics"],
    summary: "Revenue of confirmed orders per day and currency",
    request: { query: RevenueQuery },
    responses: { 200: json(Revenue, "Each day and currency with revenue, by day then currency.") },
  },
  { roles: ["analyst"], invalid: "The date range is not valid." },
);

/** Every route of the analysts' API, for the public origin's document. */
export const analyticsRoutes = [revenue];
