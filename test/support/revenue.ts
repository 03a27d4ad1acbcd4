import { readFileSync } from "node:fs";
import { parse } from "smol-toml";
import type { pizzaClient } from "./pizza-client";
import type { WorkerConfig } from "./wrangler-configs";

export type Revenue = { amount: number; net: number; tax: number; orders: number };

const today = () => new Date().toISOString().slice(0, 10);

/** Today's revenue in GBP, as an analyst reads it (GET /analytics/revenue). */
export async function revenueToday(pizza: ReturnType<typeof pizzaClient>, analyst: string): Promise<Revenue> {
  const { body } = await pizza.revenue(analyst, today());
  return body.revenue.find((r) => r.currency === "GBP") ?? { amount: 0, net: 0, tax: 0, orders: 0 };
}

/**
 * The longest analytics waits to fill a batch (`max_batch_timeout` of its queue): an order confirmed
 * before a reading is in the revenue at most this long after.
 */
const ANALYTICS_BATCH_WAIT_MS =
  1000 *
  ((parse(readFileSync("workers/analytics/wrangler.toml", "utf8")) as unknown as WorkerConfig).queues
    ?.consumers?.[0]?.max_batch_timeout ?? 10);

/**
 * Today's revenue once nothing placed earlier is still on its way to it: the e2e files share one
 * system and run one at a time, but an order an earlier file placed may be confirmed, and counted by
 * analytics, up to a batch wait later. A test that says "revenue grew by exactly this order" measures
 * from here: the same reading across more than one batch wait (polled, with a deadline), so nothing
 * confirmed before is still to land.
 */
export async function settledRevenueToday(
  pizza: ReturnType<typeof pizzaClient>,
  analyst: string,
  { timeoutMs = 90_000, intervalMs = 500 } = {},
): Promise<Revenue> {
  const quietMs = ANALYTICS_BATCH_WAIT_MS + 2_000;
  const deadline = Date.now() + timeoutMs;
  let last = await revenueToday(pizza, analyst);
  let since = Date.now();
  for (;;) {
    if (Date.now() - since > quietMs) return last;
    if (Date.now() > deadline)
      throw new Error(`today's revenue kept changing for ${timeoutMs} ms (last: ${JSON.stringify(last)})`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    const now = await revenueToday(pizza, analyst);
    if (now.amount !== last.amount || now.orders !== last.orders) {
      last = now;
      since = Date.now();
    }
  }
}
