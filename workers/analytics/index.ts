import { ledgerDay, type RevenueLedger } from "../../durable-objects/revenue-ledger";
import { consumeEvents } from "../../shared/consumer/harness";
import { ContextEntrypoint } from "../../shared/http/context-api";
import { analyticsApi } from "./revenue-api";
import { analyticsSubscription } from "./subscriptions";

/** Analytics: confirmed orders' revenue per day and currency, in one ledger per month. */
export { RevenueLedger } from "../../durable-objects/revenue-ledger";

const ledgers = (env: Env) => env.REVENUE as DurableObjectNamespace<RevenueLedger>;

/** The operators' analytics API, reached through the gateway's service binding. */
export class AnalyticsApi extends ContextEntrypoint<Env> {
  protected readonly api = analyticsApi;
}

export default {
  queue: consumeEvents<keyof typeof analyticsSubscription.events, Env>({
    subscription: analyticsSubscription,
    deadLetters: (env) => env.DEAD_LETTERS,
    handlers: {
      "com.plantbasedpizza.order.confirmed.v1": (event, env) =>
        ledgers(env).getByName(ledgerDay(event.data.confirmedAt).month).countOrder(event),
    },
  }),
} satisfies ExportedHandler<Env>;
