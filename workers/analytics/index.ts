import { ContextEntrypoint } from "../../shared/http/context-api";
import { analyticsEventHandlers } from "./event-handlers";
import { analyticsApi } from "./revenue-api";

/** Analytics: confirmed orders' revenue per day and currency, in ledgers by day and bucket (revenue-shards.ts). */
export { RevenueLedger } from "../../durable-objects/analytics/revenue-ledger";
export { RevenueIndex } from "../../durable-objects/analytics/revenue-index";

/** The operators' analytics API, reached through the gateway's service binding. */
export class AnalyticsApi extends ContextEntrypoint<Env> {
  protected readonly api = analyticsApi;
}

export default {
  queue: analyticsEventHandlers,
} satisfies ExportedHandler<Env>;
