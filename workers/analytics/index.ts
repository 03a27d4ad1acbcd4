import { ledgerDay } from "../../durable-objects/analytics/revenue-ledger";
import { ledgerOf, revenueShards } from "../../durable-objects/analytics/revenue-shards";
import { ContextEntrypoint } from "../../shared/http/context-api";
import { analyticsEventHandlers } from "./event-handlers";
import { analyticsApi } from "./revenue-api";

/** Analytics: confirmed orders' revenue per day and currency, in ledgers by day and bucket (revenue-shards.ts). */
export { RevenueLedger } from "../../durable-objects/analytics/revenue-ledger";
export { RevenueIndex } from "../../durable-objects/analytics/revenue-index";

/** The operators' analytics API, reached through the gateway's service binding. */
export class AnalyticsApi extends ContextEntrypoint<Env> {
  protected readonly api = analyticsApi;

  /**
   * What analytics handled about the order, for operators' order timeline. Its revenue is kept per day
   * and bucket, so orders names the order's confirmations it knows (each event's key and when it was
   * confirmed): that finds the one ledger each was counted in (revenue-shards.ts), asked for those
   * events by key, without reading the other orders of its day.
   */
  async handledAbout(orderId: string, confirmations: { source: string; id: string; confirmedAt: string }[]) {
    const eras = revenueShards(this.env.REVENUE_SHARDS);
    const byLedger = new Map<string, { source: string; id: string }[]>();
    for (const { source, id, confirmedAt } of confirmations) {
      const { name } = ledgerOf(orderId, ledgerDay(confirmedAt).day, eras);
      byLedger.set(name, [...(byLedger.get(name) ?? []), { source, id }]);
    }
    const entries = await Promise.all(
      [...byLedger].map(([name, events]) => this.env.REVENUE.getByName(name).handledEvents({ events })),
    );
    return entries.flat();
  }
}

export default {
  queue: analyticsEventHandlers,
} satisfies ExportedHandler<Env>;
